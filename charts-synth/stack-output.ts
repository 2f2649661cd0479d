/**
 * A stack's rendered manifest tree (file name -> YAML), after the policy module has passed
 * every object. Pure: the CLI and the tests write or compare it.
 */
import type { PlatformSpec } from '../config/platform-spec.ts';
import { checkManifests, type Violation } from '../policy/index.ts';
import { renderChartYaml } from './render.ts';
import { stackObjects, synthesizeStack } from './synthesize.ts';
import type { SynthesizedChart } from './synthesized-chart.ts';

export class PolicyViolationError extends Error {
  constructor(
    readonly stackName: string,
    readonly violations: readonly Violation[],
  ) {
    super(violations.map((v) => `stack ${stackName}: ${v.object}: [${v.rule}] ${v.path ? `${v.path}: ` : ''}${v.message}`).join('\n'));
    this.name = 'PolicyViolationError';
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
  const violations = checkManifests(stackObjects(charts));
  if (violations.length > 0) throw new PolicyViolationError(spec.stack, violations);
  const files = new Map([...charts].sort((a, b) => a.file.localeCompare(b.file)).map((c) => [c.file, renderChartYaml(c, spec.stack)] as const));
  return { stack: spec.stack, charts, files };
}
