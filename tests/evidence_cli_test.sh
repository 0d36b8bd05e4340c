#!/usr/bin/env bash
# Signed evidence as an auditor meets it: keys, signed runs and heads, the
# head kept elsewhere, bundles verified with nothing but the binary, and the
# tampering each of them catches.
# Usage: evidence_cli_test.sh PATH/TO/wrongbox   (run from the source root)
set -u
WB="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
root=$(pwd)
C="$root/corpus/regressions"
cd "$tmp"
sql() { python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$@"; }

check "keygen makes a key pair" 0 "$WB" evidence keygen ci.key
contains "keygen names the key id" "key "
[ "$(stat -c %a ci.key)" = 600 ] || { echo "FAIL the secret key is mode $(stat -c %a ci.key)"; fails=$((fails + 1)); }
check "keygen never overwrites a key" 2 "$WB" evidence keygen ci.key
contains "keygen says why" "a key is never overwritten"
check "a shard signs its run" 0 "$WB" replay "$C" -q --sign-key ci.key --evidence a.db
contains "the run says it is signed" "signed by key"
check "a failing run is signed too" 1 "$WB" replay "$C" -q --sut builtin:fallback-leak \
  --sign-key ci.key --evidence a.db
check "a signed store verifies with the public key" 0 "$WB" evidence verify a.db --public-key ci.key.pub
contains "verify counts the signatures" "signatures: 4 valid"
if grep -q "$(sed -n 's/^ed25519-secret //p' ci.key | cut -c1-64)" a.db; then
  echo "FAIL the secret key is in the store"; fails=$((fails + 1))
fi

"$WB" evidence keygen other.key >/dev/null
check "a foreign key is refused" 1 "$WB" evidence verify a.db --public-key other.key.pub
contains "verify names the foreign key" "a foreign key signed this store"
check "a run recorded without the key is not covered" 0 "$WB" replay "$C" -q --evidence a.db
check "verify names the unsigned records" 1 "$WB" evidence verify a.db --public-key ci.key.pub
contains "verify says what is not signed" "are not covered by a signature of key"
check "evidence sign covers them" 0 "$WB" evidence sign a.db --sign-key ci.key
contains "sign counts the runs" "signed 1 run(s) and the head"
check "then it verifies" 0 "$WB" evidence verify a.db --public-key ci.key.pub

# The head kept elsewhere shows the deletion of the newest runs, which
# leaves a consistent, shorter chain.
check "a head file" 0 "$WB" evidence head a.db --out kept.head --sign-key ci.key
cp a.db cut.db
sql cut.db "
  DELETE FROM chain WHERE run_uuid = (SELECT uuid FROM runs WHERE id = 3);
  DELETE FROM signatures WHERE run_uuid = (SELECT uuid FROM runs WHERE id = 3)
                            OR seq > (SELECT max(seq) FROM chain);
  DELETE FROM scenarios WHERE run_id = 3; DELETE FROM properties WHERE run_id = 3;
  DELETE FROM runs WHERE id = 3;"
check "deleting the newest run alone verifies" 0 "$WB" evidence verify cut.db --public-key ci.key.pub
check "with the kept head it does not" 1 "$WB" evidence verify cut.db --expect-head kept.head
contains "verify says records were removed" "so the newest records were removed"
hash=$(sed -n 's/^hash //p' kept.head)
check "a bare hash works as the expected head" 1 "$WB" evidence verify cut.db --expect-head "$hash"
check "the kept head is in the untouched store" 0 "$WB" evidence verify a.db --expect-head kept.head
check "a mangled head file is an input error" 2 "$WB" evidence verify a.db --expect-head ci.key.pub
contains "the head file is named" "ci.key.pub:1: not a wrongbox-evidence-head file"

# A finished, failing run turned into a "killed" one to hide its violation:
# its counterexample was chained as it was written.
cp a.db hide.db
sql hide.db "
  DELETE FROM chain WHERE run_uuid = (SELECT uuid FROM runs WHERE id = 2) AND kind = 'end';
  UPDATE runs SET status = 'running', verdict = NULL, exit_code = NULL WHERE id = 2;"
check "a finished run made incomplete is seen" 1 "$WB" evidence verify hide.db
cp a.db edit.db
sql edit.db "UPDATE counterexamples SET report = 'nothing to see' WHERE run_id = 2"
check "an edited counterexample is seen" 1 "$WB" evidence verify edit.db
contains "verify names the run" "run #2"

# Two signed shards merged: each run's signature survives, the merged head
# is signed by the merging job.
check "shard b" 0 "$WB" check --tests 30 --seed 5 -q --sign-key ci.key --evidence b.db
check "merge with a key" 0 "$WB" evidence merge m.db a.db b.db --sign-key ci.key
contains "merge says the head is signed" "head signed by key"
check "the merged store verifies with the key" 0 "$WB" evidence verify m.db --public-key ci.key.pub

# A bundle verifies on a clean directory with only the binary.
check "export a directory" 0 "$WB" evidence export a.db --out bundle --sign-key ci.key
for f in VERIFY.md evidence.db evidence.head public-key.pub report.html; do
  [ -s "bundle/$f" ] || { echo "FAIL the bundle lacks $f"; fails=$((fails + 1)); }
done
contains "export says how to verify" "verify with: wrongbox evidence verify bundle"
check "export a tar" 0 "$WB" evidence export a.db --out bundle.tar --sign-key ci.key
check "export refuses a non-empty directory" 2 "$WB" evidence export a.db --out bundle
mkdir clean && cp bundle.tar clean/
(
  cd clean && env -i PATH=/nonexistent "$WB" evidence verify bundle.tar
) >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || { echo "FAIL a bundle on a clean directory: exit $rc"; sed 's/^/  /' "$tmp/out"; fails=$((fails + 1)); }
contains "the bundle's head is checked" "expected head: record"
contains "the bundle's signatures are checked" "signatures:"
grep -q "wrongbox evidence verify" bundle/VERIFY.md ||
  { echo "FAIL VERIFY.md lacks the command"; fails=$((fails + 1)); }
cp -r bundle forged && sql forged/evidence.db "UPDATE runs SET verdict = 'pass' WHERE id = 2"
check "a forged bundle does not verify" 1 "$WB" evidence verify forged

# A run's settings are JSON whatever the user typed: a corpus path with a
# quote and a backslash is recorded as that string, and the report is JSON.
mkdir 'c"or\pus' && cp "$C"/03-*.wbs 'c"or\pus/'
check "mutants over an oddly named corpus" 0 "$WB" mutants --defects stale-route \
  --budget-per-defect 0.5 --corpus 'c"or\pus' --evidence odd.db
check "its report is JSON" 0 "$WB" report --evidence odd.db --format json
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["runs"][0]; assert r["settings"]["corpus"] == "c\"or\\pus", r["settings"]' "$tmp/out" \
  || { echo "FAIL the corpus path did not survive as JSON"; fails=$((fails + 1)); }

# Keys others can read are refused before anything runs.
chmod 644 ci.key
check "a readable secret key is refused" 2 "$WB" replay "$C" -q --sign-key ci.key --evidence c.db
contains "the mode is named" "mode 0644"
[ ! -e c.db ] || { echo "FAIL a run was recorded with an unusable key"; fails=$((fails + 1)); }

# A schema changed by hand is tampering (exit 1, named), and no command writes to it.
"$WB" replay "$C/01-batch-offset-repeated-subject.wbs" -q --evidence schema.db > /dev/null
for change in "DROP TABLE mutants" "PRAGMA user_version = 3" "PRAGMA user_version = 0"; do
  cp schema.db changed.db
  sql changed.db "$change"
  before=$(sha256sum changed.db)
  check "verify names it as tampering: $change" 1 "$WB" evidence verify changed.db
  contains "in words: $change" "changed by hand"
  check "replay refuses to record into it: $change" 2 "$WB" replay \
    "$C/01-batch-offset-repeated-subject.wbs" -q --evidence changed.db
  [ "$(sha256sum changed.db)" = "$before" ] || { echo "FAIL the store was written to: $change"; fails=$((fails + 1)); }
done

# A store that fails in the middle of a run (here: the file may not grow past
# 48 KiB, so writing fails after a few files): every file is still played
# and told, the failure is said once at the end with exit code 2, and what
# was recorded before it stays, verifiable, as an incomplete run. (Before
# Recorder::write, replay died on the uncaught error after the fifth file.)
check "a store that fails mid-run: every file still played, then exit 2" 2 \
  bash -c 'trap "" XFSZ; ulimit -f 48; exec "$0" replay "$1" --evidence full.db' "$WB" "$C"
contains "all files told" "replayed $CORPUS_COUNT scenario(s) against builtin:reference: $CORPUS_COUNT passed"
contains "the store's failure said" "wrongbox: evidence: "
check "what was recorded before the failure verifies" 0 "$WB" evidence verify full.db
contains "as an incomplete run" "incomplete (killed or still running): run #1"

if [ "$fails" -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "all evidence CLI tests passed"
