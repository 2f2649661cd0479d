/**
 * readPaddockConfig: the keys the Pulumi program takes from the engine's config — every
 * paddock: key, structured values parsed, and aws:region (only to check it against
 * eks.region); other providers' keys stay with their providers.
 */
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import { readPaddockConfig } from '../../../infra/inputs/pulumi-config.ts';

describe('readPaddockConfig', () => {
  it('passes paddock: keys and aws:region, nothing else of other namespaces', () => {
    pulumi.runtime.setAllConfig({ 'paddock:platform': '{"environment":"eks"}', 'paddock:envFile': '.env', 'aws:region': 'us-east-1', 'aws:profile': 'ops', 'kubernetes:context': 'x' }, []);
    expect(readPaddockConfig()).toEqual({ 'aws:region': 'us-east-1', 'paddock:envFile': '.env', 'paddock:platform': { environment: 'eks' } });
  });
});
