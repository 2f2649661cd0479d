import { describe, expect, it } from 'vitest';
import { isIsoDay } from '../../../config/versions/calendar.ts';
import { DEFAULT_RDS_POSTGRES_VERSION, isBelowCreatableFloor, parseEngineVersion, RDS_POSTGRES_MAJORS, rdsPostgresMajor } from '../../../config/versions/rds-postgres-versions.ts';

describe('RDS PostgreSQL versions', () => {
  it('default to the major 17, which has a creatable floor and a source', () => {
    expect(DEFAULT_RDS_POSTGRES_VERSION).toBe('17');
    expect(rdsPostgresMajor('17')).toMatchObject({ oldestCreatableMinor: '17.7', olderMinorsBlockedFrom: '2026-05-01' });
    for (const [major, entry] of Object.entries(RDS_POSTGRES_MAJORS)) {
      expect(parseEngineVersion(entry.oldestCreatableMinor)?.major, major).toBe(major);
      expect(isIsoDay(entry.olderMinorsBlockedFrom), major).toBe(true);
      expect(entry.source, major).toContain('read 2026-12-04');
    }
  });

  it('parse majors and minors, and nothing else', () => {
    expect(parseEngineVersion('17')).toEqual({ major: '17' });
    expect(parseEngineVersion('16.11')).toEqual({ major: '16', minor: 11 });
    expect(parseEngineVersion('16.4.1')).toBeUndefined();
    expect(parseEngineVersion('v17')).toBeUndefined();
    expect(rdsPostgresMajor('hasOwnProperty')).toBeUndefined();
  });

  it('put 16.4 below the floor and a bare major never below it', () => {
    const sixteen = rdsPostgresMajor('16')!;
    expect(isBelowCreatableFloor(parseEngineVersion('16.4')!, sixteen)).toBe(true);
    expect(isBelowCreatableFloor(parseEngineVersion('16.10')!, sixteen)).toBe(true);
    expect(isBelowCreatableFloor(parseEngineVersion('16.11')!, sixteen)).toBe(false);
    expect(isBelowCreatableFloor(parseEngineVersion('16')!, sixteen)).toBe(false);
  });
});
