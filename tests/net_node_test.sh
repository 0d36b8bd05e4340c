#!/usr/bin/env bash
# A second network switch, in another language: examples/network/node/
# mailswitch.js (Node's standard library), written from docs/network.md
# alone. It is clean over default check and conformance; its planted defect
# (registry answers matched by position) is found, and the printed reproduce
# command fails again from a foreign directory.
# Usage: net_node_test.sh PATH/TO/wrongbox   (run from the source root)
set -u
WB="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
N="$(pwd)/examples/network/node"
cd "$tmp"
if ! command -v node >/dev/null; then
  echo "FAIL node is not installed (ci/install-deps.sh installs nodejs)"; exit 1
fi

check "conformance of the Node switch" 0 "$WB" conformance --sut "net:$N/mailswitch.net.toml"
check "the Node switch is clean" 0 "$WB" check --sut "net:$N/mailswitch.net.toml" \
  --tests 200 --seed 1 --no-memory
contains "check says how many passed" "200 scenarios"
check "check finds the Node switch's planted defect" 1 "$WB" check --sut "net:$N/bug.net.toml" \
  --seed 1 --tests 2000 --no-memory
contains "it is a violation of C3 or S1" "violated"
repro=$(sed -n 's/^reproduce: //p' "$tmp/out" | head -1)
if [ -z "$repro" ]; then
  echo "FAIL no reproduce command"; fails=$((fails + 1))
else
  mkdir -p "$tmp/elsewhere" && cd "$tmp/elsewhere"
  check "the reproduce command fails again elsewhere" 1 bash -c "$repro"
  cd "$tmp"
fi

echo "net_node_test: $fails failure(s)"
[ "$fails" -eq 0 ]
