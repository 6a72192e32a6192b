#!/usr/bin/env bash
# Runs one config over qubit counts x models (x any --sweep key values), one folder per run,
# then concatenates every finished run's traces into one tidy CSV per kind (DIR/epochs.csv,
# layers.csv, cycles.csv, diffusion.csv) with a column per swept key. Locally, up to --jobs
# runs at a time; with --slurm, as one Slurm job array (a task per run) and a dependent job
# that merges the CSVs and draws the figures.
#
#   scripts/sweep.sh CONFIG --qubits "1 4 7" [--models "original improved"]
#                    [--set key=value]... [--sweep key=v1,v2,...]... [--jobs J] [--threads T]
#                    [--out DIR] [--bin PATH]
#                    [--slurm [--partition P] [--account A] [--time T] [--cpus-per-task C]
#                             [--mem M] [--throttle K] [--signal-seconds S]
#                             [--sbatch-arg ARG]... [--dry-run]]
#
# Run folders: DIR/<model>_n<N>[_<key>=<v>...]. A folder without `.partial` is finished and
# skipped; a `.partial` one (interrupted) is continued with `train --resume`, so running the
# same sweep again (or resubmitting it) continues where it stopped. Every run's config is
# checked (`quddpm config`) before anything starts, and a folder made by another config is
# refused. Logs: DIR/logs/<run>.log. Each finished run with a prior.npy gets a floor.csv
# (scripts/kl_floor.py), concatenated into DIR/floor.csv like the traces. Exit status 1 if any
# run failed (the others are still concatenated).
#
# Slurm: --cpus-per-task (default 1) becomes each run's --threads; --mem defaults to the
# largest run's memory estimate plus a margin; --time may be shorter than a run, since each task
# asks for SIGTERM --signal-seconds (default 120) before its limit, checkpoints and requeues
# itself; --throttle K runs at most K tasks at once (array "%K"); --sbatch-arg passes any other
# sbatch option (repeatable). --dry-run prints the two batch scripts and writes nothing.
set -uo pipefail

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "sweep.sh: $*" >&2; exit 2; }

here="$(cd "$(dirname "$0")/.." && pwd)"
config="" qubits="" models="original improved" jobs=1 threads=1 out="" bin=""
slurm=0 dry_run=0 partition="" account="" time_limit="" cpus="" mem="" throttle=""
signal_seconds=120
sets=() sweeps=() sbatch_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --qubits) qubits="${2:?}"; shift 2 ;;
    --models) models="${2:?}"; shift 2 ;;
    --set) sets+=("${2:?}"); shift 2 ;;
    --sweep) sweeps+=("${2:?}"); shift 2 ;;
    --jobs) jobs="${2:?}"; shift 2 ;;
    --threads) threads="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    --bin) bin="${2:?}"; shift 2 ;;
    --slurm) slurm=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    --partition) partition="${2:?}"; shift 2 ;;
    --account) account="${2:?}"; shift 2 ;;
    --time) time_limit="${2:?}"; shift 2 ;;
    --cpus-per-task) cpus="${2:?}"; shift 2 ;;
    --mem) mem="${2:?}"; shift 2 ;;
    --throttle) throttle="${2:?}"; shift 2 ;;
    --signal-seconds) signal_seconds="${2:?}"; shift 2 ;;
    --sbatch-arg) sbatch_args+=("${2:?}"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$config" ] || die "one config only, got '$config' and '$1'"; config="$1"; shift ;;
  esac
done
[ -n "$config" ] || die "no CONFIG given (see --help)"
[ -f "$config" ] || die "$config: no such file"
[ -n "$qubits" ] || die "--qubits: no qubit counts given"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: expected a positive integer, found '$jobs'"
for n in $qubits; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--qubits: '$n' is not a positive integer"; done
for m in $models; do [[ "$m" =~ ^(original|improved)$ ]] || die "--models: '$m' is not original or improved"; done
if [ "$slurm" = 0 ]; then
  for o in partition account time_limit cpus mem throttle; do
    [ -z "${!o}" ] || die "--${o//_/-}: only with --slurm"
  done
  [ "$dry_run" = 0 ] || die "--dry-run: only with --slurm"
  [ ${#sbatch_args[@]} = 0 ] || die "--sbatch-arg: only with --slurm"
fi
if [ "$slurm" = 1 ]; then
  [ -z "$cpus" ] || [[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "--cpus-per-task: expected a positive integer, found '$cpus'"
  [ -z "$throttle" ] || [[ "$throttle" =~ ^[1-9][0-9]*$ ]] || die "--throttle: expected a positive integer, found '$throttle'"
  [[ "$signal_seconds" =~ ^[1-9][0-9]*$ ]] || die "--signal-seconds: expected a positive integer, found '$signal_seconds'"
  [ -z "$mem" ] || [[ "$mem" =~ ^[1-9][0-9]*[KMGT]?$ ]] || die "--mem: expected a size such as 4000M or 8G, found '$mem'"
  threads="${cpus:-1}"
  if [ "$dry_run" = 0 ]; then
    command -v sbatch > /dev/null || die "--slurm: sbatch not found (is Slurm installed and on PATH? --dry-run prints the scripts without it)"
  fi
fi
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads: expected a positive integer, found '$threads'"
[ -n "$out" ] || out="runs/sweep_$(basename "${config%.json}")"
if [ -z "$bin" ]; then
  for b in "$here/build/quddpm" "$here/build-sw/quddpm"; do [ -x "$b" ] && { bin="$b"; break; }; done
fi
[ -n "$bin" ] && [ -x "$bin" ] || die "no quddpm executable (build it, or pass --bin)"
py=/usr/bin/python3
[ -x "$py" ] || die "$py not found (Debian's python3 is needed for the concatenation)"
# Absolute paths: Slurm tasks may start elsewhere.
config="$(realpath "$config")" bin="$(realpath "$bin")"
out="$(realpath -m "$out")"

# Swept keys and their value lists.
keys=() ; vals=()
for s in "${sweeps[@]+"${sweeps[@]}"}"; do
  [[ "$s" == *=* ]] || die "--sweep: expected key=v1,v2,..., found '$s'"
  keys+=("${s%%=*}"); vals+=("${s#*=}")
done

# Every combination of the swept values, as lines "k1=v1 k2=v2 ...".
combos=("")
for i in "${!keys[@]}"; do
  next=()
  IFS=',' read -r -a vs <<< "${vals[$i]}"
  for c in "${combos[@]}"; do
    for v in "${vs[@]}"; do next+=("${c:+$c }${keys[$i]}=$v"); done
  done
  combos=("${next[@]}")
done

# The runs, as lines "name<TAB>model<TAB>n<TAB>k1=v1 k2=v2": each checked by `quddpm config`
# (its run id, and its memory estimate for --mem) before anything is written or started.
runs="" max_bytes=0 count=0
for combo in "${combos[@]}"; do
  for model in $models; do
    for n in $qubits; do
      name="${model}_n${n}"
      for kv in $combo; do name+="_$kv"; done
      args=(config "$config" --set "model=$model" --set "qubits.data=$n")
      for s in "${sets[@]+"${sets[@]}"}"; do args+=(--set "$s"); done
      for kv in $combo; do args+=(--set "$kv"); done
      info=$("$bin" "${args[@]}" 2>&1) || die "run $name: ${info#quddpm: }"
      read -r id bytes < <("$py" -c 'import json,sys; j=json.load(sys.stdin); print(j["run_id"], j["estimated_bytes"])' <<< "$info")
      [ "$bytes" -gt "$max_bytes" ] && max_bytes=$bytes
      # A folder of this sweep made by another config is not this run: refuse, never skip it.
      for d in "$out/$name" "$out/$name.partial"; do
        [ -f "$d/config.json" ] || continue
        have=$("$bin" config "$d/config.json" 2> /dev/null | "$py" -c 'import json,sys; print(json.load(sys.stdin)["run_id"])' 2> /dev/null)
        [ "$have" = "$id" ] || die "$d: made by another config (run id ${have:-unknown}, this sweep's is $id); use another --out, or move it away"
      done
      runs+="$name"$'\t'"$model"$'\t'"$n"$'\t'"$combo"$'\n'
      count=$((count + 1))
    done
  done
done

# What every run shares, for scripts/sweep_run.sh (sourced by bash).
conf="config=$(printf '%q' "$config")
bin=$(printf '%q' "$bin")
threads=$threads
sets=("
for s in "${sets[@]+"${sets[@]}"}"; do conf+="--set $(printf '%q' "$s") "; done
conf+=")"

if [ "$slurm" = 1 ]; then
  # --mem: the largest run's estimate plus a quarter and 256 MB (the executable, the CSVs).
  [ -n "$mem" ] || mem="$(( (max_bytes + max_bytes / 4) / 1048576 + 256 ))M"
  slurm_dir="$out/slurm"
  array="#!/usr/bin/env bash
#SBATCH --job-name=quddpm-$(basename "$out")
#SBATCH --array=0-$((count - 1))${throttle:+%$throttle}
#SBATCH --cpus-per-task=$threads
#SBATCH --mem=$mem
#SBATCH --signal=B:TERM@$signal_seconds
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=$out/logs/slurm/%A_%a.out"
  [ -n "$time_limit" ] && array+=$'\n'"#SBATCH --time=$time_limit"
  [ -n "$partition" ] && array+=$'\n'"#SBATCH --partition=$partition"
  [ -n "$account" ] && array+=$'\n'"#SBATCH --account=$account"
  for a in "${sbatch_args[@]+"${sbatch_args[@]}"}"; do array+=$'\n'"#SBATCH $a"; done
  array+="
# One run per array task: line SLURM_ARRAY_TASK_ID + 1 of runs.tsv.
name=\$(sed -n \"\$((SLURM_ARRAY_TASK_ID + 1))p\" $(printf '%q' "$out/runs.tsv") | cut -f1)
exec $(printf '%q' "$here/scripts/sweep_run.sh") $(printf '%q' "$out") \"\$name\""
  merge="#!/usr/bin/env bash
#SBATCH --job-name=quddpm-$(basename "$out")-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --output=$out/logs/slurm/merge_%j.out"
  [ -n "$partition" ] && merge+=$'\n'"#SBATCH --partition=$partition"
  [ -n "$account" ] && merge+=$'\n'"#SBATCH --account=$account"
  merge+="
# After every task of the array has ended (afterany): the tidy CSVs, the figures, the failures.
exec $(printf '%q' "$here/scripts/sweep_merge.sh") $(printf '%q' "$out") --figures"
  if [ "$dry_run" = 1 ]; then
    echo "# $slurm_dir/array.sbatch ($count tasks; runs in $out/runs.tsv)"
    echo "$array"
    echo
    echo "# $slurm_dir/merge.sbatch (sbatch --dependency=afterany:<array job id>)"
    echo "$merge"
    echo
    echo "# runs.tsv"
    printf '%s' "$runs"
    exit 0
  fi
fi

mkdir -p "$out/logs" || die "$out: cannot create"
printf '%s' "$runs" > "$out/runs.tsv"
printf '%s\n' "$conf" > "$out/sweep.conf"

if [ "$slurm" = 1 ]; then
  mkdir -p "$slurm_dir" "$out/logs/slurm" || die "$slurm_dir: cannot create"
  printf '%s\n' "$array" > "$slurm_dir/array.sbatch"
  printf '%s\n' "$merge" > "$slurm_dir/merge.sbatch"
  # Slurm's own words when it refuses (a bad partition or account).
  if ! job=$(sbatch --parsable "$slurm_dir/array.sbatch" 2>&1); then
    die "sbatch refused the array job: ${job//$'\n'/ }"
  fi
  job="${job%%;*}"
  if ! mjob=$(sbatch --parsable --dependency="afterany:$job" "$slurm_dir/merge.sbatch" 2>&1); then
    die "sbatch refused the merge job (array job $job is queued): ${mjob//$'\n'/ }"
  fi
  mjob="${mjob%%;*}"
  printf '%s\n%s\n' "$job" "$mjob" > "$slurm_dir/job_ids"
  echo "submitted array job $job ($count tasks) and merge job $mjob (after it)"
  echo "follow: squeue -j $job,$mjob; results: $out/*.csv; failures: $out/logs/"
  exit 0
fi

failed=0
while IFS=$'\t' read -r name _; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || failed=1; done
  "$here/scripts/sweep_run.sh" "$out" "$name" &
done < "$out/runs.tsv"
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
"$here/scripts/sweep_merge.sh" "$out" || failed=1
exit $failed
