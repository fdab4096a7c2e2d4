#!/usr/bin/env bash
# Fetch the official SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5.json) from the npm package
# @microsoft/jest-sarif, which ships it, into a cache; print its path.
set -euo pipefail
cache="${PLIMSOLL_CACHE:-$HOME/.cache/plimsoll}/sarif"
schema="$cache/sarif-2.1.0-rtm.5.json"
if [ ! -s "$schema" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null && tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz)
  cp "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$schema"
  rm -rf "$tmp"
fi
echo "$schema"
