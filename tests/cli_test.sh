#!/usr/bin/env bash
# The wrongbox command as a user runs it: output lines and exit codes.
# Usage: cli_test.sh PATH/TO/wrongbox   (run from the source root)
set -u
WB="$1"
# Printed commands say "wrongbox" when PATH finds this binary, as once installed.
export PATH="$(cd "$(dirname "$WB")" && pwd):$PATH"
REF="$2"   # wrongbox-reference-switch (protocol v1)
PLUGIN="$3"  # libwrongbox-reference-plugin.so (C ABI)
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source "$(dirname "$0")/lib.sh"

# Run in a scratch directory that sees the source tree's corpus, examples and
# fixtures, so the files commands write by default (evidence store, logs,
# failure memory) land there and not in the source tree.
root=$(pwd)
mkdir "$tmp/work"
for d in corpus examples tests; do ln -s "$root/$d" "$tmp/work/$d"; done
cd "$tmp/work"

check "suts lists the catalog" 0 "$WB" suts
contains "suts first line" "builtin:reference"
contains "suts has stale-route" "builtin:stale-route"
[ "$(wc -l <"$tmp/out")" -eq 33 ] || { echo "FAIL suts: expected 33 lines"; fails=$((fails + 1)); }
contains "suts has the threaded switch" "builtin:threaded-stale-slot"

check "replay corpus on reference exits 0" 0 "$WB" replay corpus/regressions --sut builtin:reference
contains "summary line" "passed, 0 failed, 0 input error(s), 0 switch failure(s), 0 skipped"

for line in $("$WB" suts | grep -v 'reference\|threaded'); do
  d=${line#builtin:}
  dir=corpus/regressions
  case $d in dedup-window | slot-wrap | backlog-overflow | route-table-full) dir=corpus/volume ;; esac
  check "replay $dir on $d exits 1" 1 "$WB" replay $dir --sut "$line" -q
  contains "$d names a property" "FAIL  $dir/"
  contains "$d prints a replay command" "replay: wrongbox replay"
done
check "replay corpus/volume on reference exits 0" 0 "$WB" replay corpus/volume -q

check "trace shows calls and the oracle" 1 "$WB" replay \
  corpus/regressions/03-stale-route-after-reopen.wbs --sut builtin:stale-route --trace
contains "trace call" "call: deliver kivra/000042 -> ok, owner 198503142344"
contains "trace oracle" "oracle: S1 VIOLATED"
contains "report names the line" "03-stale-route-after-reopen.wbs:21"

printf 'wrongbox-scenario 1\nopen kivra/a for 199001011238\n' >"$tmp/bad.wbs"
check "parse error exits 2" 2 "$WB" replay "$tmp/bad.wbs"
contains "parse error names file:line:col" "bad.wbs:2:18: '199001011238' is not a valid person number: check digit should be 9"

printf 'wrongbox-scenario 1\nopen kivra/a for 199001011239\nclose kivra/a\nreopen kivra/a for 198503142344\n' >"$tmp/early.wbs"
check "impossible step exits 2" 2 "$WB" replay "$tmp/early.wbs"
contains "input error names the line" "INPUT ERROR at step 3 (line 4)"

check "unknown sut exits 2" 2 "$WB" replay corpus/regressions --sut builtin:nope
contains "unknown sut message" "unknown built-in switch 'nope'"
check "missing path exits 2" 2 "$WB" replay "$tmp/none.wbs"
check "no subcommand exits 2" 2 "$WB"
check "unknown flag exits 2" 2 "$WB" replay corpus --frobnicate
check "help exits 0" 0 "$WB" --help
contains "help names replay" "replay"
check "replay help exits 0" 0 "$WB" replay --help
contains "replay help names --trace" "--trace"

check "check on reference exits 0" 0 "$WB" check --sut builtin:reference --tests 500 --seed 3 \
  --save-failures "$tmp/mem"
contains "check pass line" "PASS: 500 scenarios, no property violated"
contains "check statistics" "identity collisions"
check "situations prints the tables" 0 "$WB" situations
sed -n '/^<!-- wrongbox situations -->$/,/^<!-- end wrongbox situations -->$/p' "$root/docs/situations.md" |
  sed '1d;$d' | diff - "$tmp/out" >/dev/null ||
  { echo "FAIL docs/situations.md tables differ from wrongbox situations"; fails=$((fails + 1)); }
# Coverage (k = 3, the default), not the clock, ends it: the budget only has to be long enough for a slow machine.
check "default check stops when covered" 0 "$WB" check --sut builtin:reference --seed 3 \
  --time-budget 300 --coverage-k 3 --save-failures "" --no-evidence
contains "default check says why it stopped" "stopped: every feasible situation pair met 3 times"
contains "default check prints the pair coverage" "situation pairs (docs/situations.md): "
contains "default check names the search sources" "uniform random"
check "a budget alone runs until the budget" 0 "$WB" check --sut builtin:reference --seed 3 \
  --time-budget 0.5 --save-failures "" --no-evidence
contains "budget stop" "stopped: time budget of 0.5 s reached"
check "check on a defect exits 1" 1 "$WB" check --sut builtin:log-leak --seed 3 --save-failures "$tmp/mem"
contains "check shows the shrunk scenario" "wrongbox-scenario 1"
contains "check names the property" "S3 violated"
contains "check prints a reproduce command" "reproduce: wrongbox check --sut builtin:log-leak --seed 3"
contains "check saves the failure" "saved:     $tmp/mem/builtin_log-leak/S3-"
saved=$(ls "$tmp"/mem/builtin_log-leak/*.wbs | head -1)
check "saved failure replays as a regression" 1 "$WB" replay "$saved" --sut builtin:log-leak
contains "saved failure fails with S3" "FAIL  $saved: S3"
check "saved failure passes on the reference" 0 "$WB" replay "$saved" --sut builtin:reference
check "memory replays first" 1 "$WB" check --sut builtin:log-leak --seed 99 --save-failures "$tmp/mem"
contains "memory message" "a saved failure reproduced before any new search"
# A switch failure stays one even when the shrunk scenario passes on replay
# (this switch fails at its process's 5th submit, whatever the scenario).
check "a switch failure in check exits 3" 3 "$WB" check --sut "exec:python3 tests/fixtures/bad_switch.py fifth-garbage" \
  --tests 20 --timeout 2 --seed 1 --save-failures "" --evidence "$tmp/sf.db" --switch-log "$tmp/sf.log"
contains "it shows the protocol error" "SWITCH FAILED at step"
contains "and the offending line" "offending line: this is not json"
contains "and warns it did not fail again" "did not fail again on replay"
check "it is recorded as a switch failure" 0 "$WB" report --evidence "$tmp/sf.db" --format json
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['runs'][-1]; assert r['verdict']=='switch-failure' and r['exit_code']==3 and r['counterexamples'][0]['report'].startswith('SWITCH FAILED'), r['verdict']" "$tmp/out" \
  || { echo "FAIL the evidence does not record a switch failure"; fails=$((fails + 1)); }
for bad in "fuzz --budget nan" "fuzz --budget -1" "mutants --budget-per-defect inf" "check --time-budget nan"; do
  check "$bad is refused" 2 "$WB" $bad
done
check "bad weights exit 2" 2 "$WB" check --weights fly=2
contains "bad weights message" "unknown action kind 'fly'"
check "bad reproduce exits 2" 2 "$WB" check --reproduce xyz --save-failures ""
check "sample prints scenarios" 0 "$WB" sample --count 2 --seed 4
contains "sample output parses as the format" "wrongbox-scenario 1"
# Under a sanitizer (WRONGBOX_SANITIZED=1, set by CMake) only the variants the
# rows below read: the plain build runs the whole catalog, and the sanitizer
# build's other tests cover the same code.
mutant_defects=() mutant_summary="31 of 31 defect variants caught, 13 of 13 classes; reference switch clean"
if [ "${WRONGBOX_SANITIZED:-0}" = 1 ]; then
  mutant_defects=(--defects dedup-window,address-as-pattern,threaded-stale-slot)
  mutant_summary="3 of 3 defect variants caught, 3 of 3 classes; reference switch clean"
fi
check "mutants catches every class" 0 "$WB" mutants --tests 3000 --budget-per-defect 5 \
  --markdown "$tmp/m.md" --no-fuzz \
  --soak-messages 100000 "${mutant_defects[@]}" \
  --no-evidence
contains "mutants summary" "$mutant_summary"
grep -q "| 11 | threaded-stale-slot | yes |" "$tmp/m.md" || { echo "FAIL mutants threaded row"; fails=$((fails + 1)); }
grep -q "| 13 | address-as-pattern | yes |" "$tmp/m.md" || { echo "FAIL mutants markdown"; fails=$((fails + 1)); }
# The volume-only variants: the corpus and the search miss them, the soak finds them.
grep -qE "^\| 5 \| dedup-window \| yes \| - \| not found .*\| C1 \| [0-9]+ \|" "$tmp/m.md" ||
  { echo "FAIL the soak column for dedup-window"; grep dedup "$tmp/m.md"; fails=$((fails + 1)); }
grep -qE "^\| - \| reference \| clean \(expected\) .*\| no violation \| 100[0-9]{3} \|" "$tmp/m.md" ||
  { echo "FAIL the reference's soak"; grep reference "$tmp/m.md"; fails=$((fails + 1)); }

for sut in "exec:$REF" "exec:python3 examples/python/reference_switch.py" "plugin:$PLUGIN"; do
  check "corpus over protocol v1: $sut" 0 "$WB" replay corpus/regressions --sut "$sut" -q \
    --switch-log "$tmp/switch.log"
  check "campaign over protocol v1: $sut" 0 "$WB" check --sut "$sut" --tests 300 --seed 8 \
    --save-failures "" -q --switch-log "$tmp/switch.log"
done
# Over exec: the search meets every feasible pair (seed 3 in about 3,000
# scenarios, which the Python switch plays in the 10 s default on an idle
# machine; the budget is raised here so that a slow sanitizer build still
# stops on coverage, which does not depend on speed).
for sut in "exec:$REF" "exec:python3 examples/python/reference_switch.py"; do
  check "check over exec covers every pair: $sut" 0 "$WB" check --sut "$sut" --seed 3 \
    --time-budget 300 --coverage-k 3 --save-failures "" --no-evidence --switch-log "$tmp/switch.log"
  contains "covered over exec: $sut" "stopped: every feasible situation pair met 3 times"
done
check "a defect over protocol v1 is a violation" 1 "$WB" replay corpus/regressions -q \
  --sut "exec:$REF stale-route" --switch-log "$tmp/switch.log"
contains "quoted replay command" "--sut 'exec:$REF stale-route' --trace"
printf 'wrongbox-scenario 1\nsubmit\n  s1 boom to 199001011239\nend\n' >"$tmp/boom.wbs"
check "a crashing switch exits 3" 3 "$WB" replay "$tmp/boom.wbs" \
  --sut "exec:python3 tests/fixtures/bad_switch.py crash" --switch-log "$tmp/crash.log"
contains "crash names the signal" "killed by signal 11 (SIGSEGV)"
contains "crash names the log" "switch log: $tmp/crash.log"
check "a hanging switch exits 3 after the timeout" 3 "$WB" replay "$tmp/boom.wbs" --timeout 0.5 \
  --sut "exec:python3 tests/fixtures/bad_switch.py hang" --switch-log "$tmp/hang.log"
contains "hang names the timeout" "no result within 0.500 s"

check "conformance over protocol v1" 0 "$WB" conformance \
  --sut "exec:python3 examples/python/reference_switch.py" --switch-log "$tmp/c.log"
contains "conformance bye" "PASS  bye"
contains "conformance total" "8 of 8 checks passed"
check "conformance of a bad hello exits 3" 3 "$WB" conformance \
  --sut "exec:python3 tests/fixtures/bad_switch.py bad-hello" --switch-log "$tmp/c.log"
contains "conformance bad hello says why" "I speak protocol 7"

# Evidence: every command records; verify; reports parse; a killed run stays consistent.
EV="$tmp/ev.db"
check "replay records evidence" 1 "$WB" replay corpus/regressions --sut builtin:stale-route -q --evidence "$EV"
contains "replay names the store" "evidence: $EV (run #1)"
check "check records evidence" 1 "$WB" check --sut builtin:log-leak --seed 3 --save-failures "" --evidence "$EV"
check "report of the check's run" 0 "$WB" report --evidence "$EV" --format json
python3 - "$tmp/out" <<'PY' || { echo "FAIL the evidence lacks the check's situation coverage"; fails=$((fails + 1)); }
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
s = runs[-1]["coverage"]["situations"]
assert s["pairs_feasible"] > 800 and 0 < s["pairs_covered"] < s["pairs_feasible"], s
assert len(s["uncovered"]) == s["pairs_feasible"] - s["pairs_covered"], s
assert sum(k["covered"] for k in s["kinds"].values()) == s["pairs_covered"], s
PY
check "conformance records evidence" 0 "$WB" conformance --evidence "$EV"
check "verify an intact store" 0 "$WB" evidence verify "$EV"
contains "verify says intact" "3 run(s), 3 complete, hash chain intact"
"$WB" check --sut builtin:reference --tests 100000000 --save-failures "" -q --evidence "$EV" >/dev/null 2>&1 &
victim=$!
# Kill it once its run is in the store (slow under sanitizers: poll, up to 30 s).
for _ in $(seq 300); do
  "$WB" evidence verify "$EV" 2>/dev/null | grep -q "run #4" && break
  sleep 0.1
done
kill -9 "$victim"; wait "$victim" 2>/dev/null
check "a killed run leaves the store verifiable" 0 "$WB" evidence verify "$EV"
contains "the killed run is incomplete" "incomplete (killed or still running): run #4 (check against builtin:reference"
for f in md json junit sarif; do
  check "report $f" 0 "$WB" report --evidence "$EV" --format "$f" --out "$tmp/report.$f"
done
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['schema']=='wrongbox-report/1' and len(d['runs'])==4" "$tmp/report.json" \
  || { echo "FAIL json report"; fails=$((fails + 1)); }
python3 -c "import xml.etree.ElementTree as E,sys; r=E.parse(sys.argv[1]).getroot(); assert r.tag=='testsuites' and len(r)==4 and int(r.get('failures'))>=2" "$tmp/report.junit" \
  || { echo "FAIL junit report"; fails=$((fails + 1)); }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=d['runs'][0]; assert d['version']=='2.1.0' and r['tool']['driver']['name']=='wrongbox' and len(r['results'])>=2 and all(x['ruleId'] in [y['id'] for y in r['tool']['driver']['rules']] for x in r['results'])" "$tmp/report.sarif" \
  || { echo "FAIL sarif report"; fails=$((fails + 1)); }
grep -q "Wrongbox evidence report" "$tmp/report.md" || { echo "FAIL md report"; fails=$((fails + 1)); }
python3 - "$EV" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE scenarios SET outcome='pass' WHERE outcome='violation'"); c.commit()
PY
check "verify a tampered store exits 1" 1 "$WB" evidence verify "$EV"
contains "verify names the run" "TAMPERED: $EV: run #1 (replay against builtin:stale-route"
check "report of a tampered store exits 1" 1 "$WB" report --evidence "$EV" --format junit --out "$tmp/t.xml"
python3 -c "import xml.etree.ElementTree as E,sys; r=E.parse(sys.argv[1]).getroot(); s=[x for x in r if x.get('name')=='wrongbox evidence integrity']; assert s and s[0].find('testcase/failure').get('message').startswith('TAMPERED: run #1')" "$tmp/t.xml" \
  || { echo "FAIL the JUnit of a tampered store lacks the integrity failure"; fails=$((fails + 1)); }
check "SARIF of a tampered store exits 1" 1 "$WB" report --evidence "$EV" --format sarif --out "$tmp/t.sarif"
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['runs'][0]; assert any(x['ruleId']=='evidence-integrity' and x['level']=='error' for x in r['results'])" "$tmp/t.sarif" \
  || { echo "FAIL the SARIF of a tampered store lacks the integrity error"; fails=$((fails + 1)); }
check "verify of a missing store exits 2" 2 "$WB" evidence verify "$tmp/typo.db"
contains "verify names the missing store" "$tmp/typo.db: no such evidence store"
check "report of a missing store exits 2" 2 "$WB" report --evidence "$tmp/typo.db" --format junit
[ -e "$tmp/typo.db" ] && { echo "FAIL verify or report created $tmp/typo.db"; fails=$((fails + 1)); }
: >"$tmp/zero.db"
check "a 0-byte store is not intact" 2 "$WB" evidence verify "$tmp/zero.db"
contains "0-byte reason" "is empty (0 bytes)"
"$WB" replay corpus/regressions/01-batch-offset-repeated-subject.wbs -q --evidence "$tmp/emptied.db" >/dev/null 2>&1
python3 - "$tmp/emptied.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
    c.execute("DELETE FROM " + t)
c.commit()
PY
check "an emptied store is not intact" 1 "$WB" evidence verify "$tmp/emptied.db"
contains "emptied reason" "no run recorded"
# Two writers creating one new store at the same moment: both runs land.
lost=0
for _ in $(seq 20); do
  rm -f "$tmp/race.db"*
  "$WB" replay corpus/regressions/01-batch-offset-repeated-subject.wbs -q --evidence "$tmp/race.db" >"$tmp/race-a" 2>&1 &
  "$WB" replay corpus/regressions/01-batch-offset-repeated-subject.wbs -q --evidence "$tmp/race.db" >"$tmp/race-b" 2>&1 &
  wait
  "$WB" evidence verify "$tmp/race.db" 2>&1 | grep -q "2 run(s), 2 complete" || lost=$((lost + 1))
done
[ "$lost" -eq 0 ] || { echo "FAIL concurrent creation lost a run in $lost of 20 tries"; cat "$tmp/race-a" "$tmp/race-b" | head -5; fails=$((fails + 1)); }
# Whatever a switch calls itself is escaped in the Markdown report (a PR comment).
check "a switch with markup in its name" 0 "$WB" replay corpus/regressions/01-batch-offset-repeated-subject.wbs \
  -q --sut "exec:python3 tests/fixtures/bad_switch.py evil-name" --evidence "$tmp/evil.db"
check "its Markdown report" 0 "$WB" report --evidence "$tmp/evil.db" --format md
contains "the name is escaped" '\<script\>alert(1)\</script\>\[x\](http://evil.example)\|\`'
grep -q "<script>" "$tmp/out" && { echo "FAIL raw <script> in the Markdown report"; fails=$((fails + 1)); }
# Control characters from a switch never reach the terminal: no escape
# sequence, no bell, no forged line (hello names a terminal title and "PASS").
check "a switch whose name drives the terminal" 0 "$WB" conformance \
  --sut "exec:python3 tests/fixtures/bad_switch.py control-name" --no-evidence
contains "the name is shown escaped" "name 'ok\\e]0;pwned\\x07\\nPASS  forged line\\r\\x00\\u009b2J'"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out" || grep -q '^PASS  forged' "$tmp/out"; then
  echo "FAIL a control character or a forged line reached the output"; fails=$((fails + 1))
fi
check "its report" 0 "$WB" replay corpus/regressions/01-batch-offset-repeated-subject.wbs -q \
  --sut "exec:python3 tests/fixtures/bad_switch.py control-name" --evidence "$tmp/ctl.db"
check "its Markdown report" 0 "$WB" report --evidence "$tmp/ctl.db" --format md
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out"; then
  echo "FAIL a control character reached the Markdown report"; fails=$((fails + 1))
fi
# A 10 MB word in a scenario is cut in the error, its length said.
{ echo "wrongbox-scenario 1"; printf 'open kivra/'; head -c 10000000 /dev/zero | tr '\0' a; echo " for 199001011239"; } >"$tmp/long.wbs"
check "a scenario with a 10 MB word" 2 "$WB" replay "$tmp/long.wbs" --no-evidence
[ "$(wc -c <"$tmp/out")" -lt 5000 ] || { echo "FAIL the error echoed the word: $(wc -c <"$tmp/out") bytes"; fails=$((fails + 1)); }
contains "the word's length is said" "bytes in all)"
printf 'garbage' >"$tmp/garbage.db"
check "a non-store is refused" 2 "$WB" replay corpus/regressions -q --evidence "$tmp/garbage.db"
contains "refusal says why" "is not an evidence database"
[ "$(cat "$tmp/garbage.db")" = "garbage" ] || { echo "FAIL garbage.db was modified"; fails=$((fails + 1)); }

check "explain a failure exits 1" 1 "$WB" explain corpus/regressions/13-address-prefix-of-another.wbs \
  --sut builtin:address-as-pattern
contains "explain hint" "kivra/a is a prefix of kivra/a/b"
check "explain a pass exits 0" 0 "$WB" explain corpus/regressions/13-address-prefix-of-another.wbs
contains "explain pass" "Nothing to explain"

# Fuzzing needs the libFuzzer build; without it, `fuzz` says so and the campaign skips it.
if "$WB" fuzz --sut exec:none 2>&1 | grep -q "no libFuzzer"; then
  fuzz_line="fuzz         skip  this build has no libFuzzer"
  check "fuzz without libFuzzer exits 2" 2 "$WB" fuzz --budget 1
  contains "fuzz without libFuzzer says how to get it" "configure with clang and -DWRONGBOX_FUZZ=ON"
else
  fuzz_line="fuzz         ok    PASS: "
fi
check "fuzz of an exec: switch exits 2" 2 "$WB" fuzz --sut "exec:$REF" --fuzzer /bin/true
contains "fuzz of an exec: switch says why" "fuzzing needs an in-process switch"

# A switch with threads: each scenario runs under several schedules, a race
# is reported with its rate and replayed as often.
check "check finds a race" 1 "$WB" check --sut builtin:threaded-dedup-race --seed 1 --tests 2000 \
  --no-evidence --save-failures "$tmp/race" --no-memory
contains "check says it perturbs" "4 schedule(s) per scenario, perturbed"
contains "check gives the race's rate" " of 100 replays under schedule perturbation"
contains "check's replay command repeats" " --runs "
race=$(ls "$tmp"/race/*/*.wbs | head -1)
check "replay a race 50 times" 1 "$WB" replay "$race" --sut builtin:threaded-dedup-race --runs 50 \
  --no-evidence
contains "replay names the rate" " of 50 runs)"
check "the correct pool passes the race's scenario" 0 "$WB" replay "$race" --sut builtin:threaded \
  --runs 50 --no-evidence

# The campaign, as CI sees it (no TTY, CI=true): plain lines, no redraws.
CI=true "$WB" campaign --budget 4 --evidence "$tmp/camp.db" --report "$tmp/camp.html" \
  --logs "$tmp/logs" --save-failures "$tmp/mem2" --fuzz-work "$tmp/fz" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL campaign exit $rc"; fails=$((fails + 1)); }
for line in "replay       ok    replayed $CORPUS_COUNT scenario(s): $CORPUS_COUNT passed" "check        ok    PASS: " \
            "$fuzz_line" \
            "campaign against builtin:reference: nothing violated" "report: $tmp/camp.html"; do
  contains "campaign line: $line" "$line"
done
if grep -q $'\r\|\x1b' "$tmp/out"; then echo "FAIL campaign redraws in CI"; fails=$((fails + 1)); fi
[ -s "$tmp/camp.html" ] || { echo "FAIL campaign wrote no report"; fails=$((fails + 1)); }
check "campaign --json" 1 "$WB" campaign --json --budget 3 --sut builtin:fallback-leak \
  --evidence "$tmp/camp.db" --report "$tmp/camp2.html" --logs "$tmp/logs" --save-failures "$tmp/mem2" \
  --fuzz-work "$tmp/fz"
python3 -c "
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [e['event'] for e in events]
assert kinds[0] == 'phase-start' and kinds[-1] == 'done', kinds
assert events[-1]['exit_code'] == 1, events[-1]
assert any(e['event'] == 'phase-end' and e['phase'] == 'replay' and e['exit_code'] == 1 for e in events)
# Each phase's summary is the command's own result, one line.
ends = {e['phase']: e for e in events if e['event'] == 'phase-end'}
assert ends['replay']['summary'].startswith('replayed ') and ' 0 failed' not in ends['replay']['summary'], ends['replay']
assert all('\\n' not in e['summary'] for e in ends.values()), ends
" "$tmp/out" || { echo "FAIL campaign --json events"; fails=$((fails + 1)); }

# A finding is printed in the campaign's summary, shrunk: a CI log is often
# all a vendor reads.
CI=true "$WB" campaign --budget 3 --no-fuzz --sut builtin:batch-offset --evidence "$tmp/camp4.db" \
  --report "$tmp/camp4.html" --logs "$tmp/logs4" --save-failures "$tmp/mem4" > "$tmp/out" 2>&1
contains "the campaign prints the shrunk finding" "the finding, shrunk ("
contains "its steps" "  submit"

# A search too short to meet every situation pair names those it missed.
CI=true "$WB" campaign --tests 3 --no-fuzz --evidence "$tmp/camp3.db" --report "$tmp/camp3.html" \
  --logs "$tmp/logs3" > "$tmp/out" 2>&1
contains "the campaign lists pairs never met" "never met: "
contains "and where the rest are" "more pairs never met (all in $tmp/logs3/"

echo "cli_test: $fails failure(s)"
[ "$fails" -eq 0 ]
