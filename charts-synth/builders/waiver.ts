/**
 * A policy rule waived for one object, as an annotation map to put in its metadata: the
 * reason is rendered with the object (`policy.paddock.dev/waive.<rule>`), and an unknown rule
 * or a thin reason fails synthesis here rather than in review.
 */
import { waiverAnnotation as waiverKey, waiverProblem } from '../../policy/waivers.ts';

export function waiverAnnotation(rule: string, reason: string): Record<string, string> {
  const problem = waiverProblem(rule, reason);
  if (problem) throw new Error(`waiver for ${rule}: ${problem.message}`);
  return { [waiverKey(rule)]: reason };
}
