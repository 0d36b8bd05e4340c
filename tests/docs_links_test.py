#!/usr/bin/env python3
"""Every relative link in docs/*.md and README.md, and every docs/ or
include/ path a header or source comment names, points at a file that
exists; nothing cites the contract's private copy (shared/spec/)."""
import pathlib
import re
import sys

root = pathlib.Path.cwd()
problems = []
md_files = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
for md in md_files:
    text = md.read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            path = (md.parent / target.split("#")[0]).resolve()
            if not path.exists():
                problems.append(f"{md.relative_to(root)}:{n}: link to missing {target}")
        if "shared/spec" in line:
            problems.append(f"{md.relative_to(root)}:{n}: cites shared/spec/, which vendors do not have")
sources = [p for d in ("harness", "include", "models", "examples", "fuzz", "cmake")
           for p in (root / d).rglob("*") if p.suffix in (".h", ".cc", ".cmake", ".in", ".py")]
for src in sources:
    for n, line in enumerate(src.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not re.search(r"(//|#|\*)", line):
            continue
        if "shared/spec" in line or re.search(r"\b(EXCHANGE|PROTOCOL)\.md\b", line):
            problems.append(f"{src.relative_to(root)}:{n}: cites the contract outside docs/")
        for target in re.findall(r"\b((?:docs|include)/[\w./-]+\.(?:md|h))\b", line):
            if not (root / target).exists():
                problems.append(f"{src.relative_to(root)}:{n}: names missing {target}")
for p in problems:
    print("FAIL", p)
print(f"docs_links_test: {len(md_files)} Markdown files, {len(sources)} sources, "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
