#!/usr/bin/env bash
# Wrongbox as a vendor gets it: `cmake --install` into a temporary prefix;
# only include/wrongbox/ is installed; a consumer project outside the source
# tree (tests/consumer) builds with find_package(Wrongbox) alone, and its
# ctest passes the correct switch (a campaign test and a GoogleTest case) and
# fails the one with a planted bug, naming the violation. The installed
# wrongbox runs a campaign from an empty directory with the installed corpus.
# Usage: package_test.sh BUILD_DIR   (run from the source root)
set -u
build=$(realpath "$1")
root=$(pwd)
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/lib.sh"
prefix="$tmp/prefix"

check "cmake --install" 0 cmake --install "$build" --prefix "$prefix"
for f in bin/wrongbox include/wrongbox/switch.h include/wrongbox/plugin.h include/wrongbox/gtest.h \
  include/wrongbox/protocol_server.h lib/cmake/Wrongbox/WrongboxConfig.cmake \
  lib/cmake/Wrongbox/WrongboxConfigVersion.cmake share/wrongbox/corpus/regressions \
  share/wrongbox/examples/minimal/minimal_switch.cc share/wrongbox/ci/wrongbox-ci.sh \
  share/doc/wrongbox/exchange.md share/doc/wrongbox/protocol-v1.md; do
  [ -e "$prefix/$f" ] || { echo "FAIL not installed: $f"; fails=$((fails + 1)); }
done
extra=$(cd "$prefix/include" && find . -type f ! -path './wrongbox/*')
[ -z "$extra" ] || { echo "FAIL internal headers installed: $extra"; fails=$((fails + 1)); }
if grep 'INTERFACE_INCLUDE_DIRECTORIES' "$prefix"/lib/cmake/Wrongbox/WrongboxTargets.cmake |
  grep -v '"${_IMPORT_PREFIX}/include"' | grep -q .; then
  echo "FAIL an exported target reaches beyond PREFIX/include"; fails=$((fails + 1))
fi

cp -r "$root/tests/consumer" "$tmp/acme"
check "consumer configures with find_package(Wrongbox) only" 0 \
  cmake -S "$tmp/acme" -B "$tmp/acme/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DMINIMAL_DIR="$prefix/share/wrongbox/examples/minimal"
check "consumer builds" 0 cmake --build "$tmp/acme/build"
check "the correct switch passes (campaign and GoogleTest)" 0 \
  ctest --no-tests=error --test-dir "$tmp/acme/build" -R 'acme_gtest|acme_campaign$' --output-on-failure
check "the planted bug fails its ctest" 8 \
  ctest --no-tests=error --test-dir "$tmp/acme/build" -R acme_campaign_planted_bug --output-on-failure
contains "with the violation in the output" "S1 violated at step"
contains "and the reproduce command of the installed tool" "reproduce:"
[ -s "$tmp/acme/build/wrongbox/acme_campaign_planted_bug/junit.xml" ] ||
  { echo "FAIL the campaign test wrote no JUnit"; fails=$((fails + 1)); }

# The installed tool, from an empty directory: it finds its own corpus.
mkdir "$tmp/empty"
cd "$tmp/empty"
check "installed campaign from an empty directory" 0 env -u WRONGBOX_CORPUS CI=true \
  "$prefix/bin/wrongbox" campaign --sut builtin:reference --budget 5 --no-fuzz
contains "it replays the installed corpus" "replayed $CORPUS_COUNT scenario(s): $CORPUS_COUNT passed"

# The Debian package: built by CPack, unpacked (as dpkg would put it under
# /), its tool runs a campaign from /tmp with the packaged corpus.
cd "$tmp"
check "cpack -G DEB" 0 cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/deb"
deb=$(ls "$tmp"/deb/wrongbox_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
  echo "FAIL no .deb written"; fails=$((fails + 1))
else
  check "the package declares its dependencies" 0 dpkg-deb -f "$deb" Depends
  contains "libsqlite3" "libsqlite3-0"
  contains "rapidcheck for find_package" "librapidcheck-dev"
  dpkg-deb -x "$deb" "$tmp/root"
  mkdir -p "$tmp/run"
  cd "$tmp/run"
  check "the packaged wrongbox runs a campaign" 0 env -u WRONGBOX_CORPUS CI=true \
    "$tmp/root/usr/bin/wrongbox" campaign --sut builtin:reference --budget 5 --no-fuzz
  contains "with the packaged corpus" "replayed $CORPUS_COUNT scenario(s): $CORPUS_COUNT passed"
  # The CI script's shards install the package the build job made (here
  # unpacked, as a job that is not root does: `id` says uid 1000).
  mkdir -p "$tmp/shim" "$tmp/job"
  printf '#!/bin/sh\necho 1000\n' > "$tmp/shim/id" && chmod +x "$tmp/shim/id"
  cp "$root/examples/python/reference_switch.py" "$tmp/job/switch.py"
  cd "$tmp/job"
  check "a CI shard runs from the package alone" 0 env PATH="$tmp/shim:/usr/bin:/bin" CI=true \
    WRONGBOX_PACKAGE="$deb" WRONGBOX_PREFIX="$tmp/job-prefix" WRONGBOX_SUT="exec:python3 switch.py" \
    WRONGBOX_BUDGET=4 WRONGBOX_SHARD=1/2 bash "$tmp/root/usr/share/wrongbox/ci/wrongbox-ci.sh" run
  contains "it unpacked the package" "unpacking $deb"
  [ -s "$tmp/job/wrongbox-out/shard-1/evidence.db" ] ||
    { echo "FAIL the shard wrote no evidence"; fails=$((fails + 1)); }
fi

echo "package_test: $fails failure(s)"
[ "$fails" -eq 0 ]
