/**
 * A kind cluster managed through @pulumi/command, with Calico as its CNI and every image the
 * stack runs loaded into its nodes. The scripts are in kind-scripts.ts (linted and exercised by
 * tests); this component wires them:
 *
 * - create reuses an existing cluster only when Paddock created it for this stack with this
 *   config (a marker ConfigMap), and refuses any other;
 * - destroy deletes the cluster only when Paddock created it for this stack;
 * - a change of the kind config (node image, workers, ranges) replaces it, deleting the old
 *   cluster first (deleteBeforeReplace: both share one name);
 * - the kubeconfig is read with `kind get kubeconfig`, kept out of the logs and secret in state;
 * - Calico's manifest is applied only when its sha256 is the pinned one;
 * - an image is reloaded when its local image ID changes (read from Docker when the program
 *   runs: a rebuilt image under the same tag is loaded again), not only when its tag does.
 */
import { createHash } from 'node:crypto';
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { SynthesizedChart } from '../../charts-synth/synthesized-chart.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { CALICO } from './calico.ts';
import { imageResourceName, kindStackImages } from './images.ts';
import { kindClusterConfigYaml, kindContext } from './kind-config.ts';
import { CALICO_FETCH, KIND_CREATE, KIND_DELETE, KIND_KUBECONFIG, KIND_LOAD_IMAGE } from './kind-scripts.ts';

export { KIND_CREATE, KIND_DELETE, KIND_KUBECONFIG, KIND_LOAD_IMAGE } from './kind-scripts.ts';

export interface KindClusterArgs {
  readonly spec: PlatformSpec;
  /** the stack's charts: every image their workloads run is loaded into the nodes */
  readonly charts: readonly SynthesizedChart[];
  /** image -> its local Docker image ID, when the program could read it (infra/kind/local-images.ts) */
  readonly localImageIds?: ReadonlyMap<string, string>;
}

export class KindCluster extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly context: string;
  /** what workloads wait for: the CNI and the images */
  readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: KindClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:kind:Cluster', name, {}, opts);
    const clusterName = args.spec.platform.clusterName;
    const config = kindClusterConfigYaml(args.spec);
    const configSha256 = createHash('sha256').update(config).digest('hex');
    const environment = { PADDOCK_KIND_CLUSTER: clusterName };

    const cluster = new command.local.Command(
      'kind-cluster',
      { create: KIND_CREATE, delete: KIND_DELETE, stdin: config, environment: { ...environment, PADDOCK_STACK: args.spec.stack, PADDOCK_KIND_CONFIG_SHA256: configSha256 }, triggers: [config] },
      { parent: this, deleteBeforeReplace: true },
    );

    const kubeconfigCommand = new command.local.Command(
      'kubeconfig',
      { create: KIND_KUBECONFIG, environment, logging: 'stderr', triggers: [cluster.id] },
      { parent: this, dependsOn: [cluster], additionalSecretOutputs: ['stdout'] },
    );
    this.kubeconfig = pulumi.secret(kubeconfigCommand.stdout);
    this.context = kindContext(clusterName);

    // deleteUnreachable: a kind cluster deleted outside Pulumi (or Docker reset) must not wedge the stack
    this.provider = new k8s.Provider('kind', { kubeconfig: this.kubeconfig, enableServerSideApply: true, deleteUnreachable: true }, { parent: this });

    const images = kindStackImages(args.spec, args.charts, CALICO.images).map(
      ({ image, source }) =>
        new command.local.Command(
          `load-${imageResourceName(image)}`,
          { create: KIND_LOAD_IMAGE, environment: { ...environment, PADDOCK_IMAGE: image, PADDOCK_IMAGE_SOURCE: source }, triggers: [image, args.localImageIds?.get(image) ?? 'image-id-unknown', cluster.id] },
          { parent: this, dependsOn: [cluster] },
        ),
    );

    const calicoManifest = new command.local.Command(
      `calico-manifest-${CALICO.version}`,
      { create: CALICO_FETCH, environment: { PADDOCK_CALICO_URL: CALICO.manifestUrl, PADDOCK_CALICO_SHA256: CALICO.sha256 }, logging: 'stderr', triggers: [CALICO.manifestUrl, CALICO.sha256] },
      { parent: this },
    );
    // after the images: Calico's own pods then start from the loaded copies
    const calico = new k8s.yaml.v2.ConfigGroup(`calico-${CALICO.version}`, { yaml: calicoManifest.stdout }, { parent: this, provider: this.provider, dependsOn: [kubeconfigCommand, ...images] });

    this.ready = [calico, ...images];
    this.registerOutputs({ clusterName, context: this.context, kubeconfig: this.kubeconfig, calico: CALICO.version, images: kindStackImages(args.spec, args.charts, CALICO.images).map((i) => i.image) });
  }
}
