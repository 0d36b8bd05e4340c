#!/usr/bin/env python3
"""Functions longer than --max lines in C++ files (clang-formatted code).

usage: function_lengths.py --max N PATH...   (files, or directories: *.cc)

A function is a brace block opened at namespace level whose head has a
parameter list; its length runs from its opening line to its closing brace.
Braces inside strings, character literals, comments and raw strings are not
counted. Exit status 1 when any function is over, naming each as
FILE:LINE: HEAD (N lines, over N).
"""
import argparse
import pathlib
import re
import sys


def code_only(line):
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])*'", "''", line)
    return re.sub(r"//.*", "", line)


def long_functions(path, most):
    lines = path.read_text(encoding="utf-8").split("\n")
    depth, namespaces, start, in_raw = 0, 0, None, False
    for i, raw in enumerate(lines):
        if in_raw:  # inside a raw string literal R"(...)" spanning lines
            in_raw = ')"' not in raw
            continue
        line = re.sub(r'R"\((.*?)\)"', '""', raw)
        if 'R"(' in line:
            in_raw = True
            line = line.split('R"(', 1)[0]
        line = code_only(line)
        for ch in line:
            if ch == "{":
                if depth == 0 and (re.search(r"\bnamespace\b", line) or 'extern "C"' in raw):
                    namespaces += 1
                    continue
                if depth == 0:
                    j = i  # the head may span lines: back to its first line
                    while j > 0 and lines[j][:1].isspace() and lines[j - 1].strip() and \
                            not lines[j - 1].rstrip().endswith((";", "}", "{")):
                        j -= 1
                    start = (i, lines[j].strip())
                depth += 1
            elif ch == "}":
                if depth == 0:
                    namespaces = max(0, namespaces - 1)
                    continue
                depth -= 1
                if depth == 0 and start:
                    length = i - start[0] + 1
                    head = start[1]
                    if length > most and "(" in head and \
                            not re.match(r"(struct|class|enum|union)\b", head):
                        yield start[0] + 1, head, length
                    start = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, required=True)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    files = []
    for p in map(pathlib.Path, a.paths):
        files += sorted(p.rglob("*.cc")) if p.is_dir() else [p]
    over = 0
    for f in files:
        for line, head, length in long_functions(f, a.max):
            print(f"{f}:{line}: {head[:80]} ({length} lines, over {a.max})")
            over += 1
    if not files:
        print("function_lengths: no files", file=sys.stderr)
        return 2
    print(f"function_lengths: {len(files)} file(s), {over} function(s) over {a.max} lines")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
