#!/usr/bin/env bash
# Test of scripts/sweep/sweep.sh, scripts/studies/ablations.sh (and scripts/quddpm/plot.py when matplotlib is
# there) on a tiny config:
# n = 1, 2, both models, a swept key, 2 steps of 3 epochs. Checks the tidy CSVs' columns and
# row counts and that a rerun skips finished runs. Then the runs that cannot lie (issue 28):
# an option without its value is refused in one line naming it; a value or key given twice is
# refused, and merge_sweeps.py refuses a run counted twice; values holding `/`, `:` or `*` get
# safe, distinct, stable folder names; summarize.py lists the runs of runs.tsv it lacks and
# refuses a .partial run folder; merged.json records the merged runs and stays "complete":
# false when the merge fails or never runs (a cancelled Slurm merge job, faked here).
# Usage: check_sweep.sh QUDDPM_BINARY
set -euo pipefail
bin="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_sweep: $*" >&2; exit 1; }

cat > "$tmp/tiny.json" <<'JSON'
{"model": "original", "seed": 3, "qubits": {"data": 1, "ancilla": 1},
 "diffusion": {"steps": 2},
 "training": {"samples": 8, "diffusion_size": 16, "epochs": 3, "learning_rate": 0.01}}
JSON
sweep=("$root/scripts/sweep/sweep.sh" "$tmp/tiny.json" --qubits "1 2" --jobs 2 --bin "$bin"
       --sweep training.learning_rate=0.01,0.02 --out "$tmp/sw")
"${sweep[@]}" > "$tmp/first.log" || { cat "$tmp/first.log"; fail "sweep failed"; }

rows() { echo $(( $(wc -l < "$1") - 1 )); }
header() { head -1 "$1"; }
# 2 models x 2 n x 2 learning rates = 8 runs; 2 cycles of 3 epochs each; T + 1 = 3 cycle and
# diffusion rows; L = 2 (n + 1) layers: 4 at n = 1, 6 at n = 2.
[ "$(rows "$tmp/sw/epochs.csv")" = 48 ] || fail "epochs.csv: $(rows "$tmp/sw/epochs.csv") rows, expected 48"
[ "$(rows "$tmp/sw/cycles.csv")" = 24 ] || fail "cycles.csv rows"
[ "$(rows "$tmp/sw/diffusion.csv")" = 24 ] || fail "diffusion.csv rows"
[ "$(rows "$tmp/sw/layers.csv")" = $(( 2 * 2 * 6 * (4 + 6) )) ] || fail "layers.csv rows"
[ "$(header "$tmp/sw/epochs.csv")" = "training.learning_rate,model,run_id,seed,n_data,n_ancilla,t,epoch,loss,grad_norm" ] ||
  fail "epochs.csv header: $(header "$tmp/sw/epochs.csv")"
[ "$(header "$tmp/sw/layers.csv")" = "training.learning_rate,model,run_id,seed,n_data,n_ancilla,t,epoch,layer,grad_norm" ] ||
  fail "layers.csv header"
# Each (model, n, learning rate) appears, with the swept value in its column and its run's id
# (12 hex digits, one per run) and seed.
for m in original improved; do for n in 1 2; do for lr in 0.01 0.02; do
  c=$(grep -c "^$lr,$m,[0-9a-f]\{12\},[0-9]*,$n," "$tmp/sw/epochs.csv" || true)
  [ "$c" = 6 ] || fail "epochs.csv: $c rows for $m n=$n lr=$lr, expected 6"
done; done; done
[ "$(cut -d, -f3 "$tmp/sw/epochs.csv" | tail -n +2 | sort -u | wc -l)" = 8 ] || fail "epochs.csv: not 8 run ids"
# --set model=improved takes the improved preset (schedule, prior, init) from the config.
grep -q '"uniform"' "$tmp/sw/improved_n2_training.learning_rate=0.02/config.json" || fail "improved preset not applied"
grep -q '"normal"' "$tmp/sw/original_n2_training.learning_rate=0.02/config.json" || fail "original preset not applied"

# A rerun skips every finished run and gives the same tidy CSVs.
cp "$tmp/sw/epochs.csv" "$tmp/epochs.before"
"${sweep[@]}" > "$tmp/second.log" || fail "rerun failed"
[ "$(grep -c '^skip' "$tmp/second.log")" = 8 ] || { cat "$tmp/second.log"; fail "rerun did not skip 8 runs"; }
grep -q '^run' "$tmp/second.log" && fail "rerun ran something again"
cmp -s "$tmp/epochs.before" "$tmp/sw/epochs.csv" || fail "rerun changed epochs.csv"

# Packing (no --jobs, no --threads): widest run first; on 3 cores the 10-qubit run (9 data + 1
# ancilla) gets two threads and leaves one for the 2-qubit run; the choice is printed, and each
# run's manifest records the threads it ran on.
"$root/scripts/sweep/sweep.sh" "$tmp/tiny.json" --qubits "1 9" --models original --cores 3 \
  --bin "$bin" --out "$tmp/pack" > "$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; fail "packed sweep failed"; }
grep -q "^sweep.sh: 2 runs on 3 cores: one thread per run" "$tmp/pack.log" || { cat "$tmp/pack.log"; fail "packing: the choice is not printed"; }
[ "$(grep '^start' "$tmp/pack.log" | tr '\n' '|')" = "start  original_n9 on 2 thread(s)|start  original_n1 on 1 thread(s)|" ] ||
  { cat "$tmp/pack.log"; fail "packing: not the widest run first on 2 threads, then 1"; }
for r in "original_n9 2" "original_n1 1"; do
  set -- $r
  /usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(0 if m["sessions"][-1]["threads"] == int(sys.argv[2]) else 1)' \
    "$tmp/pack/$1/manifest.json" "$2" || fail "packing: $1 did not run on $2 threads"
done

# plot.py writes non-empty PNGs (when Debian's matplotlib is installed).
if [ -f "$root/scripts/quddpm/plot.py" ] && /usr/bin/python3 -c "import matplotlib" 2> /dev/null; then
  env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.plot "$tmp/sw" --out "$tmp/fig" > "$tmp/plot.log" 2>&1 ||
    { cat "$tmp/plot.log"; fail "plot.py failed"; }
  for f in loss_curves grad_norm_vs_qubits kl_vs_cycle mmd_to_data_vs_cycle diffusion_mmd_to_haar grad_norm_by_cycle layer_grad_norms; do
    [ -s "$tmp/fig/$f.png" ] || { cat "$tmp/plot.log"; fail "plot.py: $f.png missing or empty"; }
  done
fi
# scripts/studies/ablations.sh end to end on a tiny version (n = 1, two end points, 2 steps of 3 epochs).
"$root/scripts/studies/ablations.sh" --qubits 1 --ends 0.25,4 --jobs 2 --threads 1 --bin "$bin" \
  --set diffusion.steps=2 --set training.epochs=3 --set training.samples=8 \
  --set training.diffusion_size=16 --out "$tmp/abl" > "$tmp/abl.log" 2>&1 ||
  { cat "$tmp/abl.log"; fail "ablations.sh failed"; }
[ "$(rows "$tmp/abl/diffusion_strength/cycles.csv")" = 6 ] || fail "ablations: diffusion_strength rows"
[ "$(rows "$tmp/abl/init_scale/cycles.csv")" = 9 ] || fail "ablations: init_scale rows"
[ "$(cut -d, -f1 "$tmp/abl/init_scale/cycles.csv" | sort -u | tr '\n' ' ')" = "1_over_L 1_over_sqrtL init normal " ] ||
  fail "ablations: init column"
if /usr/bin/python3 -c "import matplotlib" 2> /dev/null; then
  [ -s "$tmp/abl/diffusion_strength/figures/sweep_diffusion.schedule.end.png" ] || fail "ablations: no strength figure"
  [ -s "$tmp/abl/init_scale/figures/sweep_init.png" ] || fail "ablations: no init figure"
fi
# merge_sweeps.py: refuses rows that cannot say which run they belong to; with --fill, keeps
# every row of both sweeps under the union of their swept keys.
merge=(env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.merge_sweeps)
"${merge[@]}" "$tmp/mg_bad" "$tmp/sw" "$tmp/abl/diffusion_strength" > /dev/null 2> "$tmp/merge.err" &&
  fail "merge_sweeps.py accepted rows without the swept key"
grep -q "give --fill" "$tmp/merge.err" || { cat "$tmp/merge.err"; fail "merge_sweeps.py: unclear error"; }
[ -e "$tmp/mg_bad/cycles.csv" ] && fail "merge_sweeps.py left a cycles.csv after failing"
"${merge[@]}" "$tmp/mg" "$tmp/sw" "$tmp/abl/diffusion_strength" \
  --fill diffusion.schedule.end original=4 --fill diffusion.schedule.end improved=0.55 \
  --fill training.learning_rate improved=0.005 > /dev/null || fail "merge_sweeps.py failed"
for kind in cycles epochs diffusion; do
  want=$(( $(rows "$tmp/sw/$kind.csv") + $(rows "$tmp/abl/diffusion_strength/$kind.csv") ))
  [ "$(rows "$tmp/mg/$kind.csv")" = "$want" ] || fail "merge_sweeps.py: $kind.csv rows"
done
head -1 "$tmp/mg/cycles.csv" | grep -q '^training.learning_rate,diffusion.schedule.end,model,' ||
  fail "merge_sweeps.py: swept-key columns"
# A swept seed is a key column (before model) and is not repeated among the run's columns;
# a tag that contradicts the rows' own seed is refused.
"${merge[@]}" "$tmp/mg_seed" "$tmp/sw/original_n1_training.learning_rate=0.01:seed=3" > /dev/null ||
  fail "merge_sweeps.py: seed tag"
head -1 "$tmp/mg_seed/cycles.csv" | grep -q '^seed,model,run_id,n_data,' ||
  fail "merge_sweeps.py: seed columns: $(head -1 "$tmp/mg_seed/cycles.csv")"
"${merge[@]}" "$tmp/mg_seed2" "$tmp/sw/original_n1_training.learning_rate=0.01:seed=2" > /dev/null 2> "$tmp/merge.err" &&
  fail "merge_sweeps.py accepted a seed tag that contradicts the rows"
grep -q "tagged seed=2, but its rows say seed=3" "$tmp/merge.err" || { cat "$tmp/merge.err"; fail "merge_sweeps.py: unclear seed error"; }
# summarize.py: one column per run of the sweep, and the run times add up the cycles.
env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.summarize "$tmp/sw" --out "$tmp/summary.md" > /dev/null ||
  fail "summarize.py failed"
[ "$(head -1 "$tmp/summary.md" | grep -o ' n=' | wc -l)" = 8 ] || fail "summarize.py: not 8 runs"
grep -q '^| first-cycle mean gradient norm |' "$tmp/summary.md" || fail "summarize.py: no gradient row"

# --- Runs that cannot lie ---
# sweep.sh "$@" (after the case $1 and the text $2) is refused in one line of its own (never
# bash's words), exit 2, saying $2.
refused() {
  local what="$1" want="$2" status=0
  shift 2
  "$root/scripts/sweep/sweep.sh" "$@" > /dev/null 2> "$tmp/refused.err" || status=$?
  [ "$status" = 2 ] || { cat "$tmp/refused.err"; fail "$what: exit status $status, expected 2"; }
  [ "$(wc -l < "$tmp/refused.err")" = 1 ] || { cat "$tmp/refused.err"; fail "$what: not one line"; }
  grep -q '^sweep.sh: ' "$tmp/refused.err" && grep -qF -- "$want" "$tmp/refused.err" ||
    { cat "$tmp/refused.err"; fail "$what: the message does not say '$want'"; }
}
base=("$tmp/tiny.json" --qubits 1 --models original --bin "$bin")
refused "--out last" "sweep.sh: --out: expected a folder after it, found nothing" "${base[@]}" --out
refused "--out before --jobs" "--out: expected a folder, found the option '--jobs'" "${base[@]}" --out --jobs 2
refused "--sweep last" "--sweep: expected key=v1,v2,... after it, found nothing" "${base[@]}" --sweep
refused "--jobs empty" "--jobs: expected a positive integer, found an empty value" "${base[@]}" --jobs ""
# One run counted twice: a value twice, a key twice, two spellings of one value (one run id).
refused "a value twice" "--sweep seed: the value '1' is listed twice" "${base[@]}" --sweep seed=1,1 --out "$tmp/dup"
refused "a key twice" "--sweep seed: the key is given twice (--sweep seed=1,2 and --sweep seed=3)" \
  "${base[@]}" --sweep seed=1,2 --sweep seed=3 --out "$tmp/dup"
refused "one run id twice" "are one run (run id" "${base[@]}" --sweep training.learning_rate=0.01,1e-2 --out "$tmp/dup"
[ -e "$tmp/dup" ] && fail "a refused sweep wrote $tmp/dup"
"${merge[@]}" "$tmp/mg_dup" "$tmp/sw/original_n1_training.learning_rate=0.01:training.learning_rate=0.01" \
  "$tmp/sw/original_n1_training.learning_rate=0.01:training.learning_rate=0.02" > /dev/null 2> "$tmp/merge.err" &&
  fail "merge_sweeps.py merged one run twice"
grep -q "one run would be counted twice" "$tmp/merge.err" || { cat "$tmp/merge.err"; fail "merge_sweeps.py: unclear duplicate error"; }

# The 8 ordinary folder names keep their old form (finished sweeps are skipped by name); values
# with `/`, `:` and `*` (two target files) get %XX per byte; the CSVs keep the values as given.
[ "$(cut -f1 "$tmp/sw/runs.tsv" | tr '\n' ' ')" = "$(for lr in 0.01 0.02; do for m in original improved; do
  for n in 1 2; do printf '%s ' "${m}_n${n}_training.learning_rate=$lr"; done; done; done)" ] ||
  fail "ordinary folder names changed: $(cut -f1 "$tmp/sw/runs.tsv" | tr '\n' ' ')"
mkdir -p "$tmp/targets/a" "$tmp/targets/b:2"
/usr/bin/python3 - "$tmp/targets/a/s.npy" "$tmp/targets/b:2/s*.npy" <<'PY'
import sys
import numpy as np
for i, path in enumerate(sys.argv[1:]):
    x = np.random.default_rng(i).normal(size=(16, 4)).view(complex)
    np.save(path, (x / np.linalg.norm(x, axis=1, keepdims=True)).astype("<c16"))
PY
paths=("${base[@]}" --set target.kind=npy --sweep 'target.path=targets/a/s.npy,targets/b:2/s*.npy' --out "$tmp/paths")
"$root/scripts/sweep/sweep.sh" "${paths[@]}" > "$tmp/paths.log" 2>&1 || { cat "$tmp/paths.log"; fail "sweep over target paths failed"; }
for d in "original_n1_target.path=targets%2Fa%2Fs.npy" "original_n1_target.path=targets%2Fb%3A2%2Fs%2A.npy"; do
  [ -f "$tmp/paths/$d/params.npy" ] || { cat "$tmp/paths.log"; fail "no finished run folder $d"; }
  [ -s "$tmp/paths/logs/$d.log" ] || fail "no log logs/$d.log"
done
[ "$(cut -d, -f1,3 "$tmp/paths/cycles.csv" | tail -n +2 | sort -u | cut -d, -f1 | tr '\n' ' ')" = "targets/a/s.npy targets/b:2/s*.npy " ] ||
  fail "target paths: cycles.csv values or run ids: $(cut -d, -f1,3 "$tmp/paths/cycles.csv" | sort -u)"
"$root/scripts/sweep/sweep.sh" "${paths[@]}" > "$tmp/paths2.log" 2>&1 || fail "rerun over target paths failed"
[ "$(grep -c '^skip' "$tmp/paths2.log")" = 2 ] || { cat "$tmp/paths2.log"; fail "rerun did not skip the 2 target-path runs"; }

# merged.json of a finished sweep: complete, one input per run of runs.tsv with its run id.
/usr/bin/python3 - "$tmp/sw" <<'PY' || fail "merged.json does not record the merged runs"
import csv, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "merged.json")))
names = sorted(l.split("\t")[0] for l in open(os.path.join(d, "runs.tsv")).read().splitlines())
ids = sorted({r["run_id"] for r in csv.DictReader(open(os.path.join(d, "cycles.csv")))})
assert m["complete"] is True, m
assert sorted(i["folder"] for i in m["inputs"]) == names, m["inputs"]
assert all(len(i["run_ids"]) == 1 for i in m["inputs"]) and m["run_ids"] == ids, m
assert m["files"]["epochs.csv"]["rows"] == 48, m["files"]
PY
# A merge job that never runs (cancelled; this sbatch submits nothing) leaves the earlier CSVs
# marked stale: summarize.py and merge_sweeps.py refuse them until the merge is redone.
mkdir -p "$tmp/fakebin"
printf '#!/bin/sh\necho 4242\n' > "$tmp/fakebin/sbatch"
chmod +x "$tmp/fakebin/sbatch"
PATH="$tmp/fakebin:$PATH" "$root/scripts/sweep/sweep.sh" "$tmp/tiny.json" --qubits "1 2" --bin "$bin" \
  --sweep training.learning_rate=0.01,0.02 --out "$tmp/sw" --slurm > /dev/null || fail "fake submission failed"
grep -q '"complete": false' "$tmp/sw/merged.json" || fail "merged.json not marked incomplete while the merge job is pending"
env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.summarize "$tmp/sw" > /dev/null 2> "$tmp/sum.err" && fail "summarize.py used stale CSVs"
grep -q "merged.json: the merge did not finish (sweep.sh submitted the runs" "$tmp/sum.err" ||
  { cat "$tmp/sum.err"; fail "summarize.py: unclear stale-CSV error"; }
"${merge[@]}" "$tmp/mg_stale" "$tmp/sw" > /dev/null 2> "$tmp/merge.err" && fail "merge_sweeps.py merged stale CSVs"
grep -q "its merge did not finish" "$tmp/merge.err" || { cat "$tmp/merge.err"; fail "merge_sweeps.py: unclear stale error"; }
"$root/scripts/sweep/sweep_merge.sh" "$tmp/sw" > /dev/null || fail "sweep_merge.sh failed"
grep -q '"complete": true' "$tmp/sw/merged.json" || fail "sweep_merge.sh did not mark merged.json complete"
# A merge that fails on the way leaves complete: false with its reason.
"${merge[@]}" "$tmp/mg" "$tmp/sw" "$tmp/abl/diffusion_strength" > /dev/null 2>&1 && fail "merge without --fill succeeded"
grep -q '"complete": false' "$tmp/mg/merged.json" && grep -q 'give --fill' "$tmp/mg/merged.json" ||
  { cat "$tmp/mg/merged.json"; fail "a failed merge did not mark merged.json incomplete with its reason"; }

# summarize.py on a sweep with a killed run (its .partial left) and one that never started: the
# table says which runs it lacks; a run finished after the merge is named too.
u="improved_n2_training.learning_rate=0.02" m="original_n2_training.learning_rate=0.01"
mv "$tmp/sw/$u" "$tmp/sw/$u.partial"
rm -r "${tmp:?}/sw/$m"
"$root/scripts/sweep/sweep_merge.sh" "$tmp/sw" > "$tmp/merge6.log" && fail "sweep_merge.sh: exit 0 with 2 runs unfinished"
env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.summarize "$tmp/sw" --out "$tmp/summary6.md" > /dev/null 2> "$tmp/sum.err" ||
  { cat "$tmp/sum.err"; fail "summarize.py failed on a sweep with unfinished runs"; }
grep -qF "summarize.py: not in the table: $u (unfinished: $u.partial" "$tmp/sum.err" ||
  { cat "$tmp/sum.err"; fail "summarize.py: the unfinished run is not listed"; }
grep -qF "summarize.py: not in the table: $m (missing: no folder" "$tmp/sum.err" ||
  { cat "$tmp/sum.err"; fail "summarize.py: the missing run is not listed"; }
grep -qF "Not in the table: 2 of the 8 runs of runs.tsv: $m (missing); $u (unfinished)." "$tmp/summary6.md" ||
  { cat "$tmp/summary6.md"; fail "summarize.py: the caption does not list the 2 runs"; }
[ "$(head -1 "$tmp/summary6.md" | grep -o ' n=' | wc -l)" = 6 ] || fail "summarize.py: not 6 runs"
mv "$tmp/sw/$u.partial" "$tmp/sw/$u"
env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.summarize "$tmp/sw" > /dev/null 2> "$tmp/sum.err" || fail "summarize.py failed"
grep -qF "not in the table: $u (finished, but not in the merged CSVs" "$tmp/sum.err" ||
  { cat "$tmp/sum.err"; fail "summarize.py: a run finished after the merge is not listed"; }
# A .partial run folder given directly: refused in one line, unless --allow-partial.
cp -r "$tmp/sw/$u" "$tmp/sw/$m.partial"
env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.summarize "$tmp/sw/$m.partial" > /dev/null 2> "$tmp/sum.err" &&
  fail "summarize.py summarized a .partial folder"
[ "$(wc -l < "$tmp/sum.err")" = 1 ] && grep -q "an unfinished run .*pass --allow-partial" "$tmp/sum.err" ||
  { cat "$tmp/sum.err"; fail "summarize.py: unclear .partial error"; }
env PYTHONPATH="$root/scripts" /usr/bin/python3 -m quddpm.summarize "$tmp/sw/$m.partial" --allow-partial 2> /dev/null | grep -q "Unfinished run" ||
  fail "summarize.py --allow-partial does not say the run is unfinished"
echo "check_sweep: ok"
