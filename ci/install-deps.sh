#!/usr/bin/env bash
# Installs the Debian packages Wrongbox builds and tests with, only those missing.
# Safe to run repeatedly; needs root (or sudo) on a Debian 12 machine.
set -euo pipefail
pkgs=(cmake ninja-build g++ clang libclang-rt-dev pkg-config
      librapidcheck-dev libgtest-dev libgmock-dev libbenchmark-dev
      libsqlite3-dev libfmt-dev nlohmann-json3-dev libsimdjson-dev rapidjson-dev libsodium-dev
      libcli11-dev
      chromium python3 python3-jsonschema zip tmux)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The official SARIF 2.1.0 JSON schema, for the report test. It ships in an
# npm package (@microsoft/jest-sarif); fetched once into the user's cache.
schema_dir="${XDG_CACHE_HOME:-$HOME/.cache}/wrongbox"
schema="$schema_dir/sarif-2.1.0-rtm.5.json"
if [ ! -s "$schema" ] && command -v npm >/dev/null; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null 2>&1 &&
      tar xzf ./*.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json); then
    mkdir -p "$schema_dir"
    cp "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$schema"
  else
    echo "install-deps: could not fetch the SARIF schema from the npm registry" >&2
  fi
  rm -rf "$tmp"
fi
