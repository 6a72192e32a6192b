#!/usr/bin/python3
"""Checks that every #include in src/ runs down the layers, never up. The layers, lowest first:
core, model, then the app's four wings formats, config, run, cli. A file may include its own
layer or a lower one. Prints each include that runs up as FILE:LINE: header (layer -> layer)
and exits 1 if there is any; prints "check_layers: ok (N includes)" otherwise.

Usage: check_layers.py [SRC]      (default: the src/ beside this script's folder)
       check_layers.py --self-test (a small tree with one include that runs up)
"""
import os
import re
import sys
import tempfile

import repo_check

ORDER = ["core", "model", "app/formats", "app/config", "app/run", "app/cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    """The layer of a path relative to src/ (the longest prefix that names one), or None."""
    best = None
    for name in ORDER:
        if path == name or path.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def check(src):
    bad, total = [], 0
    for base, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith((".cpp", ".hpp", ".h", ".inc")):
                continue
            path = os.path.join(base, f)
            rel = os.path.relpath(path, src)
            mine = layer_of(rel)
            if mine is None:
                bad.append(f"{rel}: in no layer")
                continue
            with open(path, encoding="utf-8") as fh:
                for number, line in enumerate(fh, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    theirs = layer_of(m.group(1))
                    if theirs is None:
                        continue  # a header of the same folder or a library's
                    total += 1
                    if ORDER.index(theirs) > ORDER.index(mine):
                        bad.append(f"{rel}:{number}: {m.group(1)} ({mine} -> {theirs})")
    return bad, total


def self_test():
    with tempfile.TemporaryDirectory() as src:
        for folder, name, text in [
            ("core", "a.hpp", '#include "core/b.hpp"\n'),
            ("model", "m.cpp", '#include "core/a.hpp"\n#include <vector>\n'),
            ("app/config", "c.cpp", '#include "app/formats/f.hpp"\n#include "app/run/r.hpp"\n'),
            ("app/cli", "x.cpp", '#include "app/run/r.hpp"\n#include "model/m.hpp"\n'),
        ]:
            os.makedirs(os.path.join(src, folder), exist_ok=True)
            with open(os.path.join(src, folder, name), "w") as f:
                f.write(text)
        bad, total = check(src)
        assert bad == ["app/config/c.cpp:2: app/run/r.hpp (app/config -> app/run)"], bad
        assert total == 6, total
    print("check_layers: self-test ok")


if __name__ == "__main__":
    sys.exit(repo_check.main("check_layers", check, self_test, os.path.join(repo_check.REPO, "src"), "includes", "run up"))
