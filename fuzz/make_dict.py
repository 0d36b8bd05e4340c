#!/usr/bin/env python3
"""Writes the libFuzzer dictionaries (fuzz/*.dict) from what the targets read.

switch_fuzzer's input is the scenario byte codec (fuzz/scenario_codec.cc):
account and id characters are stored as (char - 0x20). The dictionary holds
the encoded forms of the accounts that break topic-, path- and pattern-based
switches, so the engine finds them without guessing.
Usage: fuzz/make_dict.py OUT_DIR
"""
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "."
ACCOUNTS = ["a", "a/b", "a/b/c", "+", "#", "A", "a b", "a%2Fb", "*", ">", "x.y", "000042"]


def enc(s):
    return "".join("\\x%02x" % (ord(c) - 0x20) for c in s)


with open(os.path.join(out, "switch_fuzzer.dict"), "w") as f:
    f.write("# accounts as the scenario codec stores them: length byte, then chars - 0x20\n")
    for i, a in enumerate(ACCOUNTS):
        f.write('account_%d="\\x%02x%s"\n' % (i, len(a) - 1, enc(a)))

KEYWORDS = ["wrongbox-scenario 1", "name", "tag", "guards", "open", "for", "owned-by", "close",
            "at-delivery", "reopen", "register", "at", "unregister", "protect", "unprotect", "block",
            "unblock", "registry", "operator", "down", "up", "submit", "end", "to", "parts", "tick",
            "restart", "kivra/", "199001011239", "191212121212", "201212121212", "\\\"", "#"]
with open(os.path.join(out, "scenario_parser_fuzzer.dict"), "w") as f:
    for i, k in enumerate(KEYWORDS):
        f.write('kw_%d="%s"\n' % (i, k))

FIELDS = ['"op"', '"hello"', '"reset"', '"submit"', '"tick"', '"restart"', '"bye"', '"call"',
          '"result"', '"messages"', '"sender"', '"id"', '"subject"', '"title"', '"parts"',
          '"mailbox"', '"protected"', '"blocked_senders"', '"error"', '"unavailable"',
          '"no_such_mailbox"', '"ok"', "true", "null", "{", "}", "[", "]"]
with open(os.path.join(out, "protocol_fuzzer.dict"), "w") as f:
    for i, k in enumerate(FIELDS):
        f.write('f_%d="%s"\n' % (i, k.replace('"', '\\"')))
