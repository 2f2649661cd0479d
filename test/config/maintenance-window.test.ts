import { describe, expect, it } from 'vitest';
import { parseBackupWindow, parseMaintenanceWindow, windowsOverlap, type Span } from '../../config/maintenance-window.ts';

const span = (value: Span | string): Span => {
  if (typeof value === 'string') throw new Error(value);
  return value;
};

describe('RDS maintenance and backup windows', () => {
  it('parses the weekly and the daily forms, UTC', () => {
    expect(parseMaintenanceWindow('sun:03:30-sun:04:30')).toEqual({ start: 210, length: 60, period: 10_080 });
    expect(parseMaintenanceWindow('sat:23:30-sun:00:30')).toEqual({ start: 6 * 1440 + 1410, length: 60, period: 10_080 });
    expect(parseBackupWindow('23:45-00:30')).toEqual({ start: 1425, length: 45, period: 1440 });
  });

  it('explains what is wrong with a window', () => {
    expect(parseMaintenanceWindow('Sun:03:30-Sun:04:30')).toBe('"Sun:03:30-Sun:04:30" is not a maintenance window "ddd:hh24:mi-ddd:hh24:mi" in UTC (e.g. "sun:03:30-sun:04:30")');
    expect(parseMaintenanceWindow('sun:03:30-xyz:04:30')).toBe('"sun:03:30-xyz:04:30": the days are sun, mon, tue, wed, thu, fri, sat');
    expect(parseMaintenanceWindow('sun:24:00-mon:01:00')).toBe('"sun:24:00-mon:01:00": hours are 00-23 and minutes 00-59');
    expect(parseMaintenanceWindow('sun:03:30-sun:03:45')).toBe('"sun:03:30-sun:03:45" is 15 minutes long; RDS needs at least 30');
    expect(parseBackupWindow('2:00-3:00')).toBe('"2:00-3:00" is not a backup window "hh24:mi-hh24:mi" in UTC (e.g. "02:00-03:00")');
    expect(parseBackupWindow('02:00-02:29')).toBe('"02:00-02:29" is 29 minutes long; RDS needs at least 30');
  });

  it('finds a daily backup window inside the weekly maintenance window, across midnight and the week\'s end', () => {
    expect(windowsOverlap(span(parseMaintenanceWindow('sun:03:30-sun:04:30')), span(parseBackupWindow('02:00-03:00')))).toBe(false);
    expect(windowsOverlap(span(parseMaintenanceWindow('sun:03:30-sun:04:30')), span(parseBackupWindow('02:00-03:31')))).toBe(true);
    expect(windowsOverlap(span(parseMaintenanceWindow('sat:23:00-sun:01:00')), span(parseBackupWindow('00:30-01:30')))).toBe(true);
    expect(windowsOverlap(span(parseMaintenanceWindow('wed:10:00-wed:11:00')), span(parseBackupWindow('11:00-12:00')))).toBe(false);
  });
});
