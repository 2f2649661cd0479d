/**
 * A kind cluster managed through @pulumi/command, with Calico as its CNI and the locally built
 * images loaded into its nodes.
 *
 * - create is idempotent: an existing cluster of the same name is reused (`kind get clusters`);
 * - destroy deletes it (`kind delete cluster`);
 * - a change of the kind config (node image, workers, ranges) replaces it, deleting the old
 *   cluster first (deleteBeforeReplace: both share one name);
 * - the kubeconfig is read with `kind get kubeconfig`, kept out of the logs and secret in state.
 */
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { CALICO_MANIFEST_URL, CALICO_VERSION } from './calico.ts';
import { imageResourceName, locallyBuiltImages } from './images.ts';
import { kindClusterConfigYaml, kindContext } from './kind-config.ts';

const REQUIRE_TOOLS = `command -v kind >/dev/null 2>&1 || { echo "paddock: kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "paddock: Docker is not running (kind runs its nodes as Docker containers)" >&2; exit 1; }`;

export const KIND_CREATE = `set -eu
${REQUIRE_TOOLS}
if kind get clusters 2>/dev/null | grep -qx "$PADDOCK_KIND_CLUSTER"; then
  echo "paddock: kind cluster $PADDOCK_KIND_CLUSTER already exists; reusing it" >&2
else
  kind create cluster --name "$PADDOCK_KIND_CLUSTER" --config=-
fi`;

export const KIND_DELETE = `set -eu
if command -v kind >/dev/null 2>&1 && kind get clusters 2>/dev/null | grep -qx "$PADDOCK_KIND_CLUSTER"; then
  kind delete cluster --name "$PADDOCK_KIND_CLUSTER"
fi`;

export const KIND_KUBECONFIG = 'kind get kubeconfig --name "$PADDOCK_KIND_CLUSTER"';

export const KIND_LOAD_IMAGE = `set -eu
${REQUIRE_TOOLS}
if ! docker image inspect "$PADDOCK_IMAGE" >/dev/null 2>&1; then
  echo "paddock: $PADDOCK_IMAGE is not in the local Docker image store; trying to pull it" >&2
  docker pull "$PADDOCK_IMAGE" >&2 || { echo "paddock: build $PADDOCK_IMAGE first (docs/deploying.md, Images)" >&2; exit 1; }
fi
kind load docker-image "$PADDOCK_IMAGE" --name "$PADDOCK_KIND_CLUSTER"`;

export interface KindClusterArgs {
  readonly spec: PlatformSpec;
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
    const environment = { PADDOCK_KIND_CLUSTER: clusterName };

    const cluster = new command.local.Command(
      'kind-cluster',
      { create: KIND_CREATE, delete: KIND_DELETE, stdin: config, environment, triggers: [config] },
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

    const calico = new k8s.yaml.v2.ConfigFile(`calico-${CALICO_VERSION}`, { file: CALICO_MANIFEST_URL }, { parent: this, provider: this.provider, dependsOn: [kubeconfigCommand] });

    const images = locallyBuiltImages(args.spec).map(
      (image) =>
        new command.local.Command(
          `load-${imageResourceName(image)}`,
          { create: KIND_LOAD_IMAGE, environment: { ...environment, PADDOCK_IMAGE: image }, triggers: [image, cluster.id] },
          { parent: this, dependsOn: [cluster] },
        ),
    );

    this.ready = [calico, ...images];
    this.registerOutputs({ clusterName, context: this.context, kubeconfig: this.kubeconfig, calico: CALICO_VERSION, images: locallyBuiltImages(args.spec) });
  }
}
