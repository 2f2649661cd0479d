/**
 * checkManifests: every rule over every object of one stack, waivers applied, violations
 * sorted. Pure and deterministic: same objects in, same violations out, whatever their order.
 */
import { describeObject, type KubeObject } from '../charts-synth/kube-object.ts';
import { PolicyContext } from './context.ts';
import { RULES } from './rules/index.ts';
import type { ObjectRef, PolicyOptions, PolicyRuleInfo, Violation } from './types.ts';
import { WAIVER_RULES, waiverAnnotation, waiverProblem, waiversOf } from './waivers.ts';

/** Every rule id with what it checks: the rules proper, then the waiver rules. */
export const POLICY_RULES: readonly PolicyRuleInfo[] = [...RULES.map(({ id, description }) => ({ id, description })), ...Object.values(WAIVER_RULES)];

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareViolations(a: Violation, b: Violation): number {
  return compare(a.object, b.object) || compare(a.rule, b.rule) || compare(a.path ?? '', b.path ?? '') || compare(a.message, b.message);
}

/** Objects the policy cannot even name are a builder bug: say which one, rather than crash later. */
function assertNameable(objects: readonly KubeObject[]): void {
  objects.forEach((object, index) => {
    const problems: string[] = [];
    if (typeof object?.apiVersion !== 'string' || object.apiVersion === '') problems.push('apiVersion');
    if (typeof object?.kind !== 'string' || object.kind === '') problems.push('kind');
    if (typeof object?.metadata?.name !== 'string' || object.metadata.name === '') problems.push('metadata.name');
    if (problems.length > 0) throw new Error(`checkManifests: object ${index} (${JSON.stringify(object)?.slice(0, 120)}) has no ${problems.join(', ')}`);
  });
}

export function checkManifests(objects: readonly KubeObject[], options: PolicyOptions = {}): Violation[] {
  assertNameable(objects);
  const context = new PolicyContext(objects, options);
  const violations: Violation[] = [];
  const used = new Map<ObjectRef, Set<string>>();
  for (const rule of RULES) {
    for (const finding of rule.check(context)) {
      const reason = finding.object.metadata.annotations?.[waiverAnnotation(rule.id)];
      if (reason !== undefined && !waiverProblem(rule.id, reason)) {
        const set = used.get(finding.object) ?? new Set<string>();
        set.add(rule.id);
        used.set(finding.object, set);
        continue;
      }
      violations.push({ rule: rule.id, object: describeObject(finding.object), ...(finding.path ? { path: finding.path } : {}), message: finding.message });
    }
  }
  for (const object of objects) {
    for (const [ruleId, reason] of waiversOf(object)) {
      const path = `metadata.annotations["${waiverAnnotation(ruleId)}"]`;
      const problem = waiverProblem(ruleId, reason);
      if (problem) violations.push({ rule: problem.rule, object: describeObject(object), path, message: problem.message });
      else if (!used.get(object)?.has(ruleId)) {
        violations.push({
          rule: WAIVER_RULES.unused.id,
          object: describeObject(object),
          path,
          message: `waives ${ruleId}, but the object does not violate it; remove the waiver`,
        });
      }
    }
  }
  // identical findings (the same problem reached twice) are reported once
  const seen = new Set<string>();
  return violations.sort(compareViolations).filter((v) => {
    const key = JSON.stringify([v.object, v.rule, v.path, v.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One line per violation: `Deployment ns/name: spec.x: message [rule-id]`. */
export function formatViolation(violation: Violation): string {
  return `${violation.object}: ${violation.path ? `${violation.path}: ` : ''}${violation.message} [${violation.rule}]`;
}

export class PolicyViolationError extends Error {
  constructor(readonly violations: readonly Violation[]) {
    super(`${violations.length} manifest policy violation${violations.length === 1 ? '' : 's'}:\n${violations.map((v) => `  ${formatViolation(v)}`).join('\n')}`);
    this.name = 'PolicyViolationError';
  }
}

/** checkManifests, throwing a PolicyViolationError that lists every violation. */
export function assertManifestPolicy(objects: readonly KubeObject[], options: PolicyOptions = {}): void {
  const violations = checkManifests(objects, options);
  if (violations.length > 0) throw new PolicyViolationError(violations);
}
