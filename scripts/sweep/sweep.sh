#!/usr/bin/env bash
# Runs one config over qubit counts x models (x any --sweep key values), one folder per run,
# then concatenates every finished run's traces into one tidy CSV per kind (DIR/epochs.csv,
# layers.csv, cycles.csv, diffusion.csv) with a column per swept key. Locally, the runs are
# packed onto the cores; with --slurm, as one Slurm job array (a task per run) and a dependent
# job that merges the CSVs and draws the figures.
#
#   scripts/sweep/sweep.sh CONFIG --qubits "1 4 7" [--models "original improved"]
#                    [--set key=value]... [--sweep key=v1,v2,...]... [--jobs J] [--threads T]
#                    [--cores C] [--out DIR] [--bin PATH]
#                    [--slurm [--partition P] [--account A] [--time T] [--cpus-per-task C]
#                             [--mem M] [--throttle K] [--signal-seconds S]
#                             [--sbatch-arg ARG]... [--dry-run]]
#
# Packing (local runs): by default, jobs x threads = cores (--cores, default `nproc`). Runs
# start widest first, one thread each, as many at a time as there are cores: separate runs
# share nothing, so that is the fastest use of the cores while runs are waiting. A run of at
# least 10 qubits (data + ancilla; from there a second thread speeds an epoch up 1.8x, results/
# bench/threads_under_load.md) that starts when fewer runs than free cores remain gets those
# cores' threads, less one for each run still to start. The choice is printed. --jobs J and/or --threads T fix it instead (the other
# one then fills the cores). Results are the same bits whatever the thread count.
#
# Run folders: DIR/<model>_n<N>[_<key>=<v>...]. A folder without `.partial` is finished and
# skipped; a `.partial` one (interrupted) is continued with `train --resume`, so running the
# same sweep again (or resubmitting it) continues where it stopped. Every run's config is
# checked (`quddpm config`) before anything starts, and a folder made by another config is
# refused. Logs: DIR/logs/<run>.log. Each finished run with a prior.npy gets a floor.csv
# (scripts/quddpm/kl_floor.py), concatenated into DIR/floor.csv like the traces. Exit status 1 if any
# run failed (the others are still concatenated).
#
# Slurm: --cpus-per-task (default 1) becomes each run's --threads; --mem defaults to the
# largest run's memory estimate plus a margin; --time may be shorter than a run, since each task
# asks for SIGTERM --signal-seconds (default 120) before its limit, checkpoints and requeues
# itself; --throttle K runs at most K tasks at once (array "%K"); --sbatch-arg passes any other
# sbatch option (repeatable). --dry-run prints the two batch scripts and writes nothing.
#
# Arguments are checked before anything runs; a bad one stops the sweep with one line naming
# the option and what it expects (exit status 2). Every option but --slurm, --dry-run and
# --help takes a value: one that is last, empty, or followed by the next option instead
# (`--out --jobs 2`) is refused. So are duplicate runs: a value listed twice in one --sweep, a
# key in two --sweep options (list all its values in one), a qubit count or model given twice,
# a key both --set and swept, `model` or `qubits.data` in --set or --sweep (use --models and
# --qubits, which name the folders), and two runs with one run id (values that differ only in
# spelling, such as 0.01 and 1e-2, or only in keys that do not change the result).
#
# Folder names: a swept key or value made only of letters, digits and . _ - + = , is used as it
# is; every other byte is written %XX (a/b -> a%2Fb, 50% -> 50%25), so different values never
# share a folder, and two runs that would still share one (values holding `_<key>=`) are
# refused, as is a name too long for a folder. Values cannot hold spaces, tabs or newlines. The
# CSVs' key columns hold the values as given.
#
# DIR/merged.json says whether the tidy CSVs are current: "complete": false from the moment the
# runs start (or are submitted) until the merge step (scripts/sweep/sweep_merge.sh) has put every CSV
# in place, then true with the runs it merged (folder names and run ids). A merge that failed
# or was cancelled (a Slurm merge job) leaves it false; scripts/quddpm/summarize.py refuses such CSVs.
set -uo pipefail

# The comment block at the top, without its '# '.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "sweep.sh: $*" >&2; exit 2; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
config="" qubits="" models="original improved" jobs="" threads="" cores="" out="" bin=""
slurm=0 dry_run=0 partition="" account="" time_limit="" cpus="" mem="" throttle=""
signal_seconds=120
sets=() sweeps=() sbatch_args=()
while [ $# -gt 0 ]; do
  opt="$1"
  case "$opt" in
    --slurm) slurm=1; shift; continue ;;
    --dry-run) dry_run=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
    --qubits) want='qubit counts such as "1 4 7"' ;;
    --models) want='models such as "original improved"' ;;
    --set) want='key=value' ;;
    --sweep) want='key=v1,v2,...' ;;
    --jobs|--threads|--cores|--cpus-per-task|--throttle|--signal-seconds) want='a positive integer' ;;
    --out) want='a folder' ;;
    --bin) want='the quddpm executable' ;;
    --partition) want='a partition name' ;;
    --account) want='an account name' ;;
    --time) want='a time limit such as 04:00:00' ;;
    --mem) want='a size such as 4000M or 8G' ;;
    --sbatch-arg) want='an sbatch option such as --qos=short' ;;
    -*) die "unknown option $opt (see --help)" ;;
    *) [ -z "$config" ] || die "one config only, got '$config' and '$opt'"; config="$opt"; shift; continue ;;
  esac
  # Every other option takes a value. Without this check bash would stop on `${2:?}` with its
  # own words, or take the next option for the value (`--out --jobs 2`: a folder "--jobs").
  [ $# -ge 2 ] || die "$opt: expected $want after it, found nothing (the value is missing)"
  val="$2"
  shift 2
  [ -n "$val" ] || die "$opt: expected $want, found an empty value"
  # (--sbatch-arg's values are sbatch options themselves.)
  [ "$opt" = --sbatch-arg ] || [[ "$val" != --* ]] ||
    die "$opt: expected $want, found the option '$val' (the value is missing)"
  case "$opt" in
    --qubits) qubits="$val" ;;
    --models) models="$val" ;;
    --set) sets+=("$val") ;;
    --sweep) sweeps+=("$val") ;;
    --jobs) jobs="$val" ;;
    --threads) threads="$val" ;;
    --cores) cores="$val" ;;
    --out) out="$val" ;;
    --bin) bin="$val" ;;
    --partition) partition="$val" ;;
    --account) account="$val" ;;
    --time) time_limit="$val" ;;
    --cpus-per-task) cpus="$val" ;;
    --mem) mem="$val" ;;
    --throttle) throttle="$val" ;;
    --signal-seconds) signal_seconds="$val" ;;
    --sbatch-arg) sbatch_args+=("$val") ;;
  esac
done
[ -n "$config" ] || die "no CONFIG given (see --help)"
[ -f "$config" ] || die "$config: no such file"
[ -z "$jobs" ] || [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: expected a positive integer, found '$jobs'"
[ -z "$cores" ] || [[ "$cores" =~ ^[1-9][0-9]*$ ]] || die "--cores: expected a positive integer, found '$cores'"
# The lists as arrays (`read -a` splits at blanks without expanding a `*` into file names).
read -r -a qubit_list <<< "$qubits"
read -r -a model_list <<< "$models"
[ ${#qubit_list[@]} -gt 0 ] || die "--qubits: no qubit counts given"
[ ${#model_list[@]} -gt 0 ] || die "--models: no models given"
# (An entry given twice would be one run counted twice, its two copies training in one folder.)
for i in "${!qubit_list[@]}"; do
  n="${qubit_list[$i]}"
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--qubits: '$n' is not a positive integer"
  for m in "${qubit_list[@]:0:i}"; do [ "$m" != "$n" ] || die "--qubits: $n is given twice"; done
done
for i in "${!model_list[@]}"; do
  m="${model_list[$i]}"
  [[ "$m" =~ ^(original|improved)$ ]] || die "--models: '$m' is not original or improved"
  for o in "${model_list[@]:0:i}"; do [ "$o" != "$m" ] || die "--models: $m is given twice"; done
done
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
[ -z "$threads" ] || [[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads: expected a positive integer, found '$threads'"
if [ "$slurm" = 0 ]; then
  [ -n "$cores" ] || cores=$(nproc)
  # One of --jobs and --threads given: the other fills the cores.
  [ -z "$jobs" ] || [ -n "$threads" ] || threads=$((cores / jobs > 0 ? cores / jobs : 1))
  [ -z "$threads" ] || [ -n "$jobs" ] || jobs=$((cores / threads > 0 ? cores / threads : 1))
fi
[ -n "$out" ] || out="runs/sweep_$(basename "${config%.json}")"
if [ -z "$bin" ]; then
  for b in "$here/build/quddpm" "$here/build-sw/quddpm"; do [ -x "$b" ] && { bin="$b"; break; }; done
fi
if [ -n "$bin" ]; then
  [ -f "$bin" ] && [ -x "$bin" ] ||
    die "--bin: expected the quddpm executable, found '$bin' (not an executable file)"
else
  die "no quddpm executable (build it, or pass --bin)"
fi
py=/usr/bin/python3
[ -x "$py" ] || die "$py not found (Debian's python3 is needed for the concatenation)"
# Absolute paths: Slurm tasks may start elsewhere.
config="$(realpath "$config")" bin="$(realpath "$bin")"
out="$(realpath -m "$out")"

# A key or value as part of a folder name. Letters, digits and . _ - + = , stay as they are,
# so the folders of finished sweeps keep their names (and are skipped); every other byte,
# `%` included, becomes %XX: a/b -> a%2Fb. Different values thus never get one name.
safe_name() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._+=,-]) out+="$c" ;;
      *) printf -v c '%%%02X' "'$c"; out+="$c" ;;
    esac
  done
  printf '%s' "$out"
}

# The --set keys; model and qubits.data come from --models and --qubits, which name the folders
# (a --set of them would train another model than the folder says).
set_keys=()
for s in "${sets[@]+"${sets[@]}"}"; do
  [[ "$s" == ?*=* ]] || die "--set: expected key=value, found '$s'"
  k="${s%%=*}"
  case "$k" in
    model) die "--set model: use --models (the folder names say the model)" ;;
    qubits.data) die "--set qubits.data: use --qubits (the folder names say n)" ;;
  esac
  set_keys+=("$k")
done

# Swept keys and their value lists, refusing what would make one run twice: a key in two
# --sweep options (its runs would be crossed with themselves), a value listed twice.
keys=() ; vals=() ; given=()
for s in "${sweeps[@]+"${sweeps[@]}"}"; do
  [[ "$s" == *=* ]] || die "--sweep: expected key=v1,v2,..., found '$s'"
  key="${s%%=*}" list="${s#*=}"
  [[ "$key" =~ ^[A-Za-z0-9_.]+$ ]] ||
    die "--sweep: expected key=v1,v2,... with a config key such as seed, found '$s'"
  case "$key" in
    model) die "--sweep model: use --models (the folder names say the model)" ;;
    qubits.data) die "--sweep qubits.data: use --qubits (the folder names say n)" ;;
  esac
  for i in "${!keys[@]}"; do
    [ "${keys[$i]}" != "$key" ] ||
      die "--sweep $key: the key is given twice (--sweep ${given[$i]} and --sweep $s);" \
        "list all its values in one --sweep"
  done
  for k in "${set_keys[@]+"${set_keys[@]}"}"; do
    [ "$k" != "$key" ] || die "--sweep $key: the key is also given by --set; give it in one of them"
  done
  # runs.tsv separates a run's assignments by spaces, and a newline would end the run's line.
  [[ "$list" != *[[:space:][:cntrl:]]* ]] ||
    die "--sweep $key: a value holds a space, tab, newline or control character, found '$list'"
  IFS=',' read -r -a vs <<< "$list"
  # (`read` drops a trailing empty field: "1,2," would quietly lose it.)
  [ -n "$list" ] && [[ "$list" != *, ]] ||
    die "--sweep $key: expected v1,v2,..., found an empty value in '$list'"
  for i in "${!vs[@]}"; do
    v="${vs[$i]}"
    [ -n "$v" ] || die "--sweep $key: expected v1,v2,..., found an empty value in '$list'"
    for w in "${vs[@]:0:i}"; do
      [ "$w" != "$v" ] || die "--sweep $key: the value '$v' is listed twice in '$list'"
    done
  done
  keys+=("$key"); vals+=("$list"); given+=("$s")
done

# Every combination of the swept values: as "k1=v1 k2=v2 ..." (runs.tsv, the --set options)
# and as the folder name's tail "_k1=v1_k2=v2" (each key and value through safe_name).
combos=("") tails=("")
for i in "${!keys[@]}"; do
  next=() next_tails=()
  IFS=',' read -r -a vs <<< "${vals[$i]}"
  sk="$(safe_name "${keys[$i]}")"
  for j in "${!combos[@]}"; do
    for v in "${vs[@]}"; do
      next+=("${combos[$j]:+${combos[$j]} }${keys[$i]}=$v")
      next_tails+=("${tails[$j]}_$sk=$(safe_name "$v")")
    done
  done
  combos=("${next[@]}") tails=("${next_tails[@]}")
done

# The runs, as lines "name<TAB>model<TAB>n<TAB>k1=v1 k2=v2": each checked by `quddpm config`
# (its run id, and its memory estimate for --mem) before anything is written or started.
runs="" max_bytes=0 count=0
declare -A combo_of_name=() name_of_id=() width_of=()
for j in "${!combos[@]}"; do
  combo="${combos[$j]}"
  read -r -a assignments <<< "$combo"
  for model in "${model_list[@]}"; do
    for n in "${qubit_list[@]}"; do
      name="${model}_n${n}${tails[$j]}"
      # A folder name has at most 255 bytes, and the run's gets ".partial" while it trains.
      [ ${#name} -le 247 ] ||
        die "run $name: the folder name is ${#name} bytes, more than 247 (255 with .partial); use shorter values"
      # Values that hold `_<key>=` can still give two runs one name: refuse, never share.
      [ -z "${combo_of_name[$name]+x}" ] ||
        die "--sweep: '${combo_of_name[$name]}' and '$combo' would share the folder $name;" \
          "change one of the values"
      combo_of_name[$name]="$combo"
      args=(config "$config" --set "model=$model" --set "qubits.data=$n")
      for s in "${sets[@]+"${sets[@]}"}"; do args+=(--set "$s"); done
      for kv in "${assignments[@]+"${assignments[@]}"}"; do args+=(--set "$kv"); done
      info=$("$bin" "${args[@]}" 2>&1) || die "run $name: ${info#quddpm: }"
      read -r id bytes width < <("$py" -c 'import json,sys; j=json.load(sys.stdin); q=j["config"]["qubits"]; print(j["run_id"], j["estimated_bytes"], q["data"] + q["ancilla"])' <<< "$info")
      width_of[$name]=$width
      # The same run id twice is one computation counted twice (0.01 and 1e-2, or values of a
      # key that does not change the result).
      [ -z "${name_of_id[$id]+x}" ] ||
        die "runs ${name_of_id[$id]} and $name are one run (run id $id: their values differ" \
          "only in spelling or in keys that do not change the result); drop one"
      name_of_id[$id]="$name"
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

# What every run shares, for scripts/sweep/sweep_run.sh (sourced by bash).
conf="config=$(printf '%q' "$config")
bin=$(printf '%q' "$bin")
threads=${threads:-1}
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
exec $(printf '%q' "$here/scripts/sweep/sweep_run.sh") $(printf '%q' "$out") \"\$name\""
  merge="#!/usr/bin/env bash
#SBATCH --job-name=quddpm-$(basename "$out")-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --output=$out/logs/slurm/merge_%j.out"
  [ -n "$partition" ] && merge+=$'\n'"#SBATCH --partition=$partition"
  [ -n "$account" ] && merge+=$'\n'"#SBATCH --account=$account"
  merge+="
# After every task of the array has ended (afterany): the tidy CSVs, the figures, the failures.
exec $(printf '%q' "$here/scripts/sweep/sweep_merge.sh") $(printf '%q' "$out") --figures"
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
# Tidy CSVs an earlier merge left here no longer tell what the runs hold once they (re)start:
# merged.json marks them stale until the merge step has put every new CSV in place. A merge that
# never comes (a cancelled Slurm merge job, Ctrl-C) leaves the mark. (Marked before sbatch: the
# merge job may end before sbatch returns.)
why="sweep.sh started the runs of runs.tsv; the merge step (sweep_merge.sh) has not finished since"
[ "$slurm" = 1 ] &&
  why="sweep.sh submitted the runs of runs.tsv to Slurm; its merge job (sweep_merge.sh) has not finished since"
env PYTHONPATH="$here/scripts" "$py" -m quddpm.merge_sweeps "$out" --mark-incomplete "$why" ||
  die "$out/merged.json: cannot mark the merged CSVs stale"

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
if [ -n "$jobs" ]; then
  echo "sweep.sh: $count runs, $jobs at a time on $threads thread(s) each"
  while IFS=$'\t' read -r name _; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || failed=1; done
    "$here/scripts/sweep/sweep_run.sh" "$out" "$name" &
  done < "$out/runs.tsv"
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
else
  # Packing (see the top): widest first; a core per run; the idle cores to a wide last run.
  split_width=10
  echo "sweep.sh: $count runs on $cores cores: one thread per run, up to $cores at a time;" \
    "a run of >= $split_width qubits gets the idle cores when fewer runs than them remain"
  mapfile -t order < <(while IFS=$'\t' read -r name _; do printf '%s\t%s\n' "${width_of[$name]}" "$name"; done < "$out/runs.tsv" |
    sort -t $'\t' -k1,1nr -s | cut -f2)
  free=$cores left=${#order[@]}
  declare -A held=()
  for name in "${order[@]}"; do
    while [ "$free" -lt 1 ]; do
      wait -n -p done_pid || failed=1
      free=$((free + held[$done_pid])); unset "held[$done_pid]"
    done
    t=1
    # (A wide run starting with fewer runs left than free cores keeps one for each of the others.)
    if [ "${width_of[$name]}" -ge "$split_width" ] && [ "$left" -lt "$free" ]; then t=$((free - left + 1)); fi
    echo "start  $name on $t thread(s)"
    "$here/scripts/sweep/sweep_run.sh" "$out" "$name" "$t" &
    held[$!]=$t
    free=$((free - t)) left=$((left - 1))
  done
  while [ ${#held[@]} -gt 0 ]; do
    wait -n -p done_pid || failed=1
    unset "held[$done_pid]"
  done
fi
"$here/scripts/sweep/sweep_merge.sh" "$out" || failed=1
exit $failed
