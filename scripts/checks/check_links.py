#!/usr/bin/python3
"""Checks the relative links of every Markdown file in the repository: each [text](path) or
[id]: path that is not a web address must name a file or folder that exists, and a #fragment
on a Markdown target (or alone, for the same file) must name one of that file's headings, as
GitHub makes anchors of them. Code blocks and code spans are skipped. Prints each broken link
as FILE:LINE: target (why) and exits 1 if there is any; prints "check_links: ok (N links)"
otherwise.

Usage: check_links.py [ROOT]      (default: the repository holding this script)
       check_links.py --self-test (a small tree with known good and broken links)
"""
import os
import re
import sys
import tempfile

import repo_check

SKIP_DIRS = {".git", "node_modules", "fuzz-corpus"}
INLINE = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
WEB = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def markdown_files(root):
    for base, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build"))
        for f in sorted(files):
            if f.endswith(".md"):
                yield os.path.join(base, f)


def prose_lines(path, blank_code=True):
    """(line number, text) of the lines outside fenced code blocks, code spans blanked."""
    fence = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.lstrip()
            marker = re.match(r"(`{3,}|~{3,})", stripped)
            if marker:
                if fence is None:
                    fence = marker.group(1)[0]
                elif stripped.startswith(fence * 3):
                    fence = None
                continue
            if fence is None and blank_code:
                yield number, re.sub(r"(`+)(.+?)\1", lambda m: " " * len(m.group(0)), line)
            elif fence is None:
                yield number, line


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache):
    if path not in cache:
        seen, found = {}, set()
        for _, line in prose_lines(path, blank_code=False):
            m = HEADING.match(line)
            if not m:
                continue
            base = slug(m.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        cache[path] = found
    return cache[path]


def check(root):
    broken, total, cache = [], 0, {}
    for md in markdown_files(root):
        for number, line in prose_lines(md):
            targets = [m.group(1) for m in INLINE.finditer(line)]
            d = DEFINITION.match(line)
            if d:
                targets.append(d.group(1))
            for target in targets:
                if WEB.match(target):
                    continue
                total += 1
                path, _, fragment = target.partition("#")
                where = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
                rel = os.path.relpath(md, root)
                if not os.path.exists(where):
                    broken.append(f"{rel}:{number}: {target} (no such file)")
                elif fragment and where.endswith(".md") and fragment not in anchors(where, cache):
                    broken.append(f"{rel}:{number}: {target} (no heading #{fragment})")
    return broken, total


def self_test():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "docs"))
        with open(os.path.join(root, "docs", "a.md"), "w") as f:
            f.write("# Title\n\n## 2. The `model` section\n\nText.\n")
        with open(os.path.join(root, "README.md"), "w") as f:
            f.write("[a](docs/a.md) [sec](docs/a.md#2-the-model-section) [web](https://x.org/y)\n"
                    "[top](#readme) ![img](docs/missing.png)\n"
                    "```\n[in code](nowhere.md)\n```\n"
                    "`[span](nowhere.md)` [bad anchor](docs/a.md#3-none)\n"
                    "[ref]: docs/gone.md\n\n# Readme\n")
        broken, total = check(root)
        expected = ["README.md:2: docs/missing.png (no such file)",
                    "README.md:6: docs/a.md#3-none (no heading #3-none)",
                    "README.md:7: docs/gone.md (no such file)"]
        assert broken == expected, broken
        assert total == 6, total
    print("check_links: self-test ok")


if __name__ == "__main__":
    sys.exit(repo_check.main("check_links", check, self_test, repo_check.REPO, "links", "are broken"))
