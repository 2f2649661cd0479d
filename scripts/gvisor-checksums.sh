#!/usr/bin/env bash
# Prints the SHA-512 checksums of a gVisor release's runsc and containerd-shim-runsc-v1, to pin in
# a stack file under paddock:platform.eks.gvisorNodeGroup.runsc.sha512 (ADR 0016). It downloads
# both binaries from gVisor's release bucket, checks them against the .sha512 files gVisor
# publishes beside them, and prints the YAML block. Review the release notes of the version you
# pin (https://github.com/google/gvisor/releases); every node then verifies its download against
# exactly these bytes.
#
#   scripts/gvisor-checksums.sh 20251006.0 x86_64     # or aarch64 for Graviton node groups
set -euo pipefail

if [ "$#" -ne 2 ] || ! [[ "$1" =~ ^[0-9]{8}(\.[0-9]+)?$ ]] || ! [[ "$2" =~ ^(x86_64|aarch64)$ ]]; then
  echo "usage: $0 <release, e.g. 20251006.0> <x86_64|aarch64>" >&2
  exit 2
fi
release="$1"
arch="$2"
url="https://storage.googleapis.com/gvisor/releases/release/${release}/${arch}"

workdir="$(mktemp -d)"
trap 'rm -rf "${workdir}"' EXIT
cd "${workdir}"
for binary in runsc containerd-shim-runsc-v1; do
  curl --fail --silent --show-error --location --output "${binary}" "${url}/${binary}"
  curl --fail --silent --show-error --location --output "${binary}.sha512" "${url}/${binary}.sha512"
done
sha512sum --check --strict --quiet runsc.sha512 containerd-shim-runsc-v1.sha512 >&2

sum() { sha512sum "$1" | cut -d ' ' -f 1; }
cat <<YAML
        runsc:
          release: "${release}"
          sha512:
            runsc: $(sum runsc)
            containerdShim: $(sum containerd-shim-runsc-v1)
YAML
