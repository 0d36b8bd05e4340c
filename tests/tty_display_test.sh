#!/usr/bin/env bash
# The campaign's display as a person sees it on a terminal: run it inside
# tmux, capture the screen when it is done, and check that every phase ended
# on its own line with no progress line left behind, and the summary table
# and report path are there. CI=true (set by CI services) switches the display
# to plain periodic lines, so the command inside tmux runs without it.
# Usage: tty_display_test.sh WRONGBOX   (run from the source root)
set -u
WB=$(realpath "$1")
export PATH="$(dirname "$WB"):$PATH"
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed; run 'bash ci/install-deps.sh' (it installs Debian's tmux)"; exit 1; }
tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
root=$(pwd)
CORPUS_COUNT=$(ls "$root"/corpus/regressions/*.wbs | wc -l)
tmux -S "$sock" new-session -d -x 200 -y 40 \
  "cd '$tmp' && env -u CI '$WB' campaign --budget 6 --evidence ev.db \
   --report r.html --fuzz-work fz; echo \"exit=\$?\"; sleep 600"
for _ in $(seq 600); do
  tmux -S "$sock" capture-pane -p -J >"$tmp/screen" 2>/dev/null
  grep -q '^exit=' "$tmp/screen" && break
  sleep 0.2
done
fails=0
want() { grep -qE -- "$1" "$tmp/screen" || { echo "FAIL screen lacks: $1"; fails=$((fails + 1)); }; }
want "^replay +ok +replayed $CORPUS_COUNT scenario"
want '^check +ok +PASS: '
want '^fuzz +(ok +PASS: |skip )'
want '^phase +result +summary'
want 'campaign against builtin:reference: nothing violated'
want '^report: r.html'
want '^exit=0'
if grep -q 's left' "$tmp/screen"; then
  echo "FAIL a progress line was left on the screen"; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] || sed 's/^/  | /' "$tmp/screen"
echo "tty_display_test: $fails failure(s)"
[ "$fails" -eq 0 ]
