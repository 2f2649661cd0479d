/**
 * A policy rule waived for one object, with the reason in the rendered output
 * (`policy.paddock.dev/waive.<rule>` annotation), as the manifest checks require.
 */
export const WAIVER_ANNOTATION_PREFIX = 'policy.paddock.dev/waive.';

export function waiverAnnotation(rule: string, reason: string): Record<string, string> {
  return { [`${WAIVER_ANNOTATION_PREFIX}${rule}`]: reason };
}
