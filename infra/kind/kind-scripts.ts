/**
 * The shell scripts the kind stack runs through @pulumi/command (kind-cluster.ts), as pure
 * strings so that tests can lint them with shellcheck and run them against fake `kind`,
 * `docker` and `curl` commands. POSIX sh; every input arrives in environment variables.
 *
 * - A cluster is reused only when Paddock created it for this stack with this very config: the
 *   marker is a ConfigMap `paddock-kind-cluster` in kube-system (stack, kind config sha256),
 *   written right after `kind create cluster`, read through the control-plane container's own
 *   kubectl (no kubectl needed on the host). A cluster without the marker, or with another
 *   stack's or config's, is refused with what to do.
 * - `pulumi destroy` deletes a cluster only when its marker names this stack.
 * - An image is (re)loaded into a node only when the node's copy has another image ID than the
 *   local one (image IDs are content digests: a rebuilt image under the same tag is reloaded,
 *   an unchanged one is not); images not built locally are pulled once into the local Docker
 *   store, so re-creating the cluster never pulls them from their registry again.
 * - Calico's manifest is downloaded from its pinned URL and printed only when its sha256 is the
 *   pinned one.
 */

/** kube-system ConfigMap that marks a kind cluster as Paddock's. */
export const KIND_MARKER_CONFIG_MAP = 'paddock-kind-cluster';

const REQUIRE_TOOLS = `command -v kind >/dev/null 2>&1 || { echo "paddock: kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "paddock: Docker is not running (kind runs its nodes as Docker containers)" >&2; exit 1; }`;

const MARKER = `control_plane="\${PADDOCK_KIND_CLUSTER}-control-plane"
marker() {
  docker exec "$control_plane" kubectl --kubeconfig=/etc/kubernetes/admin.conf -n kube-system get configmap ${KIND_MARKER_CONFIG_MAP} -o "jsonpath={.data.$1}" 2>/dev/null || true
}
cluster_exists() {
  kind get clusters 2>/dev/null | grep -qx "$PADDOCK_KIND_CLUSTER"
}`;

/** env: PADDOCK_KIND_CLUSTER, PADDOCK_STACK, PADDOCK_KIND_CONFIG_SHA256; stdin: the kind config. */
export const KIND_CREATE = `set -eu
${REQUIRE_TOOLS}
${MARKER}
if cluster_exists; then
  stack=$(marker stack)
  config_sha256=$(marker configSha256)
  if [ -z "$stack" ]; then
    echo "paddock: a kind cluster named $PADDOCK_KIND_CLUSTER exists, but Paddock did not create it (no ConfigMap kube-system/${KIND_MARKER_CONFIG_MAP}); refusing to reuse a cluster whose configuration is unknown. Delete it yourself (kind delete cluster --name $PADDOCK_KIND_CLUSTER) or set another platform.clusterName." >&2
    exit 1
  fi
  if [ "$stack" != "$PADDOCK_STACK" ] || [ "$config_sha256" != "$PADDOCK_KIND_CONFIG_SHA256" ]; then
    echo "paddock: kind cluster $PADDOCK_KIND_CLUSTER was created by Paddock for stack $stack with kind config sha256 $config_sha256, not for stack $PADDOCK_STACK with $PADDOCK_KIND_CONFIG_SHA256; refusing to reuse it. If it is yours to replace: kind delete cluster --name $PADDOCK_KIND_CLUSTER" >&2
    exit 1
  fi
  echo "paddock: reusing kind cluster $PADDOCK_KIND_CLUSTER (created by Paddock for stack $stack with this config)" >&2
else
  kind create cluster --name "$PADDOCK_KIND_CLUSTER" --config=- >&2
  docker exec "$control_plane" kubectl --kubeconfig=/etc/kubernetes/admin.conf -n kube-system create configmap ${KIND_MARKER_CONFIG_MAP} \\
    --from-literal=stack="$PADDOCK_STACK" --from-literal=configSha256="$PADDOCK_KIND_CONFIG_SHA256" >&2
fi`;

/** env: PADDOCK_KIND_CLUSTER, PADDOCK_STACK. Deletes only a cluster Paddock created for this stack. */
export const KIND_DELETE = `set -eu
if ! command -v kind >/dev/null 2>&1; then
  echo "paddock: kind is not installed; no kind cluster deleted" >&2
  exit 0
fi
${MARKER}
if cluster_exists; then
  stack=$(marker stack)
  if [ "$stack" = "$PADDOCK_STACK" ]; then
    kind delete cluster --name "$PADDOCK_KIND_CLUSTER" >&2
  else
    echo "paddock: leaving kind cluster $PADDOCK_KIND_CLUSTER alone: Paddock did not create it for stack $PADDOCK_STACK (marker: \${stack:-none})" >&2
  fi
fi`;

export const KIND_KUBECONFIG = 'kind get kubeconfig --name "$PADDOCK_KIND_CLUSTER"';

/**
 * env: PADDOCK_KIND_CLUSTER, PADDOCK_IMAGE, PADDOCK_IMAGE_SOURCE (`local`: built on this machine;
 * `registry`: pulled once). Prints the image ID it made sure every node has.
 */
export const KIND_LOAD_IMAGE = `set -eu
${REQUIRE_TOOLS}
if ! docker image inspect "$PADDOCK_IMAGE" >/dev/null 2>&1; then
  if [ "$PADDOCK_IMAGE_SOURCE" = local ]; then
    echo "paddock: $PADDOCK_IMAGE is not in the local Docker image store: build it first (docs/deploying.md, Images)" >&2
    exit 1
  fi
  docker pull "$PADDOCK_IMAGE" >&2
fi
image_id=$(docker image inspect --format '{{.Id}}' "$PADDOCK_IMAGE")
for node in $(kind get nodes --name "$PADDOCK_KIND_CLUSTER"); do
  node_image_id=$(docker exec "$node" crictl inspecti -o go-template --template '{{.status.id}}' "$PADDOCK_IMAGE" 2>/dev/null || true)
  if [ "$node_image_id" = "$image_id" ]; then
    echo "paddock: $node already has $PADDOCK_IMAGE ($image_id)" >&2
  else
    kind load docker-image "$PADDOCK_IMAGE" --name "$PADDOCK_KIND_CLUSTER" --nodes "$node" >&2
  fi
done
echo "$image_id"`;

/** env: PADDOCK_CALICO_URL, PADDOCK_CALICO_SHA256. Prints the manifest only when it is the pinned one. */
export const CALICO_FETCH = `set -eu
command -v curl >/dev/null 2>&1 || { echo "paddock: curl is needed to download the Calico manifest" >&2; exit 1; }
manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
curl -fsSL --retry 3 "$PADDOCK_CALICO_URL" -o "$manifest"
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$manifest" | cut -d' ' -f1)
else
  actual=$(shasum -a 256 "$manifest" | cut -d' ' -f1)
fi
if [ "$actual" != "$PADDOCK_CALICO_SHA256" ]; then
  echo "paddock: $PADDOCK_CALICO_URL has sha256 $actual, not the pinned $PADDOCK_CALICO_SHA256 (infra/kind/calico.ts); refusing to apply it" >&2
  exit 1
fi
cat "$manifest"`;
