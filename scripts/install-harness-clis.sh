#!/usr/bin/env bash
# Installs the pinned agent CLIs the harness adapters drive (harnesses/<name>/package.json +
# package-lock.json: @anthropic-ai/claude-code, @openai/codex) into harnesses/<name>/node_modules,
# where the adapters and the conformance tests find them. Kept out of the root `npm ci` because
# the CLIs are large native binaries (~400 MB each) that most work does not need.
#
#   scripts/install-harness-clis.sh            # every harness that pins a CLI
#   scripts/install-harness-clis.sh codex      # just one
#
# Idempotent: a harness whose lockfile is unchanged since its last install is skipped. A harness
# whose package.json has no runtime dependencies (scripted: only its image's bundler) pins no CLI
# and is left out of the default list.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "$#" -gt 0 ]; then
  harnesses=("$@")
else
  harnesses=()
  for lock in harnesses/*/package-lock.json; do
    dir="$(dirname "$lock")"
    if node -e 'process.exit(Object.keys(require(process.argv[1]).dependencies ?? {}).length > 0 ? 0 : 1)' "$root/$dir/package.json"; then
      harnesses+=("$(basename "$dir")")
    fi
  done
fi

for name in "${harnesses[@]}"; do
  dir="harnesses/$name"
  if [ ! -f "$dir/package-lock.json" ]; then
    echo "install-harness-clis: $dir/package-lock.json not found (is \"$name\" a harness that pins a CLI?)" >&2
    exit 2
  fi
  stamp="$dir/node_modules/.paddock-lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "install-harness-clis: $name is up to date"
    continue
  fi
  echo "install-harness-clis: installing the pinned CLI of $name (npm ci --omit=dev)"
  started=$SECONDS
  # --omit=dev: the bundler (esbuild, zod) is only needed inside the image build
  npm ci --prefix "$dir" --omit=dev --no-audit --no-fund --loglevel=error
  if [ ! -d "$dir/node_modules" ]; then
    echo "install-harness-clis: npm ci installed nothing into $dir/node_modules ($dir/package.json has no runtime dependency: is \"$name\" a harness that pins a CLI?)" >&2
    exit 2
  fi
  echo "$want" > "$stamp"
  for bin in "$dir"/node_modules/.bin/*; do
    [ -e "$bin" ] || continue
    echo "install-harness-clis: $name: $(basename "$bin") $("$bin" --version 2>/dev/null | head -1) ($((SECONDS - started)) s)"
  done
done
