#!/usr/bin/env bash
# Smoke test of the kind stack, end to end (`npm run e2e:kind`; needs Docker, see docs/deploying.md):
# pulumi up -s local, wait for the runtime, open a session with the scripted harness through a
# port-forward, send a message, read its events until the turn's `done`, then pulumi destroy.
#
# The images the stack loads into kind must be built first (docs/deploying.md, "Images (kind)");
# each one neither in the local store nor pullable is named, with its build command, up front.
# Destroy always runs on exit, success or failure, unless KEEP=1; a stack the script created is
# removed too, and stacks/Pulumi.local.yaml is put back as it was (stack init and placeholder
# team secrets write to it). It refuses to start on a stack or kind cluster that already exists,
# since it would destroy them at the end; E2E_USE_EXISTING_STACK=1 allows an existing stack.
#
# Settings (environment): KEEP=1, E2E_TEAM (platform), E2E_PORT (18080), and timeouts in
# seconds: E2E_UP_TIMEOUT (1800), E2E_READY_TIMEOUT (300), E2E_TURN_TIMEOUT (300),
# E2E_DESTROY_TIMEOUT (900).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly STACK=local
readonly STACK_FILE="stacks/Pulumi.${STACK}.yaml"
readonly TEAM="${E2E_TEAM:-platform}"
readonly PORT="${E2E_PORT:-18080}"
readonly UP_TIMEOUT="${E2E_UP_TIMEOUT:-1800}"
readonly READY_TIMEOUT="${E2E_READY_TIMEOUT:-300}"
readonly TURN_TIMEOUT="${E2E_TURN_TIMEOUT:-300}"
readonly DESTROY_TIMEOUT="${E2E_DESTROY_TIMEOUT:-900}"
readonly KEEP="${KEEP:-0}"
readonly API="http://127.0.0.1:${PORT}"
readonly MESSAGE="hello from e2e-kind"

log() { printf 'e2e-kind: %s\n' "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}
helper() { node --import tsx scripts/e2e-kind/helper.ts "$@"; }

# --- prerequisites, all reported at once ---------------------------------------------------
missing=0
require() {
  if ! command -v "$1" >/dev/null 2>&1; then
    log "missing prerequisite: $1 ($2)"
    missing=1
  fi
}
require node "Node.js >= 20.11, then npm ci"
require pulumi "Pulumi CLI 3.x: https://www.pulumi.com/docs/install/"
require kind "kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
require kubectl "kubectl: https://kubernetes.io/docs/tasks/tools/"
require curl "curl"
require docker "Docker, running: kind runs its nodes as containers"
require timeout "GNU coreutils timeout"
[[ $missing == 0 ]] || fail "install the missing prerequisites above"
docker info >/dev/null 2>&1 || fail "Docker is not running (docker info failed); kind needs it"
pulumi whoami --non-interactive >/dev/null 2>&1 || fail "not logged in to a Pulumi backend: run pulumi login (or pulumi login --local, with PULUMI_CONFIG_PASSPHRASE set)"

work="$(mktemp -d)"
created_stack=0
attempted_up=0
port_forward_pid=""
context=""
cp "$STACK_FILE" "$work/stack-file.yaml"

# what a failed run needs to be understood, printed before the cluster is destroyed
diagnose() {
  [[ -n "$context" ]] || return 0
  log "cluster state (context $context):"
  kubectl --kubeconfig "$work/kubeconfig" --context "$context" --request-timeout=20s get pods -A -o wide >&2
  kubectl --kubeconfig "$work/kubeconfig" --context "$context" --request-timeout=20s -n paddock-system logs deployment/paddock-runtime --tail=100 >&2
}

cleanup() {
  local status=$?
  set +e
  [[ -n "$port_forward_pid" ]] && kill "$port_forward_pid" 2>/dev/null && wait "$port_forward_pid" 2>/dev/null
  [[ $status == 0 ]] || diagnose
  if [[ $KEEP == 1 ]]; then
    log "KEEP=1: stack $STACK and its cluster are left up; remove them with: pulumi destroy -s $STACK"
  else
    local destroyed=1
    if [[ $attempted_up == 1 ]]; then
      log "pulumi destroy -s $STACK"
      if ! timeout "$DESTROY_TIMEOUT" pulumi destroy -s "$STACK" --yes --skip-preview --non-interactive; then
        log "pulumi destroy failed: the stack and its kind cluster may be left; run pulumi destroy -s $STACK again"
        destroyed=0
        status=1
      fi
    fi
    if [[ $destroyed == 1 ]]; then
      if [[ $created_stack == 1 ]]; then
        pulumi stack rm "$STACK" --yes --preserve-config --non-interactive >/dev/null || log "pulumi stack rm $STACK failed"
      fi
      cmp -s "$work/stack-file.yaml" "$STACK_FILE" || cp "$work/stack-file.yaml" "$STACK_FILE"
    else
      # the stack still holds resources: its encryption salt (in the stack file) is needed to destroy it
      log "$STACK_FILE keeps the stack's encryption salt until pulumi destroy -s $STACK succeeds; then restore it from git"
    fi
  fi
  rm -rf "$work"
  if [[ $status == 0 ]]; then log "passed"; else log "failed (exit $status)"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the stack: never one the script would destroy by surprise -----------------------------
cluster="$(helper cluster-name "$STACK")" || fail "$STACK_FILE does not validate (see above)"

# kind supports a node image with the release that published it, others best effort
want_kind="$(helper kind-release "$STACK")" || fail "cannot read the kind release of stack $STACK (see above)"
have_kind="$(kind version 2>/dev/null || true)" # "kind v0.31.0 go1.25 linux/amd64"
have_kind="${have_kind#kind }"
have_kind="${have_kind%% *}"
if [[ -n "$want_kind" && "$have_kind" != "$want_kind" ]]; then
  log "warning: kind ${have_kind:-(unknown version)} is installed; the stack's node image was published with kind $want_kind"
fi

# the images kind loads must be here (or pullable) before anything is created
images="$(helper images "$STACK")" || fail "cannot list the images of stack $STACK (see above)"
missing_images=0
while read -r image dockerfile; do
  docker image inspect "$image" >/dev/null 2>&1 && continue
  if timeout 300 docker pull --quiet "$image" >/dev/null 2>&1; then continue; fi
  log "missing image $image: build it with docker build -t $image -f $dockerfile ."
  missing_images=1
done <<<"$images"
[[ $missing_images == 0 ]] || fail "build the images above first (docs/deploying.md, Images (kind))"

if pulumi stack ls --json --non-interactive | helper stack-exists "$STACK"; then
  [[ ${E2E_USE_EXISTING_STACK:-0} == 1 ]] || fail "stack $STACK exists, and this test destroys its stack at the end; set E2E_USE_EXISTING_STACK=1 to use it (destroyed at the end unless KEEP=1)"
else
  clusters="$(kind get clusters 2>/dev/null || true)"
  if grep -qx "$cluster" <<<"$clusters"; then
    fail "kind cluster $cluster exists but stack $STACK does not: this test would take the cluster over and delete it at the end; delete it first (kind delete cluster --name $cluster)"
  fi
  log "pulumi stack init $STACK"
  pulumi stack init "$STACK" --non-interactive
  created_stack=1
fi

# declared team secrets without a value get a placeholder: the scripted harness needs no model
while IFS= read -r secret; do
  [[ -n "$secret" ]] || continue
  log "placeholder value for $secret"
  pulumi config set -s "$STACK" --secret --path "$secret" "e2e-kind-placeholder" --non-interactive
done < <(helper missing-secrets "$STACK")

# --- up, and wait for the runtime ------------------------------------------------------------
attempted_up=1
log "pulumi up -s $STACK (at most ${UP_TIMEOUT}s)"
timeout "$UP_TIMEOUT" pulumi up -s "$STACK" --yes --skip-preview --non-interactive || fail "pulumi up -s $STACK failed or timed out"

# the stack's own kubeconfig, whatever ~/.kube/config or $KUBECONFIG hold
(umask 077 && pulumi stack output -s "$STACK" --show-secrets kubeconfig --non-interactive >"$work/kubeconfig")
context="$(pulumi stack output -s "$STACK" kubeContext --non-interactive)"
token="$(pulumi stack output -s "$STACK" --show-secrets "teamApiToken-${TEAM}" --non-interactive)"
[[ -n "$token" ]] || fail "stack output teamApiToken-${TEAM} is empty"
# the token goes to curl in a header file, never on a command line
(umask 077 && printf 'authorization: Bearer %s\n' "$token" >"$work/auth-header")

kubectl --kubeconfig "$work/kubeconfig" --context "$context" -n paddock-system rollout status deployment/paddock-runtime --timeout="${READY_TIMEOUT}s" ||
  fail "the runtime Deployment did not become ready in ${READY_TIMEOUT}s"

kubectl --kubeconfig "$work/kubeconfig" --context "$context" -n paddock-system port-forward svc/paddock-runtime "${PORT}:8080" >"$work/port-forward.log" 2>&1 &
port_forward_pid=$!
deadline=$((SECONDS + READY_TIMEOUT))
until curl -fsS --max-time 5 "$API/readyz" >/dev/null 2>&1; do
  kill -0 "$port_forward_pid" 2>/dev/null || fail "kubectl port-forward exited: $(cat "$work/port-forward.log")"
  ((SECONDS < deadline)) || fail "$API/readyz did not answer 200 in ${READY_TIMEOUT}s"
  sleep 2
done
log "runtime ready at $API (port-forward)"

# --- a session with the scripted harness ---------------------------------------------------
api() { curl -sS --fail-with-body --max-time 30 -H "@$work/auth-header" -H 'content-type: application/json' "$@"; }

session="$(api -X POST "$API/v1/sessions" -d "{\"harness\":\"scripted\",\"title\":\"e2e-kind\"}" | helper session-id)" ||
  fail "could not open a session (team ${TEAM}, harness scripted)"
log "session $session"
turn="$(api -X POST "$API/v1/sessions/$session/messages" -d "{\"text\":\"${MESSAGE}\"}" | helper turn-number)" ||
  fail "could not send a message to session $session"

deadline=$((SECONDS + TURN_TIMEOUT))
while :; do
  verdict=0
  reply="$(api "$API/v1/sessions/$session/events?limit=1000" | helper turn-verdict "$turn" "I heard: ${MESSAGE}")" || verdict=$?
  [[ $verdict == 0 ]] && break
  [[ $verdict == 3 ]] || fail "turn $turn of session $session did not end as expected (see above)"
  ((SECONDS < deadline)) || fail "turn $turn of session $session had no done event after ${TURN_TIMEOUT}s"
  sleep 2
done
log "turn $turn done: $reply"
api -X DELETE "$API/v1/sessions/$session" >/dev/null || fail "could not end session $session"
