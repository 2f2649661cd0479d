import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, without, workload } from '../fixtures/stack.ts';

const RULE = 'namespace-exists';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags every pod-running object in a namespace the stack does not define', () => {
    const objects = without(base, 'Namespace', 'team-beta');
    expect(where(violationsOf(RULE, objects))).toEqual([
      { rule: RULE, object: 'SandboxTemplate team-beta/claude-code', path: 'metadata.namespace' },
      { rule: RULE, object: 'SandboxTemplate team-beta/codex', path: 'metadata.namespace' },
      { rule: RULE, object: 'SandboxWarmPool team-beta/claude-code', path: 'metadata.namespace' },
      { rule: RULE, object: 'SandboxWarmPool team-beta/codex', path: 'metadata.namespace' },
    ]);
  });

  it('flags a workload rendered into a namespace nobody defines, such as default', () => {
    const objects = [...base, workload('Deployment', 'default', 'stray')];
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Deployment default/stray', path: 'metadata.namespace' }]);
    expect(found[0]!.message).toContain('namespace "default", which the stack does not define');
  });
});
