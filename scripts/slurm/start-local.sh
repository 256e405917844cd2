#!/usr/bin/env bash
# A one-node Slurm on this machine, for the tests of `aura-lens launch slurm --submit/--wait`, `launch
# status` and `launch merge`: munge, slurmctld and slurmd on localhost, state under one folder.
#
#   bash scripts/slurm/start-local.sh start    install if needed, start, wait until the node is idle
#   bash scripts/slurm/start-local.sh stop     stop the three daemons (state is kept)
#   bash scripts/slurm/start-local.sh restart-slurmd   restart slurmd only (a node "reboot")
#   bash scripts/slurm/start-local.sh start-rest   also start slurmrestd (JWT) on 127.0.0.1:6820
#   bash scripts/slurm/start-local.sh env      print the SLURM_CONF line to export
#
# What it changes on the machine: installs Debian's slurm-wlm and munge (apt-get) when missing, which
# creates /etc/munge/munge.key (created with mungekey if the package did not); starts munged as the munge
# user (socket under /run/munge); everything else lives under $AURA_SLURM_DIR (default
# .cache/slurm in the repository, gitignored): slurm.conf, state, spool, pid and log files. /etc/slurm is
# not touched: the clients find the configuration through SLURM_CONF. Runs as root (slurmd must start
# job processes as the submitting user). Versions seen: Debian 12, slurm-wlm 22.05.8, munge 0.5.15.
# Each step leaves a stamp in the state folder, like scripts/e2e/setup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${AURA_SLURM_DIR:-$ROOT/.cache/slurm}"
CONF="$DIR/slurm.conf"
T0=$SECONDS
log() { printf '[slurm %4ss] %s\n' "$((SECONDS - T0))" "$*" >&2; }

install() {
  [[ -f "$DIR/stamps/installed" ]] && command -v slurmctld >/dev/null && return 0
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "apt-get install slurm-wlm munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq slurm-wlm munge >/dev/null; }
  fi
  mkdir -p "$DIR/stamps"; touch "$DIR/stamps/installed"
}

configure() {
  mkdir -p "$DIR"/{state,spool,log,run,stamps}
  local cpus mem
  cpus="$(nproc)"
  mem="$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))"
  # A JWT key lets slurmrestd (the REST API) accept tokens from `scontrol token`.
  [[ -f "$DIR/jwt.key" ]] || { head -c 32 /dev/urandom >"$DIR/jwt.key.tmp"; chmod 600 "$DIR/jwt.key.tmp"; mv "$DIR/jwt.key.tmp" "$DIR/jwt.key"; }
  cat >"$CONF.tmp" <<CONF
# Written by scripts/slurm/start-local.sh: one node on localhost, no cgroups, no accounting.
ClusterName=aura-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$DIR/jwt.key
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmctldPort=$((6817 + ${AURA_SLURM_PORT_OFFSET:-0}))
SlurmdPort=$((6818 + ${AURA_SLURM_PORT_OFFSET:-0}))
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# Finished jobs stay visible to squeue/scontrol for 10 minutes (accounting is off, so sacct cannot tell).
MinJobAge=600
SchedulerType=sched/backfill
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$CONF.tmp" "$CONF"
  touch "$DIR/stamps/configured"
}

start_munge() {
  if [[ ! -f /etc/munge/munge.key ]]; then log "mungekey -c"; mungekey -c; chown munge:munge /etc/munge/munge.key; fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge; chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if ! pgrep -x munged >/dev/null; then log "starting munged"; runuser -u munge -- munged; fi
  munge -n | unmunge >/dev/null || { echo "munge does not work (munge -n | unmunge)" >&2; exit 1; }
  touch "$DIR/stamps/munge"
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  # slurmd starts each job's processes as the submitting user, and apt-get installs the packages.
  [[ "$(id -u)" == 0 ]] || { echo "scripts/slurm/start-local.sh: run as root (or with sudo): slurmd starts job processes as their users, and apt-get installs slurm-wlm and munge" >&2; exit 1; }
  install
  configure
  start_munge
  export SLURM_CONF="$CONF"
  if ! pid_alive "$DIR/run/slurmctld.pid"; then log "starting slurmctld"; slurmctld -f "$CONF"; fi
  if ! pid_alive "$DIR/run/slurmd.pid"; then log "starting slurmd"; slurmd -f "$CONF"; fi
  wait_idle
  touch "$DIR/stamps/started"
  log "ready: export SLURM_CONF=$CONF"
}

wait_idle() {
  export SLURM_CONF="$CONF"
  for _ in $(seq 1 60); do
    state="$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)"
    case "$state" in
      idle|mixed|allocated) return 0 ;;
      down*|drain*) scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  echo "slurm: the node did not become idle within 60 s (sinfo: '${state:-nothing}'); logs in $DIR/log" >&2
  exit 1
}

stop() {
  for d in slurmrestd slurmd slurmctld; do
    if pid_alive "$DIR/run/$d.pid"; then log "stopping $d"; kill "$(cat "$DIR/run/$d.pid")"; fi
  done
  for _ in $(seq 1 20); do pid_alive "$DIR/run/slurmd.pid" || pid_alive "$DIR/run/slurmctld.pid" || break; sleep 0.5; done
  rm -f "$DIR/stamps/started"
}

# slurmrestd (the REST API, JWT auth) on 127.0.0.1:$REST_PORT. It refuses tokens of root, so the REST test
# submits as the unprivileged system user aura-rest (created here without a home or a login shell).
REST_PORT=$((6820 + ${AURA_SLURM_PORT_OFFSET:-0}))
start_rest() {
  start
  export SLURM_CONF="$CONF"
  if ! command -v slurmrestd >/dev/null; then log "apt-get install slurmrestd"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmrestd >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmrestd >/dev/null; }; fi
  id aura-rest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin aura-rest
  if ! pid_alive "$DIR/run/slurmrestd.pid"; then
    log "starting slurmrestd on 127.0.0.1:$REST_PORT"
    # Accounting is off, so only the plain API plugin (no slurmdbd one) is loaded.
    # SLURM_JWT=daemon makes slurmrestd use the JWT auth plugin for its own connections (Slurm docs, jwt.html).
    SLURM_JWT=daemon slurmrestd -f "$CONF" -s openapi/v0.0.38 -a rest_auth/jwt -u nobody -g nogroup "127.0.0.1:$REST_PORT" >"$DIR/log/slurmrestd.log" 2>&1 &
    echo $! >"$DIR/run/slurmrestd.pid"
  fi
  for _ in $(seq 1 30); do
    (exec 3<>"/dev/tcp/127.0.0.1/$REST_PORT") 2>/dev/null && { touch "$DIR/stamps/rest"; log "slurmrestd ready: http://127.0.0.1:$REST_PORT"; return 0; }
    sleep 0.5
  done
  echo "slurmrestd did not listen on 127.0.0.1:$REST_PORT; see $DIR/log/slurmrestd.log" >&2; exit 1
}

case "${1:-start}" in
  start-rest) start_rest ;;
  rest-url) echo "http://127.0.0.1:$REST_PORT" ;;
  start) start ;;
  stop) stop ;;
  restart-slurmd)
    export SLURM_CONF="$CONF"
    if pid_alive "$DIR/run/slurmd.pid"; then kill "$(cat "$DIR/run/slurmd.pid")"; fi
    for _ in $(seq 1 20); do pid_alive "$DIR/run/slurmd.pid" || break; sleep 0.5; done
    slurmd -f "$CONF"; wait_idle ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|start-rest|stop|restart-slurmd|env|rest-url" >&2; exit 1 ;;
esac
