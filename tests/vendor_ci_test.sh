#!/usr/bin/env bash
# The vendor CI templates as a vendor uses them: the GitHub workflow and the
# GitLab job validate against their schemas (and a broken copy of each does
# not), and the one script they call runs sharded campaigns against the
# Python example switch from a directory outside the source tree, then
# merges the shards; with a planted bug both steps fail and say why.
# Usage: vendor_ci_test.sh PATH/TO/wrongbox   (run from the source root)
set -u
WB=$(realpath "$1")
root=$(pwd)
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/lib.sh"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/wrongbox"
validator="$cache/npm/node_modules/.bin/action-validator"
gitlab_schema="$cache/gitlab-ci-schema.json"
for f in "$validator" "$gitlab_schema"; do
  [ -e "$f" ] || { echo "FAIL: $f missing; run 'bash ci/install-deps.sh'"; exit 1; }
done

check "GitHub workflow validates" 0 "$validator" ci/vendor/github-actions.yml
sed 's/^    runs-on:/    runs-onn:/' ci/vendor/github-actions.yml >"$tmp/bad-gh.yml"
check "a broken GitHub workflow does not" 1 "$validator" "$tmp/bad-gh.yml"
gitlab() {
  python3 - "$gitlab_schema" "$1" <<'PY'
import json, sys, yaml, jsonschema
jsonschema.validate(yaml.safe_load(open(sys.argv[2])), json.load(open(sys.argv[1])))
print("valid")
PY
}
check "GitLab job validates" 0 gitlab ci/vendor/gitlab-ci.yml
sed 's/^  parallel: 4/  parallel: four/' ci/vendor/gitlab-ci.yml >"$tmp/bad-gl.yml"
check "a broken GitLab job does not" 1 gitlab "$tmp/bad-gl.yml"
# Both templates: one build job makes the package, every other job installs
# it; the switch's runtime is a variable; the switch's logs are kept.
python3 - ci/vendor/github-actions.yml ci/vendor/gitlab-ci.yml <<'PY' || fails=$((fails + 1))
import sys, yaml
gh, gl = (yaml.safe_load(open(f)) for f in sys.argv[1:])
def script_text(job):
    if "steps" in job:
        return "\n".join(str(s.get("run", "")) for s in job["steps"])
    return "\n".join(job.get("before_script", []) + job.get("script", []))
for name, doc, jobs in (("github", gh, gh["jobs"]), ("gitlab", gl, {k: v for k, v in gl.items() if isinstance(v, dict) and "script" in v})):
    builds = [k for k, j in jobs.items() if "wrongbox-ci.sh\" build" in script_text(j) or "wrongbox-ci.sh build" in script_text(j)]
    assert len(builds) == 1, (name, builds)
    for k, j in jobs.items():
        if k in builds:
            continue
        text = script_text(j) + "\n" + script_text(gl.get(j.get("extends", ""), {}))
        assert "cmake" not in text and "WRONGBOX_SRC/ci/vendor" not in text, (name, k)
        needs = j.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        assert any((n if isinstance(n, str) else n["job"]) == builds[0] for n in needs), (name, k, needs)
    assert "$WRONGBOX_RUNTIME" in yaml.dump(doc), name
    assert "logs/" in yaml.dump(doc), name
# Safe to include into a pipeline with its own stages: no global `stages:`.
assert "stages" not in gl, "the GitLab template defines stages:"
print("ok   one build job, reused by every other job; a runtime variable; logs kept; no stages:")
PY
for t in ci/vendor/github-actions.yml ci/vendor/gitlab-ci.yml; do
  grep -q 'wrongbox-ci.sh" run\|wrongbox-ci.sh run' "$t" && grep -q 'wrongbox-ci.sh" merge\|wrongbox-ci.sh merge' "$t" ||
    { echo "FAIL $t does not call ci/vendor/wrongbox-ci.sh run and merge"; fails=$((fails + 1)); }
done

# The script, as a CI job runs it: in the vendor's checkout, wrongbox on PATH.
mkdir "$tmp/vendor"
cp examples/python/reference_switch.py "$tmp/vendor/switch.py"
cd "$tmp/vendor"
export PATH="$(dirname "$WB"):$PATH" CI=true WRONGBOX_BUDGET=4 WRONGBOX_SEED=7
export WRONGBOX_SUT="exec:python3 switch.py"
script="$root/ci/vendor/wrongbox-ci.sh"
# This round signs its evidence (WRONGBOX_SIGN_KEY), as a job given a key secret does.
"$WB" evidence keygen "$tmp/ci.key" >/dev/null
export WRONGBOX_SIGN_KEY="$tmp/ci.key"
WRONGBOX_SHARD=1/2 check "shard 1/2 passes" 0 bash "$script" run
first=$(( (CORPUS_COUNT + 1) / 2 )) second=$(( CORPUS_COUNT / 2 ))
contains "shard 1 replays its half of the built-in corpus" \
  "replayed $first scenario(s): $first passed"
contains "and says which share" "(shard 1/2: $first of $CORPUS_COUNT files)"
WRONGBOX_SHARD=2/2 check "shard 2/2 passes" 0 bash "$script" run
contains "shard 2 replays the other half" "replayed $second scenario(s): $second passed"
for k in 1 2; do
  for f in evidence.db report.html junit.xml sarif.json; do
    [ -s "wrongbox-out/shard-$k/$f" ] || { echo "FAIL shard $k wrote no $f"; fails=$((fails + 1)); }
  done
done
check "merge passes" 0 bash "$script" merge
contains "merge verifies the joined chain" "hash chain intact"
contains "merge signs the merged head" "head signed by key"
check "the merged bundle verifies with the public key" 0 \
  "$WB" evidence verify wrongbox-out/evidence-bundle.tar --public-key "$tmp/ci.key.pub"
contains "every record of the bundle is signed" "signed by key"
unset WRONGBOX_SIGN_KEY
python3 - wrongbox-out/junit.xml <<'PY' || fails=$((fails + 1))
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and int(root.get("failures")) == 0, ET.tostring(root)[:300]
print("ok   merged JUnit has no failure")
PY

rm -rf wrongbox-out
export WRONGBOX_SUT="exec:python3 switch.py --bug ten-digit-cache"
WRONGBOX_SHARD=1/2 check "shard with a planted bug fails" 1 bash "$script" run
contains "it names the violation" "violated at step"
# The failing shard's JUnit and SARIF, written by the campaign itself, validate
# and point, relative to the checkout (%SRCROOT%), at the switch's file that
# is in the repository, with the saved scenario as a related location.
python3 - "$cache/sarif-2.1.0-rtm.5.json" wrongbox-out/shard-1/sarif.json wrongbox-out/shard-1/junit.xml <<'PY' || fails=$((fails + 1))
import json, os, sys, jsonschema, xml.etree.ElementTree as ET
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, json.load(open(sys.argv[1])))
run = doc["runs"][0]
assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file://" + os.getcwd() + "/", run
locs = [l["physicalLocation"]["artifactLocation"] for r in run["results"] for l in r["locations"]]
related = [l["physicalLocation"]["artifactLocation"]
           for r in run["results"] for l in r.get("relatedLocations", [])]
assert locs and all(l["uriBaseId"] == "%SRCROOT%" and not l["uri"].startswith("/")
                    and os.path.exists(l["uri"]) for l in locs + related), (locs, related)
assert {l["uri"] for l in locs} == {"switch.py"}, locs
assert any(l["uri"].endswith(".wbs") for l in related), related
root = ET.parse(sys.argv[3]).getroot()
assert int(root.get("failures")) >= 1, ET.tostring(root)[:300]
print("ok   the failing shard's SARIF validates, points at switch.py and relates",
      [l["uri"] for l in related][0])
PY
WRONGBOX_SHARD=2/2 bash "$script" run >/dev/null 2>&1
check "merge of a failing shard fails" 1 bash "$script" merge
ls wrongbox-out/failures/*/*.wbs >/dev/null 2>&1 ||
  { echo "FAIL merge gathered no failure files"; fails=$((fails + 1)); }
# The merged SARIF of the 2 shards: every location is a path relative to
# the checkout that exists there.
python3 - "$cache/sarif-2.1.0-rtm.5.json" wrongbox-out/sarif.json <<'PY' || fails=$((fails + 1))
import json, os, sys, jsonschema
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, json.load(open(sys.argv[1])))
locs = [l["physicalLocation"]["artifactLocation"]
        for r in doc["runs"][0]["results"] for l in r["locations"] + r.get("relatedLocations", [])]
assert locs, doc["runs"][0]["results"]
bad = [l for l in locs if l.get("uriBaseId") != "%SRCROOT%" or l["uri"].startswith("/")
       or not os.path.exists(l["uri"])]
assert not bad, bad
print("ok   the merged SARIF's %d locations are relative to the checkout and exist" % len(locs))
PY
check "no SUT is a usage error" 2 env -u WRONGBOX_SUT bash "$script" run
contains "says what to set" "set WRONGBOX_SUT"

echo "vendor_ci_test: $fails failure(s)"
[ "$fails" -eq 0 ]
