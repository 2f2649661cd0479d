import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';
import { unpinnedReason } from '../workload/image-reference.ts';

export const imagePinned = podRule(
  { id: 'image-pinned', description: 'Every image is pinned to a version tag or a sha256 digest: never ":latest", never untagged, never a moving name like "stable".' },
  function* (site) {
    for (const container of containersOf(site)) {
      const image = container.container.image;
      const reason = unpinnedReason(image);
      if (!reason) continue;
      yield {
        path: `${container.path}.image`,
        message: `${containerName(container)} image ${image ? `"${image}" ` : ''}${reason}; pin a version tag (e.g. ":1.4.2") or a digest ("@sha256:…")`,
      };
    }
  },
);
