# Helpers for the shell tests, sourced after `tmp` (a scratch directory) and
# `fails` (a counter) are set.
check() {  # check NAME EXPECTED_RC COMMAND...  (stdout+stderr in $tmp/out)
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>&1
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"; sed 's/^/  /' "$tmp/out" | head -30
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}
contains() {  # contains NAME TEXT: the last check's output holds TEXT
  if ! grep -qF -- "$2" "$tmp/out"; then
    echo "FAIL $1: output lacks: $2"; sed 's/^/  /' "$tmp/out" | head -30
    fails=$((fails + 1))
  fi
}

# How many scenarios the built-in regression corpus holds (tests run from
# the source root, or set root to it).
CORPUS_COUNT=$(ls "${root:-$(pwd)}"/corpus/regressions/*.wbs | wc -l)
