/**
 * The editor JSON Schema for stack files, derived from the zod schema (never hand-written):
 * `paddock schema` writes it to schema/paddock-stack.schema.json and a test keeps it fresh.
 */
import { z } from 'zod';
import { paddockConfigSchema } from './schema.ts';

export const JSON_SCHEMA_PATH = 'schema/paddock-stack.schema.json';

export function stackFileJsonSchema(): Record<string, unknown> {
  const paddock = z.toJSONSchema(paddockConfigSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema: _ignored, ...paddockBody } = paddock;
  const properties = (paddockBody.properties ?? {}) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://paddock.dev/schema/paddock-stack.schema.json',
    title: 'Paddock stack file (stacks/Pulumi.<stack>.yaml)',
    description: 'Pulumi stack configuration; keys under the paddock: namespace are validated by Paddock. Generated from config/schema.ts: do not edit.',
    type: 'object',
    properties: {
      config: {
        type: 'object',
        properties,
        required: paddockBody.required ?? [],
        // other namespaces (aws:, kubernetes:, ...) belong to their providers
        patternProperties: { '^(?!paddock:)[A-Za-z0-9_-]+:': {} },
        additionalProperties: false,
      },
      encryptionsalt: { type: 'string' },
      secretsprovider: { type: 'string' },
      encryptedkey: { type: 'string' },
      environment: {},
    },
    additionalProperties: false,
  };
}

export function renderJsonSchema(): string {
  return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}
