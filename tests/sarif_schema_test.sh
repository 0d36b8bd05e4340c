#!/usr/bin/env bash
# The SARIF report validates against the official SARIF 2.1.0 JSON schema
# (fetched by ci/install-deps.sh), and the JUnit report parses as XML with the
# attributes CI test tabs read.
# Usage: sarif_schema_test.sh PATH/TO/wrongbox   (run from the source root)
set -u
WB="$1"
schema="${XDG_CACHE_HOME:-$HOME/.cache}/wrongbox/sarif-2.1.0-rtm.5.json"
if [ ! -s "$schema" ]; then
  echo "FAIL: no SARIF schema at $schema; run 'bash ci/install-deps.sh'"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$WB" replay corpus/regressions --sut builtin:stale-route -q --evidence "$tmp/e.db" >/dev/null
"$WB" check --sut builtin:log-leak --seed 2 --save-failures "" --evidence "$tmp/e.db" >/dev/null
# A few variants: the matrix suite is what matters here, not its size.
"$WB" mutants --tests 500 --no-fuzz --soak-messages 0 --defects stale-route,log-leak --evidence "$tmp/e.db" >/dev/null 2>&1
"$WB" report --evidence "$tmp/e.db" --format sarif --out "$tmp/r.sarif" >/dev/null
"$WB" report --evidence "$tmp/e.db" --format junit --out "$tmp/r.xml" >/dev/null
python3 - "$schema" "$tmp/r.sarif" "$tmp/r.xml" <<'PY'
import json, sys, jsonschema, xml.etree.ElementTree as ET
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema)
results = doc["runs"][0]["results"]
assert len(results) >= 3, results
assert {r["ruleId"] for r in results} >= {"S1", "S3"}, [r["ruleId"] for r in results]
root = ET.parse(sys.argv[3]).getroot()
assert root.tag == "testsuites" and len(root) == 3
for suite in root:
    n = len(suite.findall("testcase"))
    assert int(suite.get("tests")) == n, (suite.get("name"), suite.get("tests"), n)
    assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
print("sarif_schema_test: SARIF valid against the 2.1.0 schema (%d results); JUnit consistent" % len(results))
PY
