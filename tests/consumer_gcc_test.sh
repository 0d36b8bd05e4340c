#!/usr/bin/env bash
# The install of an instrumented build (libFuzzer coverage, sanitizers) as a
# vendor links it: the installed libraries carry no instrumentation (no
# reference to a sanitizer's or libFuzzer's hooks), the consumer project
# (tests/consumer) builds with GCC and no extra flags, its GoogleTest case
# passes the correct switch, and its campaign test fails on the planted bug
# with the shrunk scenario and a reproduce line that fails again as printed;
# no build debris is installed.
# Usage: consumer_gcc_test.sh BUILD_DIR   (run from the source root)
set -u
build=$(realpath "$1")
root=$(pwd)
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/lib.sh"
prefix="$tmp/prefix"

check "cmake --install of the instrumented build" 0 cmake --install "$build" --prefix "$prefix"
hooks=$(nm -A "$prefix"/lib/libwrongbox_*.a 2> /dev/null |
  grep -E ' U (__sanitizer_cov|__asan_|__ubsan_|__tsan_|__sancov)' | head -5)
if [ -n "$hooks" ]; then
  echo "FAIL an installed library references instrumentation:"; echo "$hooks"
  fails=$((fails + 1))
else
  echo "ok   the installed libraries reference no sanitizer or libFuzzer hook"
fi
debris=$(find "$prefix" -name CMakeFiles -o -type d -empty | head -5)
[ -z "$debris" ] && echo "ok   no build debris installed" ||
  { echo "FAIL build debris installed: $debris"; fails=$((fails + 1)); }
[ -e "$prefix/share/wrongbox/corpus/volume" ] && echo "ok   the volume corpus is installed" ||
  { echo "FAIL share/wrongbox/corpus/volume is not installed"; fails=$((fails + 1)); }

gxx=$(command -v g++ || true)
if [ -z "$gxx" ]; then
  echo "FAIL g++ is not installed"; exit 1
fi
cp -r "$root/tests/consumer" "$tmp/acme"
check "the consumer configures with GCC" 0 env -u CC -u CXX -u CXXFLAGS -u LDFLAGS \
  cmake -S "$tmp/acme" -B "$tmp/acme/build" -G Ninja -DCMAKE_CXX_COMPILER="$gxx" \
  -DCMAKE_PREFIX_PATH="$prefix" -DMINIMAL_DIR="$prefix/share/wrongbox/examples/minimal"
contains "it is GCC" "The CXX compiler identification is GNU"
check "the consumer links the installed libraries with GCC" 0 cmake --build "$tmp/acme/build"
check "its GoogleTest case passes the correct switch" 0 "$tmp/acme/build/acme_gtest"
# The planted bug's ctest fails with the shrunk scenario and a reproduce line
# that, run as printed from the test's directory, fails again.
check "the planted bug fails its ctest" 8 \
  ctest --no-tests=error --test-dir "$tmp/acme/build" -R acme_campaign_planted_bug --output-on-failure
contains "its output holds the shrunk scenario" "wrongbox-scenario 1"
repro=$(sed -n 's/^.*reproduce: //p' "$tmp/out" | head -1)
if [ -z "$repro" ]; then
  echo "FAIL no reproduce line in the ctest output"; fails=$((fails + 1))
else
  cd "$tmp/acme/build/wrongbox/acme_campaign_planted_bug"
  echo "     reproduce: $repro"
  check "the reproduce line, run as printed, fails again" 1 bash -c "$repro"
  cd "$root"
fi

echo "consumer_gcc_test: $fails failure(s)"
[ "$fails" -eq 0 ]
