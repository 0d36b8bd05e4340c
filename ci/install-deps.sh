#!/usr/bin/env bash
# Installs the Debian packages Wrongbox builds and tests with, only those missing.
# Safe to run repeatedly; needs root (or sudo) on a Debian 12 machine.
# WRONGBOX_DEPS_MINIMAL=1: only what building and installing the tool needs
# (a vendor's CI job), none of the test tools.
set -euo pipefail
pkgs=(cmake ninja-build g++ pkg-config
      librapidcheck-dev libsqlite3-dev libfmt-dev nlohmann-json3-dev libsimdjson-dev
      rapidjson-dev libsodium-dev libcli11-dev libcpp-httplib-dev libxml2-dev libtomlplusplus-dev libssl-dev
      libxmlsec1-dev)
if [ "${WRONGBOX_DEPS_MINIMAL:-0}" != "1" ]; then
  pkgs+=(clang libclang-rt-dev libgtest-dev libgmock-dev libbenchmark-dev
         chromium poppler-utils python3 nodejs xmlsec1 openssl python3-jsonschema python3-yaml zip tmux file dpkg-dev)
fi
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

[ "${WRONGBOX_DEPS_MINIMAL:-0}" = "1" ] && exit 0

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

# Validators for the vendor CI templates (tests/vendor_ci_test.sh): the GitHub
# workflow validator, and GitLab CI's JSON schema as gitlab-ci-local ships it.
npm_dir="$schema_dir/npm"
if [ ! -x "$npm_dir/node_modules/.bin/action-validator" ] && command -v npm >/dev/null; then
  mkdir -p "$npm_dir"
  (cd "$npm_dir" && npm install --silent --no-audit --no-fund @action-validator/cli@0.6.0 \
    >/dev/null 2>&1) || echo "install-deps: could not install @action-validator/cli from npm" >&2
fi
gitlab_schema="$schema_dir/gitlab-ci-schema.json"
if [ ! -s "$gitlab_schema" ] && command -v npm >/dev/null; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent gitlab-ci-local@4.52.0 >/dev/null 2>&1 &&
      tar xzf ./*.tgz package/src/schema/schema.json); then
    mkdir -p "$schema_dir"
    cp "$tmp/package/src/schema/schema.json" "$gitlab_schema"
  else
    echo "install-deps: could not fetch the GitLab CI schema from the npm registry" >&2
  fi
  rm -rf "$tmp"
fi
