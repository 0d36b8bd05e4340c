#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
#   1. install missing Debian packages (ci/install-deps.sh),
#   2. build with GCC, warnings as errors, and run every test,
#   3. build with clang under AddressSanitizer + UndefinedBehaviorSanitizer, with libFuzzer
#      (-DWRONGBOX_FUZZ=ON: the fuzz targets become real fuzzers, `wrongbox fuzz` and the
#      campaign's fuzzing phase run), and run every test again plus the fuzzing tests,
#   4. build the tests of switches with threads under ThreadSanitizer and run them.
# Set WRONGBOX_SKIP_SANITIZERS=1 to skip steps 3 and 4 on a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh

echo "== build (gcc, -Werror)"
cmake -S . -B build -G Ninja -DWRONGBOX_WERROR=ON >/dev/null
cmake --build build
echo "== test"
ctest --test-dir build --output-on-failure -j2

if [ "${WRONGBOX_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== build (clang, ASan+UBSan, libFuzzer, -Werror)"
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DWRONGBOX_WERROR=ON \
    -DCMAKE_BUILD_TYPE=Debug -DWRONGBOX_SANITIZE="address;undefined" -DWRONGBOX_FUZZ=ON \
    -DWRONGBOX_BENCH=OFF >/dev/null
  cmake --build build-asan
  echo "== test (ASan+UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2
  echo "== build (clang, ThreadSanitizer: the threaded tests)"
  CC=clang CXX=clang++ cmake -S . -B build-tsan -G Ninja -DWRONGBOX_WERROR=ON \
    -DCMAKE_BUILD_TYPE=Debug -DWRONGBOX_SANITIZE=thread >/dev/null
  cmake --build build-tsan --target threaded_test tsan_report_test
  echo "== test (TSan)"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-tsan/tests/threaded_test
  bash tests/tsan_report_test.sh "$PWD/build-tsan/tests/tsan_report_test"
fi
