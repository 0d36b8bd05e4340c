#!/usr/bin/env bash
# The harness against switches that misbehave (tests/fixtures/bad_switch.py):
# every command classifies the failure (exit 3, the reason named), stays
# within a small multiple of the timeout, and leaves no process behind.
# Usage: hostile_test.sh PATH/TO/wrongbox GROUP   (run from the source root)
#   GROUP: replay | check | check2 | campaign | signals | inputs
#   (check and check2 split the modes between them, to run side by side)
set -u
WB="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
GROUP="$2"
export PATH="$(cd "$(dirname "$WB")" && pwd):$PATH"
fails=0
tmp=$(mktemp -d)
trap 'pkill -9 -f "hostile-$$-" 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
root=$(pwd)
BAD="$root/tests/fixtures/bad_switch.py"
cd "$tmp"

# The modes, the text the harness must say, one per line: MODE|TEXT.
MODES='garbage|a line that is not valid JSON
unknown-call|unknown call '"'"'teleport'"'"'
wrong-result|a result for another command
missing-field|missing field
wrong-types|must be a string
early-exit|the switch exited with status 3
crash|killed by signal 11 (SIGSEGV)
hang|no result within
partial-line|after writing an unfinished line
error-result|answered with an error: "database on fire"
fork-exit|still holds its standard output open
fork-hang|no result within
close-stdin|closed its standard input
setsid-hang|no result within
setpgid-hang|no result within
daemon-hang|no result within'

TIMEOUT=1
# A switch's hello gets at least 10 s, its start-up included (a busy machine
# starts Python slowly): the bounds below allow for it once per process.
STARTUP=10
n=0
token() { n=$((n + 1)); echo "hostile-$$-$n"; }
# No process of this token is left (the harness, its watchdog, the switch and
# what the switch started all carry it among their arguments).
no_leftovers() {  # NAME TOKEN
  # After the harness is killed its watchdog kills the switch's group
  # asynchronously: give a loaded machine up to 2 s for that, then count.
  local left
  for _ in $(seq 20); do
    left=$(pgrep -f -- "$2" | wc -l)
    [ "$left" -eq 0 ] && break
    sleep 0.1
  done
  if [ "$left" -ne 0 ]; then
    echo "FAIL $1: $left process(es) left behind:"; ps -o pid,ppid,stat,args -p "$(pgrep -d, -f -- "$2")"
    fails=$((fails + 1))
    pkill -9 -f -- "$2"
  fi
}
within() {  # NAME SECONDS START: the command took at most SECONDS
  local took
  took=$(($(date +%s%N) / 1000000 - $3))
  if [ "$took" -gt $(($2 * 1000)) ]; then
    echo "FAIL $1: took ${took} ms, more than $2 s"
    fails=$((fails + 1))
  fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# One corpus file that submits, for replay.
cat >one.wbs <<'EOF'
wrongbox-scenario 1

open kivra/1 for 199001011239
submit
  s1 a to 199001011239
end
tick
EOF

case "$GROUP" in
replay)
  while IFS='|' read -r mode text; do
    t=$(token); start=$(now_ms)
    check "replay: $mode exits 3" 3 "$WB" replay one.wbs --sut "exec:python3 $BAD $mode@1 $t" \
      --timeout $TIMEOUT --no-evidence
    contains "replay: $mode names the reason" "$text"
    contains "replay: $mode names the step" "SWITCH FAILED at step 2"
    within "replay: $mode" $((3 * TIMEOUT + 3 + STARTUP)) "$start"
    no_leftovers "replay: $mode" "$t"
  done <<<"$MODES"
  # A whole corpus against a switch whose every process forks and exits: one
  # child per scenario was left behind before the process group was killed.
  t=$(token)
  check "replay: a corpus against fork-exit exits 3" 3 "$WB" replay "$root/corpus/regressions" \
    --sut "exec:python3 $BAD fork-exit@1 $t" --timeout $TIMEOUT --no-evidence -q
  no_leftovers "replay: a corpus against fork-exit" "$t"
  # Standard error is kept capped: 8 MiB written, the head and tail kept.
  t=$(token)
  check "replay: a switch flooding standard error passes" 0 "$WB" replay one.wbs \
    --sut "exec:python3 $BAD stderr-flood@1 $t" --switch-log flood.log --no-evidence
  size=$(stat -c %s flood.log)
  if [ "$size" -gt $((5 * 1024 * 1024 + 4096)) ] || [ "$size" -lt $((5 * 1024 * 1024)) ]; then
    echo "FAIL replay: the flooded log is $size bytes, not 5 MiB and a line"; fails=$((fails + 1))
  fi
  grep -q "bytes of the switch's standard error left out here" flood.log ||
    { echo "FAIL replay: the flooded log does not say what it left out"; fails=$((fails + 1)); }
  no_leftovers "replay: stderr flood" "$t"
  # A result with one verdict too few, then silence: the scenario it happened
  # in fails, and the next one meets a fresh process (it was blamed with
  # 'no result within' at its reset before).
  mkdir -p two && sed 's/s1 a to/s1 boom to/' one.wbs > two/a.wbs && cp one.wbs two/b.wbs
  t=$(token)
  check "replay: too few verdicts is a switch failure" 3 "$WB" replay two \
    --sut "exec:python3 $BAD short-verdicts $t" --timeout 5 --no-evidence
  contains "replay: it names the departure" "0 verdict(s) for 1 message(s)"
  contains "replay: the next scenario meets a fresh process" "PASS  two/b.wbs"
  no_leftovers "replay: short verdicts" "$t"
  # A debug line after the scenario's last result: that scenario fails, and
  # the next one meets a fresh process (its reset was blamed before).
  t=$(token)
  check "replay: a line after the last result is a switch failure" 3 "$WB" replay two \
    --sut "exec:python3 $BAD late-line $t" --timeout 5 --no-evidence
  contains "replay: the scenario it came in is blamed" "ERROR two/a.wbs: SWITCH FAILED at step"
  contains "replay: after its drain" "during the drain: protocol error during 'tick'"
  contains "replay: it names the line" "offending line: debug: all done"
  contains "replay: the next scenario passes" "PASS  two/b.wbs"
  no_leftovers "replay: late line" "$t"
  ;;
check | check2)
  # check: the first seven modes; check2: the others and the late hang.
  if [ "$GROUP" = check ]; then modes=$(head -7 <<<"$MODES"); else modes=$(tail -n +8 <<<"$MODES"); fi
  while IFS='|' read -r mode text; do
    t=$(token); start=$(now_ms)
    check "check: $mode exits 3" 3 "$WB" check --sut "exec:python3 $BAD $mode@1 $t" \
      --timeout $TIMEOUT --tests 20 --seed 1 --evidence ev.db
    contains "check: $mode names the reason" "$text"
    contains "check: $mode is shrunk to the step that failed" "shrunk to 1 step(s)"
    within "check: $mode" $((4 * TIMEOUT + 4 + STARTUP)) "$start"
    no_leftovers "check: $mode" "$t"
    # The saved file reproduces the failure.
    saved=$(sed -n 's/^saved: *//p' "$tmp/out")
    check "check: $mode saved file replays as a switch failure" 3 "$WB" replay "$saved" \
      --sut "exec:python3 $BAD $mode@1 $t" --timeout $TIMEOUT --no-evidence
    contains "check: $mode saved file names the reason" "$text"
    no_leftovers "check: $mode replay" "$t"
  done <<<"$modes"
  # The evidence records switch failures as such, never as violations.
  check "check: evidence lists the runs" 0 "$WB" report --evidence ev.db --format json
  contains "check: evidence records switch-failure" '"verdict": "switch-failure"'
  if grep -q '"verdict": "violation"' "$tmp/out"; then
    echo "FAIL check: a switch failure was recorded as a violation"; fails=$((fails + 1))
  fi
  if [ "$GROUP" = check2 ]; then
    # A time budget holds while shrinking: a switch that hangs at its 4th
    # submit fails mid-scenario; shrinking replays cost the timeout each.
    t=$(token); start=$(now_ms)
    check "check: a late hang exits 3" 3 "$WB" check --sut "exec:python3 $BAD hang@4 $t" \
      --timeout $TIMEOUT --time-budget 5 --seed 2 --no-evidence
    within "check: a late hang within the budget" $((5 + 2 * TIMEOUT + 3 + STARTUP)) "$start"
    no_leftovers "check: late hang" "$t"
  fi
  ;;
campaign)
  # Caught by conformance (the first submit of every process misbehaves).
  for mode in garbage hang crash fork-hang; do
    t=$(token); start=$(now_ms)
    check "campaign: $mode exits 3" 3 "$WB" campaign --sut "exec:python3 $BAD $mode@1 $t" \
      --timeout $TIMEOUT --budget 20 --evidence ev.db
    contains "campaign: $mode stops at conformance" "the switch does not conform"
    within "campaign: $mode" 25 "$start"
    no_leftovers "campaign: $mode" "$t"
  done
  # Past conformance and the corpus: a hang at the 60th submit of a process.
  t=$(token); start=$(now_ms)
  check "campaign: a late hang exits 3" 3 "$WB" campaign --sut "exec:python3 $BAD hang@60 $t" \
    --timeout $TIMEOUT --budget 20 --evidence ev.db
  contains "campaign: a late hang is a switch failure" "switch-failure in"
  within "campaign: a late hang within the budget" $((20 + 3 * TIMEOUT + 3 + STARTUP)) "$start"
  no_leftovers "campaign: late hang" "$t"
  check "campaign: the store verifies" 0 "$WB" evidence verify ev.db
  ;;
signals)
  # The harness killed while the switch hangs: its watchdog kills the
  # switch's process group and everything the switch started, wherever it
  # went (a child in a session of its own, a daemon whose parent exited);
  # on SIGTERM/SIGINT the output so far is there.
  for case in KILL:fork-hang TERM:fork-hang INT:fork-hang KILL:setsid-hang KILL:daemon-hang; do
    sig=${case%%:*} mode=${case#*:}
    t=$(token)
    # (set -m: a job of its own, so that SIGINT is not ignored as in background jobs)
    (
      set -m
      "$WB" check --sut "exec:python3 $BAD $mode@1 $t" --timeout 60 --tests 5 --seed 1 \
        --no-evidence >"sig-$sig.out" 2>&1 &
      echo $! >pid
      wait
    ) &
    # Until the harness has printed its first line and the hang is in place
    # (harness, switch and its child, counted in one poll: a process the
    # harness is starting shows its command line for a moment, so a count
    # taken apart from the one that ended the wait can differ).
    started=0
    for _ in $(seq 50); do
      started=$(pgrep -f -- "$t" | wc -l)
      [ "$started" -ge 4 ] && grep -q "wrongbox check against" "sig-$sig.out" 2>/dev/null && break
      sleep 0.1
    done
    [ "$started" -ge 4 ] || { echo "FAIL signals: $sig ($mode): only $started processes started"; fails=$((fails + 1)); }
    kill -"$sig" "$(cat pid)"
    wait
    no_leftovers "signals: SIG$sig ($mode)" "$t"
    if [ "$sig" != KILL ] && ! grep -q "wrongbox check against" "sig-$sig.out"; then
      echo "FAIL signals: after SIG$sig the output lacks the first line"; fails=$((fails + 1))
    fi
    if [ "$sig" != KILL ] && ! grep -q "wrongbox: stopped by SIG$sig" "sig-$sig.out"; then
      echo "FAIL signals: after SIG$sig the harness does not say why it stopped"; fails=$((fails + 1))
    fi
    echo "ok   signals: SIG$sig ($mode) leaves nothing behind"
  done
  ;;
inputs)
  mkfifo fifo.wbs
  start=$(now_ms)
  check "inputs: a FIFO is refused" 2 "$WB" replay fifo.wbs --no-evidence
  contains "inputs: the FIFO is named" "fifo.wbs: a FIFO, not a regular file (refused"
  within "inputs: a FIFO" 5 "$start"
  mkdir dir && cp one.wbs dir/ && mv fifo.wbs dir/ && ln -s nowhere.wbs dir/dangling.wbs
  check "inputs: a directory with a FIFO and a dangling link" 2 "$WB" replay dir --no-evidence
  contains "inputs: the FIFO in a directory is named" "dir/fifo.wbs: a FIFO, not a regular file"
  contains "inputs: the dangling link is named" "dir/dangling.wbs: a link to nothing; left out"
  contains "inputs: the good file still ran" "1 passed"
  ln -s loop-b.wbs loop-a.wbs && ln -s loop-a.wbs loop-b.wbs
  check "inputs: a loop of symbolic links is refused" 2 "$WB" replay loop-a.wbs --no-evidence
  contains "inputs: the loop is named as one" "loop-a.wbs: a loop of symbolic links"
  printf 'wrongbox-scenario 1\n\nopen kivra/1 for 1990\xff\n' >bad-utf8.wbs
  check "inputs: invalid UTF-8 is refused" 2 "$WB" replay bad-utf8.wbs --no-evidence
  contains "inputs: invalid UTF-8 names line and column" "bad-utf8.wbs:3:22: invalid UTF-8 (byte 0xFF"
  # A violation is never hidden by an input error in the same directory.
  mkdir mixed && cp one.wbs bad-utf8.wbs mixed/
  cp "$root/corpus/regressions/"*fallback*.wbs mixed/ 2>/dev/null ||
    cp "$(ls "$root"/corpus/regressions/*.wbs | head -1)" mixed/
  check "inputs: a violation outranks an input error" 1 "$WB" replay mixed \
    --sut builtin:fallback-leak --no-evidence
  check "inputs: an unopenable switch log is exit 2" 2 "$WB" replay one.wbs \
    --sut "exec:python3 $BAD none" --switch-log /nonexistent/dir/log --no-evidence
  contains "inputs: the log is named" "cannot open the switch log /nonexistent/dir/log"
  for opt in "--timeout nan" "--timeout inf" "--timeout -1" "--time-budget nan"; do
    check "inputs: replay $opt is refused" 2 "$WB" replay one.wbs $opt --no-evidence
  done
  for opt in "--seed -1" "--time-budget inf" "--tests -1"; do
    check "inputs: check $opt is refused" 2 "$WB" check $opt --no-evidence
  done
  check "inputs: --evidence '' is refused" 2 "$WB" replay one.wbs --evidence ''
  ;;
*)
  echo "unknown group $GROUP"; exit 2 ;;
esac

if [ "$fails" -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "all hostile-switch tests ($GROUP) passed"
