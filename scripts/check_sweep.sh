#!/usr/bin/env bash
# Test of scripts/sweep.sh, scripts/ablations.sh (and scripts/plot.py when matplotlib is
# there) on a tiny config:
# n = 1, 2, both models, a swept key, 2 steps of 3 epochs. Checks the tidy CSVs' columns and
# row counts and that a rerun skips finished runs. Usage: check_sweep.sh QUDDPM_BINARY
set -euo pipefail
bin="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_sweep: $*" >&2; exit 1; }

cat > "$tmp/tiny.json" <<'JSON'
{"model": "original", "seed": 3, "qubits": {"data": 1, "ancilla": 1},
 "diffusion": {"steps": 2},
 "training": {"samples": 8, "diffusion_size": 16, "epochs": 3, "learning_rate": 0.01}}
JSON
sweep=("$root/scripts/sweep.sh" "$tmp/tiny.json" --qubits "1 2" --jobs 2 --bin "$bin"
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

# plot.py writes non-empty PNGs (when Debian's matplotlib is installed).
if [ -f "$root/scripts/plot.py" ] && /usr/bin/python3 -c "import matplotlib" 2> /dev/null; then
  /usr/bin/python3 "$root/scripts/plot.py" "$tmp/sw" --out "$tmp/fig" > "$tmp/plot.log" 2>&1 ||
    { cat "$tmp/plot.log"; fail "plot.py failed"; }
  for f in loss_curves grad_norm_vs_qubits kl_vs_cycle mmd_to_data_vs_cycle diffusion_mmd_to_haar grad_norm_by_cycle layer_grad_norms; do
    [ -s "$tmp/fig/$f.png" ] || { cat "$tmp/plot.log"; fail "plot.py: $f.png missing or empty"; }
  done
fi
# scripts/ablations.sh end to end on a tiny version (n = 1, two end points, 2 steps of 3 epochs).
"$root/scripts/ablations.sh" --qubits 1 --ends 0.25,4 --jobs 2 --threads 1 --bin "$bin" \
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
merge=(/usr/bin/python3 "$root/scripts/merge_sweeps.py")
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
/usr/bin/python3 "$root/scripts/summarize.py" "$tmp/sw" --out "$tmp/summary.md" > /dev/null ||
  fail "summarize.py failed"
[ "$(head -1 "$tmp/summary.md" | grep -o ' n=' | wc -l)" = 8 ] || fail "summarize.py: not 8 runs"
grep -q '^| first-cycle mean gradient norm |' "$tmp/summary.md" || fail "summarize.py: no gradient row"
echo "check_sweep: ok"
