/**
 * The local Docker image ID of each image, read when the program runs (I/O edge): a load into
 * kind re-runs when an image was rebuilt under the same tag. Images Docker does not have, or no
 * Docker at all (offline plans, CI without it), are simply absent: their load then runs on a tag
 * change or a new cluster only, and its script still compares IDs node by node.
 */
import { execFileSync } from 'node:child_process';

export function localImageIds(images: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const image of images) {
    try {
      const id = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
      if (/^sha256:[0-9a-f]{64}$/.test(id)) ids.set(image, id);
    } catch {
      // not present, or no Docker: see above
    }
  }
  return ids;
}
