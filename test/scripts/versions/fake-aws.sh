#!/usr/bin/env bash
# A stand-in for the AWS CLI: answers the three describe calls of scripts/check-versions-aws.ts
# from $FAKE_AWS_DIR (eks-cluster-versions.json, addon-<k8s>.json, rds-postgres.json) and records
# every call in $FAKE_AWS_DIR/calls.
set -euo pipefail
echo "$*" >> "$FAKE_AWS_DIR/calls"
case "$1 $2" in
  "eks describe-cluster-versions") cat "$FAKE_AWS_DIR/eks-cluster-versions.json" ;;
  "eks describe-addon-versions")
    version=""
    while [ $# -gt 0 ]; do if [ "$1" = "--kubernetes-version" ]; then version="$2"; fi; shift; done
    if [ -f "$FAKE_AWS_DIR/addon-$version.json" ]; then cat "$FAKE_AWS_DIR/addon-$version.json"; else echo '{"addons": []}'; fi ;;
  "rds describe-db-engine-versions") cat "$FAKE_AWS_DIR/rds-postgres.json" ;;
  *) echo "fake aws: unexpected call: $*" >&2; exit 254 ;;
esac
