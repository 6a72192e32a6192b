"""The command line the repository's checkers share (check_links.py, check_layers.py): a
`--self-test` mode, one argument naming what to check (else a default beside this folder), the
findings one per line, and "NAME: ok (N things)" or a count on stderr with exit status 1."""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(name, check, self_test, default, things, failing):
    """check(path) -> (findings, total); `things` names what was counted ("links"), `failing`
    what a finding is ("broken", "run up")."""
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    findings, total = check(sys.argv[1] if len(sys.argv) > 1 else default)
    for f in findings:
        print(f)
    if findings:
        print(f"{name}: {len(findings)} of {total} {things} {failing}", file=sys.stderr)
        return 1
    print(f"{name}: ok ({total} {things})")
    return 0
