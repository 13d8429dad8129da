#!/usr/bin/env bash
# Regenerates code and manifests and fails if that changed any generated file. It compares the
# files before and after, so it works in a tree with uncommitted edits too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

generated() {
  {
    find api config/crd config/rbac -type f \( -name 'zz_generated*.go' -o -name '*.yaml' \)
    # The API server's ClusterRole, beside the hand-written manifests of config/apiserver.
    find config/apiserver -type f -name role.yaml
    # The Helm chart's copies of the CRD and the RBAC rules (make manifests).
    find charts/raykube-operator/crds charts/raykube-operator/files -type f -name '*.yaml'
    # The API server's protobuf code and OpenAPI document (make generate-proto).
    find internal/apiserver/gen -type f -name '*.go'
    find internal/apiserver/openapi -type f -name '*.swagger.json'
  } | sort
}

before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
generated | while read -r f; do mkdir -p "$before/$(dirname "$f")"; cp "$f" "$before/$f"; done

make --no-print-directory generate manifests >/dev/null

after=$(mktemp -d)
trap 'rm -rf "$before" "$after"' EXIT
generated | while read -r f; do mkdir -p "$after/$(dirname "$f")"; cp "$f" "$after/$f"; done

if ! diff -r "$before" "$after" >/dev/null; then
  echo "verify: generated files were out of date and have been regenerated:"
  diff -rq "$before" "$after" | sed "s#$before/##; s#$after/##"
  echo "verify: review and commit them ('make generate manifests')."
  exit 1
fi
echo "verify: generated code and manifests are up to date"
