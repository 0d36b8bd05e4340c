#!/usr/bin/env bash
# Wrongbox in a vendor's CI: the one script the GitHub Actions and GitLab CI
# templates beside it call. Run from the root of the vendor's repository.
#
#   wrongbox-ci.sh build   build Wrongbox once into a Debian package, OUT/package/
#                          (the templates' build job; every other job installs it)
#   wrongbox-ci.sh run     one campaign job (one shard when WRONGBOX_SHARD is set)
#   wrongbox-ci.sh merge   join the shards' evidence, verify it, write the reports
#
# Environment:
#   WRONGBOX_SUT     the switch, e.g. exec:'python3 adapter.py' (required for run)
#   WRONGBOX_BUDGET  seconds per campaign job (default 60)
#   WRONGBOX_SEED    random seed; give every shard the same one (default 1)
#   WRONGBOX_SHARD   K/N: this job searches shard K of N (default: the whole search)
#   WRONGBOX_OUT     output directory (default wrongbox-out); a shard writes
#                    OUT/shard-K/, merge reads OUT/shard-*/ and writes OUT/
#   WRONGBOX_SRC     a Wrongbox source tree to build and install when no
#                    `wrongbox` is on PATH and no package was built (default:
#                    the tree this script is in)
#   WRONGBOX_PACKAGE the package `build` wrote (default OUT/package/wrongbox_*.deb):
#                    run and merge install it when no `wrongbox` is on PATH
#   WRONGBOX_PREFIX  where to install it (default $HOME/.local/wrongbox)
#   WRONGBOX_ARGS    more arguments for `wrongbox campaign` (e.g. --corpus tests/wbs)
#   WRONGBOX_SIGN_KEY  a secret key file (`wrongbox evidence keygen`, mode 0600;
#                    e.g. written from a CI secret): every run and the merged head
#                    are signed, and merge also writes OUT/evidence-bundle.tar
#
# Outputs (in the job's directory): evidence.db (tamper-evident), report.html,
# junit.xml (the CI test tab), sarif.json (code scanning), logs/, failures/
# (minimal scenarios; commit them to a corpus to keep them as regressions).
# Exit status: the campaign's (0 nothing violated, 1 a property was violated,
# 2 usage or input error, 3 the switch failed); merge: 1 when any shard found
# something or the evidence does not verify.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${WRONGBOX_OUT:-wrongbox-out}
prefix=${WRONGBOX_PREFIX:-$HOME/.local/wrongbox}

# The package `build` wrote, or "".
package() {
  if [ -n "${WRONGBOX_PACKAGE:-}" ]; then echo "$WRONGBOX_PACKAGE"; return; fi
  ls "$out"/package/wrongbox_*.deb 2>/dev/null | head -1
}

# A wrongbox to run: on PATH, installed before under $prefix, from the
# package `build` wrote, or built now.
ensure_wrongbox() {
  if command -v wrongbox >/dev/null; then return 0; fi
  if [ -x "$prefix/bin/wrongbox" ]; then
    export PATH="$prefix/bin:$PATH"
    return 0
  fi
  local deb
  deb=$(package)
  if [ -n "$deb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      # apt installs what the package depends on too.
      echo "wrongbox-ci: installing $deb" >&2
      apt-get install -y -qq "$(realpath "$deb")" >&2 || return 2
    else
      echo "wrongbox-ci: unpacking $deb into $prefix (not root: its dependencies must be there)" >&2
      mkdir -p "$prefix/root" && dpkg-deb -x "$deb" "$prefix/root" || return 2
      mkdir -p "$prefix/bin"
      ln -sf "$prefix/root/usr/bin/wrongbox" "$prefix/bin/wrongbox"
      export PATH="$prefix/bin:$PATH"
    fi
    command -v wrongbox >/dev/null || { echo "wrongbox-ci: $deb holds no wrongbox" >&2; return 2; }
    return 0
  fi
  local src=${WRONGBOX_SRC:-}
  if [ -z "$src" ]; then
    # This script inside a source tree (ci/vendor/) or an installed one (share/wrongbox/ci/).
    src=$(cd "$here/../.." && pwd)
  fi
  if [ ! -f "$src/CMakeLists.txt" ] || [ ! -f "$src/ci/install-deps.sh" ]; then
    echo "wrongbox-ci: no wrongbox on PATH and no Wrongbox source tree at $src (set WRONGBOX_SRC)" >&2
    return 2
  fi
  echo "wrongbox-ci: building Wrongbox from $src into $prefix" >&2
  WRONGBOX_DEPS_MINIMAL=1 bash "$src/ci/install-deps.sh" >&2 || return 2
  cmake -S "$src" -B "$src/build-vendor" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWRONGBOX_TESTS=OFF \
    -DWRONGBOX_BENCH=OFF -DWRONGBOX_EXAMPLES=OFF >/dev/null &&
    cmake --build "$src/build-vendor" >/dev/null &&
    cmake --install "$src/build-vendor" --prefix "$prefix" >/dev/null || return 2
  export PATH="$prefix/bin:$PATH"
}

# One build for the whole pipeline: a Debian package under OUT/package/.
build() {
  local src=${WRONGBOX_SRC:-}
  [ -n "$src" ] || src=$(cd "$here/../.." && pwd)
  if [ ! -f "$src/CMakeLists.txt" ] || [ ! -f "$src/ci/install-deps.sh" ]; then
    echo "wrongbox-ci: no Wrongbox source tree at $src (set WRONGBOX_SRC)" >&2
    return 2
  fi
  WRONGBOX_DEPS_MINIMAL=1 bash "$src/ci/install-deps.sh" >&2 || return 2
  # cpack's Debian dependencies come from dpkg-shlibdeps, which reads ELF with `file`.
  if ! command -v dpkg-shlibdeps >/dev/null || ! command -v file >/dev/null; then
    apt-get install -y -qq dpkg-dev file >&2 || return 2
  fi
  local dir
  dir=$(mktemp -d)
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWRONGBOX_TESTS=OFF \
    -DWRONGBOX_BENCH=OFF -DWRONGBOX_EXAMPLES=OFF >/dev/null &&
    cmake --build "$dir" >/dev/null || return 2
  mkdir -p "$out/package"
  (cd "$dir" && cpack -G DEB -B "$(realpath "$out")/package" >/dev/null) || return 2
  rm -rf "$out/package/_CPack_Packages" "$dir"
  ls "$out"/package/wrongbox_*.deb
}

run() {
  if [ -z "${WRONGBOX_SUT:-}" ]; then
    echo "wrongbox-ci: set WRONGBOX_SUT to the switch (e.g. exec:'python3 adapter.py')" >&2
    return 2
  fi
  ensure_wrongbox || return 2
  local dir="$out" shard_args=()
  if [ -n "${WRONGBOX_SHARD:-}" ]; then
    dir="$out/shard-${WRONGBOX_SHARD%%/*}"
    shard_args=(--shard "$WRONGBOX_SHARD")
  fi
  mkdir -p "$dir"
  local extra=()
  if [ -n "${WRONGBOX_ARGS:-}" ]; then read -r -a extra <<<"$WRONGBOX_ARGS"; fi
  if [ -n "${WRONGBOX_SIGN_KEY:-}" ]; then extra+=(--sign-key "$WRONGBOX_SIGN_KEY"); fi
  wrongbox campaign --sut "$WRONGBOX_SUT" --budget "${WRONGBOX_BUDGET:-60}" \
    --seed "${WRONGBOX_SEED:-1}" "${shard_args[@]}" \
    --evidence "$dir/evidence.db" --report "$dir/report.html" \
    --junit "$dir/junit.xml" --sarif "$dir/sarif.json" \
    --logs "$dir/logs" --save-failures "$dir/failures" --fuzz-work "$dir/fuzz" "${extra[@]}"
}

merge() {
  ensure_wrongbox || return 2
  local stores=()
  for s in "$out"/shard-*/evidence.db; do [ -f "$s" ] && stores+=("$s"); done
  if [ ${#stores[@]} -eq 0 ]; then
    echo "wrongbox-ci: no shard evidence under $out/shard-*/evidence.db" >&2
    return 2
  fi
  mkdir -p "$out/failures"
  for f in "$out"/shard-*/failures; do [ -d "$f" ] && cp -r "$f"/. "$out/failures/"; done
  local rc=0 sign=()
  if [ -n "${WRONGBOX_SIGN_KEY:-}" ]; then sign=(--sign-key "$WRONGBOX_SIGN_KEY"); fi
  wrongbox evidence merge "$out/evidence.db" "${stores[@]}" "${sign[@]}" || rc=1
  wrongbox evidence verify "$out/evidence.db" || rc=1
  if [ ${#sign[@]} -gt 0 ]; then
    rm -f "$out/evidence-bundle.tar"
    wrongbox evidence export "$out/evidence.db" --out "$out/evidence-bundle.tar" "${sign[@]}" ||
      rc=1
  fi
  for f in html junit sarif; do
    local file=report.html
    [ "$f" = junit ] && file=junit.xml
    [ "$f" = sarif ] && file=sarif.json
    wrongbox report --evidence "$out/evidence.db" --format "$f" --out "$out/$file" || rc=2
  done
  # Any shard's violation (or switch failure) fails the merged job too.
  if grep -qE '<(failure|error)[ >]' "$out/junit.xml" 2>/dev/null; then rc=1; fi
  return "$rc"
}

case "${1:-}" in
  build) build ;;
  run) run ;;
  merge) merge ;;
  *)
    echo "usage: wrongbox-ci.sh build|run|merge (see the comment at the top)" >&2
    exit 2
    ;;
esac
