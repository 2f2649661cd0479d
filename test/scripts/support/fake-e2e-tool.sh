#!/usr/bin/env bash
# Stands in for pulumi, kind, kubectl, curl and docker in test/scripts/e2e-kind.test.ts: records
# each call ("<tool> <args>") in $FAKE_LOG and answers as the real tool would. $FAKE_SCENARIO
# (space-separated words) picks the failures: up-fails, up-hangs, turn-error, existing-stack,
# orphan-cluster, docker-down, no-codex-image (neither in the local store nor pullable),
# destroy-fails.
set -euo pipefail
tool="$(basename "$0")"
printf '%s %s\n' "$tool" "$*" >>"$FAKE_LOG"
scenario=" ${FAKE_SCENARIO:-} "
has() { [[ $scenario == *" $1 "* ]]; }

case "$tool" in
docker)
  if has docker-down; then exit 1; fi
  if [[ "$*" == *harness-codex* ]] && has no-codex-image; then exit 1; fi
  ;;
kind)
  if [[ "$*" == "get clusters" ]] && has orphan-cluster; then echo paddock-local; fi
  if [[ "$*" == "version" ]]; then echo "kind ${FAKE_KIND_VERSION:-v0.0.0} go1.25 linux/amd64"; fi
  ;;
kubectl)
  if [[ "$*" == *port-forward* ]]; then exec sleep 120; fi
  ;;
pulumi)
  case "$*" in
  whoami*) echo tester ;;
  "stack ls --json"*) if has existing-stack; then echo '[{"name":"local","current":true}]'; else echo '[]'; fi ;;
  "stack init"*) echo 'encryptionsalt: v1:fake-salt' >>stacks/Pulumi.local.yaml ;;
  "config set"*) echo "# fake: $4" >>stacks/Pulumi.local.yaml ;;
  up*)
    if has up-fails; then
      echo 'error: fake pulumi up failed' >&2
      exit 1
    fi
    if has up-hangs; then exec sleep 120; fi
    ;;
  destroy*) if has destroy-fails; then exit 1; fi ;;
  "stack output"*kubeContext*) echo kind-paddock-local ;;
  "stack output"*" kubeconfig "*) printf 'apiVersion: v1\nkind: Config\ncurrent-context: kind-paddock-local\n' ;;
  "stack output"*teamApiToken-platform*) echo "$FAKE_TOKEN" ;;
  "stack output"*) exit 1 ;;
  esac
  ;;
curl)
  url="" method=GET header=""
  while (($#)); do
    case "$1" in
    -X) method="$2"; shift ;;
    -H) [[ "$2" == @* ]] && header="${2#@}"; shift ;;
    -d | --max-time) shift ;;
    http*) url="$1" ;;
    esac
    shift
  done
  if [[ "$url" != */readyz ]]; then
    # the token travels in a header file only
    if [[ -z "$header" ]] || ! grep -qx "authorization: Bearer $FAKE_TOKEN" "$header"; then
      echo '{"error":{"code":"unauthorized","message":"no token"}}'
      exit 22
    fi
  fi
  case "$method $url" in
  "GET "*/readyz) echo ok ;;
  "POST "*/v1/sessions) echo '{"session":{"id":"sess-1","state":"active"}}' ;;
  "POST "*/messages) echo '{"turn":{"number":1,"state":"running"}}' ;;
  "GET "*/events*)
    count=$(($(cat "$FAKE_LOG.events" 2>/dev/null || echo 0) + 1))
    echo "$count" >"$FAKE_LOG.events"
    events='{"seq":1,"turn":1,"type":"user_message","text":"hello from e2e-kind"}'
    if ((count >= 2)); then
      if has turn-error; then
        events+=',{"seq":2,"turn":1,"type":"error","code":"harness_unavailable","message":"no sandbox"},{"seq":3,"turn":1,"type":"done","stopReason":"error"}'
      else
        events+=',{"seq":2,"turn":1,"type":"text_delta","text":"I heard: hello from e2e-kind "},{"seq":3,"turn":1,"type":"text_delta","text":"(turn 1, 0 history messages)"},{"seq":4,"turn":1,"type":"done","stopReason":"end_turn"}'
      fi
    fi
    echo "{\"events\":[$events],\"nextAfter\":0,\"hasMore\":false}"
    ;;
  "DELETE "*) echo '{"session":{"id":"sess-1","state":"ended"}}' ;;
  *) exit 22 ;;
  esac
  ;;
esac
