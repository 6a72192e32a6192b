#!/usr/bin/env bash
# Cross-checks `quddpm metrics` against the independent NumPy implementation of docs/model.md, section 6
# (scripts/quddpm/reference_metrics.py) on generated ensembles: every key must agree to 1e-10.
# Usage: scripts/checks/check_metrics_reference.sh [path/to/quddpm]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=${1:-$here/../../build/quddpm}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

env PYTHONPATH="$here/.." "$py" -m quddpm.reference_metrics --generate "$work" >/dev/null
pairs=0
for a in "$work"/*.npy; do
  for b in "$work"/*.npy; do
    # Compare only ensembles of the same qubit count (files are named <kind>_n<k>_N<m>.npy).
    [ "$(basename "$a" | cut -d_ -f2)" = "$(basename "$b" | cut -d_ -f2)" ] || continue
    ours=$("$exe" metrics --model "$a" --target "$b")
    ref=$(env PYTHONPATH="$here/.." "$py" -m quddpm.reference_metrics --model "$a" --target "$b")
    "$py" - "$ours" "$ref" "$(basename "$a") vs $(basename "$b")" <<'PY'
import json, sys
ours, ref, name = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
assert set(ours) == set(ref), f"{name}: keys differ: {sorted(ours)} vs {sorted(ref)}"
diff = max(abs(ours[k] - ref[k]) for k in ref)
print(f"{name}: max |quddpm - numpy| = {diff:.2e}")
if not diff <= 1e-10:
    sys.exit(f"{name}: disagreement {diff} > 1e-10")
PY
    pairs=$((pairs + 1))
  done
done
echo "$pairs passed, 0 failed"
