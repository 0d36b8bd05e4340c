#!/usr/bin/env python3
"""Every field protocol v1 sends or reads is documented (#32 item 4).

Collects the JSON keys and the command, call and status words the harness's
protocol code writes and reads (harness/protocol/*.cc: field("k", "v"),
key("k"), get_string(j, "k", ...), ["k"], find_field("k"), at_key("k"),
command("op"), message_call("call", "k"), name == "w", op == "w") and
checks that docs/protocol-v1.md names each one, as `k` or "k". Then shows
that the check fails on a copy of the docs with one field's mentions removed.
Usage: protocol_docs_test.py   (run from the source root)
"""
import glob
import re
import sys

PATTERNS = [
    r'\bfield\(\s*"([a-z_]+)"\s*,\s*"([a-z_]+)"',  # a key and its word value
    r'\bfield\(\s*"([a-z_]+)"',
    r'\bkey\(\s*"([a-z_]+)"\s*\)',
    r'\bget_string\(\s*\w+\s*,\s*"([a-z_]+)"',
    r'\[\s*"([a-z_]+)"\s*\]',
    r'\bfind_field\(\s*"([a-z_]+)"\s*\)',
    r'\bat_key\(\s*"([a-z_]+)"\s*\)',
    r'\bcommand\(\s*"([a-z_]+)"',                 # the harness's commands
    r'\bmessage_call\(\s*"([a-z_]+)"\s*,\s*"([a-z_]+)"',  # a call and its key
    r'\b(?:name|op) == "([a-z_]+)"',                # a command or call read
]


def words_of_code():
    found = {}
    for path in sorted(glob.glob("harness/protocol/*.cc")):
        text = open(path).read()
        for pattern in PATTERNS:
            for m in re.finditer(pattern, text):
                for w in m.groups():
                    line = text.count("\n", 0, m.start()) + 1
                    found.setdefault(w, f"{path}:{line}")
    return found


def undocumented(found, docs):
    return {w: where for w, where in found.items()
            if f"`{w}`" not in docs and f'"{w}"' not in docs}


def main():
    found = words_of_code()
    docs = open("docs/protocol-v1.md").read()
    if len(found) < 20:
        print(f"FAIL only {len(found)} protocol words found in harness/protocol/: the patterns broke")
        return 1
    missing = undocumented(found, docs)
    for w, where in sorted(missing.items()):
        print(f"FAIL `{w}` ({where}) is not named in docs/protocol-v1.md")
    # The check itself: with `idle` erased from a copy of the docs it must fail.
    broken = docs.replace("`idle`", "").replace('"idle"', "")
    if "idle" in found and "idle" not in undocumented(found, broken):
        print("FAIL the check did not notice `idle` missing from a copy of the docs")
        return 1
    print(f"protocol_docs_test: {len(found)} protocol words, {len(missing)} undocumented")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
