#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests and for trying the --slurm sweeps:
# writes a slurm.conf for this host into a state folder, starts a private munged (its own key
# and socket), slurmctld and slurmd as the current (root) user, and waits until the node is
# idle. `stop` ends exactly the daemons `start` started, by their pid files; `status` says
# whether they run. Installs Debian's slurm-wlm and munge when missing.
#
# Usage: scripts/setup/local_slurm.sh start|stop|status [--dir DIR]
#   --dir  the state folder (default: $QUDDPM_SLURM_DIR, else /tmp/quddpm-slurm)
# Then point the Slurm commands at it:  export SLURM_CONF=DIR/slurm.conf
# (`start` and `status` print that line.)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
cmd="${1:-}"
shift || true
dir="${QUDDPM_SLURM_DIR:-/tmp/quddpm-slurm}"
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="${2:?--dir needs a folder}"; shift 2 ;;
    *) echo "local_slurm.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
conf="$dir/slurm.conf"
daemons=(munged slurmctld slurmd)

die() { echo "local_slurm.sh: $*" >&2; exit 1; }

# The pid a daemon's pid file names, if that process is alive.
pid_of() {
  local f="$dir/$1.pid" p
  [ -s "$f" ] || return 1
  p=$(cat "$f")
  kill -0 "$p" 2>/dev/null || return 1
  echo "$p"
}

status() {
  local up=0 d
  for d in "${daemons[@]}"; do
    if p=$(pid_of "$d"); then echo "$d: running (pid $p)"; up=$((up + 1)); else echo "$d: stopped"; fi
  done
  if [ "$up" = "${#daemons[@]}" ]; then
    SLURM_CONF="$conf" sinfo -h -o "node %N: %T" 2>/dev/null || true
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  return 1
}

stop() {
  local d p i
  # Reverse order: the node, the controller, then authentication.
  for d in slurmd slurmctld munged; do
    p=$(pid_of "$d") || continue
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
    rm -f "$dir/$d.pid"
    echo "stopped $d (pid $p)"
  done
}

write_conf() {
  local host cpus mem_mb
  host=$(hostname -s)
  cpus=$(nproc)
  # 90% of physical memory, in MB, for the node's RealMemory.
  mem_mb=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cat > "$conf" <<EOF
# Written by scripts/setup/local_slurm.sh: a one-node cluster on $host, run as $(id -un).
ClusterName=quddpm-local
SlurmctldHost=$host
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
SlurmctldPort=${QUDDPM_SLURM_PORT:-6817}
SlurmdPort=$(( ${QUDDPM_SLURM_PORT:-6817} + 1 ))
AuthType=auth/munge
# cred_expire: a requeued job may start again after 10 s (Slurm's default holds it 120 s).
AuthInfo=socket=$dir/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MpiDefault=none
ReturnToService=2
JobRequeue=1
KillWait=10
MinJobAge=600
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

start() {
  if status > /dev/null 2>&1; then status; return 0; fi
  stop > /dev/null 2>&1 || true  # a partial start of an earlier attempt
  "$here/scripts/setup/install_packages.sh" slurm-wlm munge
  mkdir -p "$dir"
  chmod 700 "$dir"
  write_conf
  # A private munge: its own key and socket, so that a system munged is neither needed nor touched.
  if [ ! -s "$dir/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge.key"
  fi
  munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge.seed" || die "munged did not start (see $dir/log/munged.log)"
  export SLURM_CONF="$conf"
  slurmctld || die "slurmctld did not start (see $dir/log/slurmctld.log)"
  slurmd || die "slurmd did not start (see $dir/log/slurmd.log)"
  local i state=""
  for i in $(seq 120); do
    state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
    [ "$state" = idle ] && break
    sleep 0.5
  done
  [ "$state" = idle ] || die "the node is '${state:-not responding}' after 60 s (see $dir/log/)"
  status
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
