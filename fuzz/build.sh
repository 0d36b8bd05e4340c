#!/bin/bash -eu
# Builds Wrongbox's fuzz targets the way OSS-Fuzz and ClusterFuzzLite call a
# project's build.sh: honours $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE
# $OUT (and $SRC/$WORK when set), and writes to $OUT each target with its
# <target>_seed_corpus.zip, <target>.dict and <target>.options. Shared
# libraries a target needs beyond the C/C++ runtime (libsodium, simdjson) go
# to $OUT/lib, found through the targets' RUNPATH $ORIGIN/lib: OSS-Fuzz's
# runner image has none of the build image's packages.
#   CC=clang CXX=clang++ CFLAGS="-fsanitize=address,fuzzer-no-link" \
#   CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out fuzz/build.sh
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$(mktemp -d)}
: "${OUT:?set OUT}" "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE}"
mkdir -p "$OUT"

cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWRONGBOX_TESTS=OFF -DWRONGBOX_FUZZ=ON -DWRONGBOX_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" \
  -DCMAKE_C_FLAGS="${CFLAGS:-}" -DCMAKE_CXX_FLAGS="${CXXFLAGS:-}" \
  -DCMAKE_BUILD_RPATH='$ORIGIN/lib'
cmake --build "$work/build" --target switch_fuzzer scenario_parser_fuzzer protocol_fuzzer wrongbox

targets="switch_fuzzer scenario_parser_fuzzer protocol_fuzzer"
mkdir -p "$OUT/lib"
for t in $targets; do
  cp "$work/build/fuzz/$t" "$OUT/"
  ldd "$work/build/fuzz/$t" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
    grep -v -E '/(libc|libm|libdl|librt|libpthread|libgcc_s|libstdc\+\+|libc\+\+|libc\+\+abi|ld-linux[^/]*)\.so' |
    while read -r lib; do cp -L "$lib" "$OUT/lib/"; done
done
python3 "$here/fuzz/make_dict.py" "$OUT"

# Seeds: the regression corpus, as bytes for switch_fuzzer and as text for the parser.
seeds="$work/seeds"
rm -rf "$seeds" && mkdir -p "$seeds/switch" "$seeds/parser" "$seeds/protocol"
for f in "$here"/corpus/regressions/*.wbs; do
  "$work/build/harness/wrongbox" convert "$f" --out "$seeds/switch/$(basename "$f" .wbs).bin" 2>/dev/null
  cp "$f" "$seeds/parser/"
done
cp "$here"/corpus/fuzz/protocol/* "$seeds/protocol/"
cp "$here"/corpus/fuzz/parser/* "$seeds/parser/"
(cd "$seeds/switch" && zip -q -r "$OUT/switch_fuzzer_seed_corpus.zip" .)
(cd "$seeds/parser" && zip -q -r "$OUT/scenario_parser_fuzzer_seed_corpus.zip" .)
(cd "$seeds/protocol" && zip -q -r "$OUT/protocol_fuzzer_seed_corpus.zip" .)

# switch_fuzzer gets what `wrongbox fuzz` passes (512 bytes hold 16 steps with
# room to spare; its seeds are under 100 bytes); the text targets get more.
for t in $targets; do
  max_len=4096
  [ "$t" = switch_fuzzer ] && max_len=512
  printf '[libfuzzer]\nmax_len = %s\ntimeout = 10\ndict = %s.dict\n' "$max_len" "$t" >"$OUT/$t.options"
  if [ "$t" = switch_fuzzer ]; then printf 'len_control = 0\n' >>"$OUT/$t.options"; fi
done
echo "fuzz/build.sh: wrote $(ls "$OUT" | wc -l) files to $OUT ($(ls "$OUT/lib" | wc -l) libraries in $OUT/lib)"
