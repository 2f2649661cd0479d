/**
 * Waivers: a rule may be waived for one object, in code, with a reason that is rendered with
 * the object as the annotation `policy.paddock.dev/waive.<rule-id>: <reason>`, so a reviewer
 * sees every exception in the manifest diff. Waivers are themselves checked: a short reason,
 * an unknown rule or a waiver nothing needs is a violation.
 */
import type { KubeObject } from '../charts-synth/kube-object.ts';
import { RULES } from './rules/index.ts';
import type { ObjectRef, PolicyRuleInfo } from './types.ts';

export const WAIVER_ANNOTATION_PREFIX = 'policy.paddock.dev/waive.';
export const MIN_WAIVER_REASON_LENGTH = 10;

export const WAIVER_RULES = {
  reason: { id: 'waiver-reason', description: `Every waiver annotation gives a reason of at least ${MIN_WAIVER_REASON_LENGTH} characters.` },
  unknownRule: { id: 'waiver-unknown-rule', description: 'Every waiver annotation names a rule that exists and may be waived (waiver rules cannot be).' },
  unused: { id: 'waiver-unused', description: 'Every waiver suppresses a violation on its object; a stale waiver is removed rather than left to hide a future one.' },
} as const satisfies Record<string, PolicyRuleInfo>;

const WAIVABLE = new Set(RULES.map((r) => r.id));

export function waiverAnnotation(ruleId: string): string {
  return `${WAIVER_ANNOTATION_PREFIX}${ruleId}`;
}

/** Why a waiver is invalid, with the rule that says so; undefined when it is valid. */
export function waiverProblem(ruleId: string, reason: string): { rule: string; message: string } | undefined {
  if (!WAIVABLE.has(ruleId)) {
    const isWaiverRule = Object.values(WAIVER_RULES).some((r) => r.id === ruleId);
    return {
      rule: WAIVER_RULES.unknownRule.id,
      message: isWaiverRule ? `waiver rule "${ruleId}" cannot be waived` : `"${ruleId}" is not a policy rule (known: ${[...WAIVABLE].sort().join(', ')})`,
    };
  }
  if (reason.trim().length < MIN_WAIVER_REASON_LENGTH) {
    return { rule: WAIVER_RULES.reason.id, message: `the reason for waiving ${ruleId} (${JSON.stringify(reason)}) is shorter than ${MIN_WAIVER_REASON_LENGTH} characters; say why this object needs the exception` };
  }
  return undefined;
}

/**
 * The object with `ruleId` waived for `reason` (a new object; the input is not modified).
 * Throws on an unknown rule or a reason under 10 characters: builders learn at once.
 */
export function waive<T extends KubeObject>(object: T, ruleId: string, reason: string): T {
  const problem = waiverProblem(ruleId, reason);
  if (problem) throw new Error(`waive(${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}): ${problem.message}`);
  return { ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata.annotations ?? {}), [waiverAnnotation(ruleId)]: reason.trim() } } };
}

/** The waiver annotations on an object: rule id -> reason. */
export function waiversOf(object: ObjectRef): Map<string, string> {
  const waivers = new Map<string, string>();
  for (const [key, value] of Object.entries(object.metadata.annotations ?? {})) {
    if (key.startsWith(WAIVER_ANNOTATION_PREFIX)) waivers.set(key.slice(WAIVER_ANNOTATION_PREFIX.length), value);
  }
  return waivers;
}
