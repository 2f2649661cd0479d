/**
 * Images built on the developer's machine that the kind nodes cannot pull: the runtime and
 * every harness a team of the stack uses. Pure: the list, sorted and without duplicates.
 */
import type { PlatformSpec } from '../../config/platform-spec.ts';

export function locallyBuiltImages(spec: PlatformSpec): string[] {
  const images = new Set<string>([spec.platform.runtime.image]);
  for (const team of spec.teams) for (const harness of team.harnesses) images.add(harness.definition.image);
  return [...images].sort();
}

/** "ghcr.io/paddock-dev/harness-codex:0.1.0" -> "ghcr.io-paddock-dev-harness-codex-0.1.0": unique per image. */
export function imageResourceName(image: string): string {
  return image.replace(/@sha256:([a-f0-9]{12})[a-f0-9]*$/, '@$1').replace(/[^A-Za-z0-9._-]+/g, '-');
}
