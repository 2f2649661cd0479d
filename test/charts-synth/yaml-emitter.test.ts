import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { toYaml } from '../../charts-synth/yaml-emitter.ts';
import { synthesizeStack, stackObjects } from '../../charts-synth/synthesize.ts';
import { SHIPPED_STACKS, shippedSpec } from '../support/fixtures.ts';

const tricky = {
  plain: 'registry.k8s.io/agent-sandbox/agent-sandbox-controller:v0.5.6',
  keywords: ['yes', 'No', 'on', 'OFF', 'true', 'null', '~', 'y'],
  numbers: ['1', '0.5', '1e3', '0x1F', '10:30', '-1', '.inf', '007'],
  quoting: ['', ' lead', 'trail ', 'a: b', 'a #b', '#c', '- d', '*e', '&f', '!g', '%h', '@i', '`j', '"k"', "'l'", '{m}', '[n]', '|o', '>p', 'q:'],
  multiline: ['one\ntwo\n', 'no newline\nat end', 'two\n\n', ' indented\nfirst', 'tab\tin\nit\n', 'trailing space \nx\n'],
  nested: { emptyList: [], emptyMap: {}, list: [{ a: 1, b: [true, false, null] }, [1, [2]], 'x'], 'key with: colon': 'v', 'app.kubernetes.io/name': 'paddock' },
  unicode: 'café ☕',
};

describe('yaml emitter', () => {
  it('round-trips tricky values through a YAML 1.2 reader', () => {
    expect(parse(toYaml(tricky))).toEqual(tricky);
  });

  it('keeps YAML 1.1 readers from resolving keywords or numbers', () => {
    const text = toYaml(tricky);
    for (const word of ['yes', 'No', 'on', 'OFF', 'y', '10:30', '0x1F']) expect(text).toContain(`"${word}"`);
    expect(parse(text, { version: '1.1' })).toEqual(tricky);
  });

  it('round-trips every rendered object of the shipped stacks', () => {
    for (const stack of SHIPPED_STACKS) {
      const objects = stackObjects(synthesizeStack(shippedSpec(stack)));
      const text = objects.map((o) => `---\n${toYaml(o)}`).join('');
      expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual(objects);
    }
  });

  it('writes multi-line strings as literal blocks', () => {
    expect(toYaml({ data: { 'config.json': '{\n  "a": 1\n}\n' } })).toBe('data:\n  config.json: |\n    {\n      "a": 1\n    }\n');
  });
});
