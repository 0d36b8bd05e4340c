#!/usr/bin/env bash
# Installs the Debian packages Wrongbox builds and tests with, only those missing.
# Safe to run repeatedly; needs root (or sudo) on a Debian 12 machine.
set -euo pipefail
pkgs=(cmake ninja-build g++ clang libclang-rt-dev pkg-config
      librapidcheck-dev libgtest-dev libgmock-dev libbenchmark-dev
      libsqlite3-dev libfmt-dev nlohmann-json3-dev libsodium-dev libcli11-dev
      chromium python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
