/**
 * A stack's rendered manifest tree (file name -> YAML), after the policy module has passed
 * every object. Pure: the CLI and the tests write or compare it.
 */
import type { PlatformSpec } from '../config/platform-spec.ts';
import { checkManifests, formatViolation, policyOptionsForSpec, type Violation } from '../policy/index.ts';
import { renderChartYaml } from './render.ts';
import { stackObjects, synthesizeStack } from './synthesize.ts';
import type { SynthesizedChart } from './synthesized-chart.ts';
import { compareText } from '../config/compare.ts';

/** A stack whose rendered objects break the manifest policy: one line per violation. */
export class StackPolicyError extends Error {
  constructor(
    readonly stackName: string,
    readonly violations: readonly Violation[],
  ) {
    super(violations.map((v) => `stack ${stackName}: ${formatViolation(v)}`).join('\n'));
    this.name = 'StackPolicyError';
  }
}

export interface StackOutput {
  readonly stack: string;
  readonly charts: readonly SynthesizedChart[];
  /** file name -> content, sorted by file name */
  readonly files: ReadonlyMap<string, string>;
}

export function buildStackOutput(spec: PlatformSpec): StackOutput {
  const charts = synthesizeStack(spec);
  const violations = checkManifests(stackObjects(charts), policyOptionsForSpec(spec));
  if (violations.length > 0) throw new StackPolicyError(spec.stack, violations);
  const files = new Map([...charts].sort((a, b) => compareText(a.file, b.file)).map((c) => [c.file, renderChartYaml(c, spec.stack)] as const));
  return { stack: spec.stack, charts, files };
}
