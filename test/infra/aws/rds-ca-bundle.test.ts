/** The RDS CA bundle pin and the runtime image that carries it say the same thing. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RDS_CA_BUNDLE, RDS_CA_CERT_IDENTIFIER } from '../../../infra/aws/rds-ca-bundle.ts';
import { isIsoDay } from '../../../config/versions/calendar.ts';

const dockerfile = readFileSync(new URL('../../../runtime/Dockerfile', import.meta.url), 'utf8');

describe('RDS CA bundle', () => {
  it('is added to the runtime image from the pinned URL, checked against the pinned sha256, at the path DATABASE_URL names', () => {
    const instruction = /^ADD\s+((?:--\S+\s+|\\\n\s*)+)(\S+)\s+(\S+)\s*$/m.exec(dockerfile.replace(/\\\n\s*/g, ' '));
    expect(instruction, 'an ADD instruction in runtime/Dockerfile').not.toBeNull();
    const [, flags, source, destination] = instruction!;
    expect(flags).toContain(`--checksum=sha256:${RDS_CA_BUNDLE.sha256}`);
    expect(source).toBe(RDS_CA_BUNDLE.url);
    expect(destination).toBe(RDS_CA_BUNDLE.pathInImage);
  });

  it('is data with a source and a date: https from AWS\'s trust store, a sha256, an absolute path', () => {
    expect(RDS_CA_BUNDLE.url).toMatch(/^https:\/\/truststore\.pki\.rds\.amazonaws\.com\//);
    expect(RDS_CA_BUNDLE.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(RDS_CA_BUNDLE.pathInImage.startsWith('/')).toBe(true);
    expect(isIsoDay(RDS_CA_BUNDLE.recordedOn)).toBe(true);
    expect(RDS_CA_BUNDLE.provenance).toMatch(/not checked against the live URL/);
    expect(RDS_CA_CERT_IDENTIFIER).toBe('rds-ca-rsa2048-g1');
  });
});
