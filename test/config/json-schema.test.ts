import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JSON_SCHEMA_PATH, renderJsonSchema, stackFileJsonSchema } from '../../config/json-schema.ts';

describe('editor JSON Schema', () => {
  it('is committed and fresh (regenerate with `npm run schema`)', () => {
    expect(readFileSync(JSON_SCHEMA_PATH, 'utf8')).toBe(renderJsonSchema());
  });

  it('accepts the shipped stacks and flags a typo', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(stackFileJsonSchema());
    for (const stack of ['local', 'prod']) {
      const ok = validate(parse(readFileSync(`stacks/Pulumi.${stack}.yaml`, 'utf8')));
      expect(ok, JSON.stringify(validate.errors)).toBe(true);
    }
    const typo = parse(readFileSync('stacks/Pulumi.local.yaml', 'utf8'));
    typo.config['paddock:platform'].clustername = 'x';
    expect(validate(typo)).toBe(false);
  });
});
