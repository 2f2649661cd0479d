import { podRule } from '../workload/pod-rule.ts';
import { listOf } from '../workload/pod-sites.ts';

/** Volume sources Pod Security "restricted" admits. */
export const RESTRICTED_VOLUME_SOURCES: readonly string[] = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

export const restrictedVolumeTypes = podRule(
  {
    id: 'restricted-volume-types',
    description: `Volumes use only the sources Pod Security "restricted" admits (${RESTRICTED_VOLUME_SOURCES.join(', ')}): never hostPath.`,
  },
  function* (site) {
    for (const [index, volume] of listOf(site.spec.volumes).entries()) {
      const sources = Object.keys(volume).filter((k) => k !== 'name');
      const forbidden = sources.filter((s) => !RESTRICTED_VOLUME_SOURCES.includes(s));
      if (forbidden.length === 0) continue;
      const path = `${site.specPath}.volumes[${index}]`;
      yield {
        path: `${path}.${forbidden[0]}`,
        message: forbidden.includes('hostPath')
          ? `volume "${volume.name}" mounts the node's filesystem (hostPath); use an emptyDir, a PVC, a ConfigMap or a Secret`
          : `volume "${volume.name}" uses ${forbidden.join(', ')}, which Pod Security "restricted" rejects; use one of ${RESTRICTED_VOLUME_SOURCES.join(', ')}`,
      };
    }
  },
);
