#!/usr/bin/env bash
# The install of an instrumented build (libFuzzer coverage, sanitizers) as a
# vendor links it: the installed libraries carry no instrumentation (no
# reference to a sanitizer's or libFuzzer's hooks), the consumer project
# (tests/consumer) builds with GCC and no extra flags, and its GoogleTest
# case passes the correct switch; no build debris is installed.
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
check "the consumer links the installed libraries with GCC" 0 \
  cmake --build "$tmp/acme/build" --target acme_gtest acme-switch
check "its GoogleTest case passes the correct switch" 0 "$tmp/acme/build/acme_gtest"

echo "consumer_gcc_test: $fails failure(s)"
[ "$fails" -eq 0 ]
