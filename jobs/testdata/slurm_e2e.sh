#!/usr/bin/env bash
# Slurm end-to-end test of `nest-mpi jobscript` (run by `make test-slurm`, part of `make test`).
#
# Starts a one-node Slurm cluster as root without systemd, everything under one temporary folder:
# munged with its own key and socket, slurmctld and slurmd on free ports (proctrack/pgid,
# task/none, MpiDefault=pmix, the node's CPUs and memory from `slurmd -C`, no accounting). Then:
#   1. job scripts generated for 2 ranks x 1 thread, launched with srun --mpi=pmix and with mpirun
#      inside the allocation, submitted with sbatch --wait from another folder, give the same bytes
#      as a local run of the same network with --threads 2 (the same 2 virtual processes);
#   2. a job whose run fails (a broken network file) makes sbatch --wait exit non-zero, with both
#      launchers;
#   3. the build without MPI started by srun with 2 tasks refuses and names the MPI build, and 2
#      threads per rank on 1 CPU per task give one warning;
#   4. the pre-timeout SIGUSR1 reaches both ranks with both launchers (a stand-in for the binary
#      records it: the signal's handling in nest-mpi itself belongs to checkpointing);
#   5. the plain mpirun script (--no-slurm), run with bash outside the cluster, gives the same bytes.
# The daemons it started are stopped and the folder removed on every exit; every wait has a
# timeout. Needs root, slurm-wlm, munge, OpenMPI, bin/nest-mpi and bin/nest-mpi-mpi.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/bin
net=$root/jobs/testdata/net.json
broken=$root/jobs/testdata/broken.json
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

say() { echo "slurm_e2e: $*"; }
fail() {
  echo "slurm_e2e: FAIL: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "needs root (it starts slurmctld and slurmd)"
for c in munged mungekey slurmctld slurmd sbatch srun sinfo squeue scancel mpirun timeout; do
  command -v "$c" >/dev/null || fail "$c is missing (make slurm-deps mpi-deps)"
done
[ -x "$bin/nest-mpi" ] && [ -x "$bin/nest-mpi-mpi" ] || fail "build first: make build build-mpi"

tmp=$(mktemp -d /tmp/nest-mpi-slurm.XXXXXX)
chmod 755 "$tmp" # munged wants every folder above its socket searchable by all
export SLURM_CONF=$tmp/slurm.conf

# stop ends the daemons started here, by the pids in their pid files, and waits for them.
stop() {
  if [ -f "$tmp/slurmctld.pid" ]; then
    timeout 10 squeue -h -o %i 2>/dev/null | xargs -r timeout 10 scancel 2>/dev/null || true
  fi
  local pids=() p
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    if [ -f "$tmp/$f" ] && p=$(cat "$tmp/$f") && kill "$p" 2>/dev/null; then pids+=("$p"); fi
  done
  for _ in $(seq 50); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.2
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

cleanup() {
  local status=$?
  trap - EXIT
  stop
  if [ "$status" != 0 ]; then
    for f in "$tmp"/log/*.log "$tmp"/munge/munged.log; do
      [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a port p with p and p+1 free on 127.0.0.1.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  fail "no free port"
}

start_munge() {
  mkdir -p "$tmp/munge" "$tmp/munge-key"
  chmod 755 "$tmp/munge"
  chmod 700 "$tmp/munge-key"
  mungekey --create --keyfile="$tmp/munge-key/munge.key"
  munged --socket="$tmp/munge/sock" --key-file="$tmp/munge-key/munge.key" --log-file="$tmp/munge/munged.log" \
    --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" || fail "munged did not start"
}

write_conf() {
  local host port node
  host=$(hostname -s)
  port=$(free_port)
  node=$(slurmd -C | head -n 1) # NodeName=... CPUs=... RealMemory=... of this machine
  mkdir -p "$tmp/state" "$tmp/spool" "$tmp/log"
  cat >"$SLURM_CONF" <<EOF
ClusterName=nestmpi-e2e
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
MpiDefault=pmix
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=5
MinJobAge=300
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=e2e Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_slurm() {
  slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
  slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
  for _ in $(seq 60); do
    [ "$(timeout 5 sinfo -h -o %T 2>/dev/null)" = idle ] && return 0
    sleep 0.5
  done
  fail "the node did not become idle: $(timeout 5 sinfo 2>&1 || true)"
}

# submit LAUNCHER FILE NAME: writes the job script of FILE into $tmp/NAME, submits it from
# another folder with sbatch --wait and returns sbatch's exit status.
submit() {
  local launcher=$1 file=$2 name=$3 dir=$tmp/$3
  mkdir -p "$dir" "$tmp/submit"
  "$bin/nest-mpi" jobscript "$file" --nodes 1 --tasks-per-node 2 --threads 1 --launcher "$launcher" \
    --time 00:05:00 --job-name "$name" --out "$dir/out" >"$dir/job.sh" || fail "jobscript for $name"
  (cd "$tmp/submit" && timeout 120 sbatch --wait --quiet "$dir/job.sh")
}

# same_outputs DIR: the tables in DIR are those of the local reference, byte for byte.
same_outputs() {
  local dir=$1 f names
  names=$(cd "$tmp/ref" && ls ./*.csv)
  [ "$(cd "$dir" && ls ./*.csv)" = "$names" ] || fail "$dir holds other tables than the local run: $(ls "$dir")"
  for f in $names; do
    cmp "$tmp/ref/$f" "$dir/$f" || fail "$dir/$f differs from the local run"
  done
  grep -q '"num_processes": *2' "$dir/run.json" || fail "$dir/run.json: not 2 ranks"
}

# signal_job LAUNCHER: a job whose ranks are a stand-in that records SIGUSR1 receives the signal
# Slurm sends before the time limit on every rank: srun's tasks from Slurm directly (scancel
# --signal, as --signal=USR1@120 does), mpirun's ranks through the batch shell's trap (scancel
# --batch, as --signal=B:USR1@120 does).
signal_job() {
  local launcher=$1 dir=$tmp/sig-$1 id r
  mkdir -p "$dir/marks" "$tmp/submit"
  cat >"$dir/stand-in" <<STANDIN
#!/bin/bash
r=\${OMPI_COMM_WORLD_RANK:-\$SLURM_PROCID}
trap 'echo USR1 >"$dir/marks/usr1.\$r"; exit 0' USR1
touch "$dir/marks/started.\$r"
for i in \$(seq 600); do sleep 0.1; done
exit 3
STANDIN
  chmod +x "$dir/stand-in"
  "$bin/nest-mpi" jobscript "$net" --nodes 1 --tasks-per-node 2 --threads 1 --launcher "$launcher" \
    --binary "$dir/stand-in" --job-name "sig-$launcher" --out "$dir/out" >"$dir/job.sh" || fail "jobscript for sig-$launcher"
  id=$(cd "$tmp/submit" && timeout 30 sbatch --parsable "$dir/job.sh") || fail "sbatch sig-$launcher"
  wait_for 30 "both ranks of sig-$launcher to start" test -e "$dir/marks/started.0" -a -e "$dir/marks/started.1"
  if [ "$launcher" = srun ]; then
    timeout 10 scancel --signal=USR1 "$id"
  else
    timeout 10 scancel --batch --signal=USR1 "$id"
  fi
  wait_for 30 "sig-$launcher to end" job_ended "$id"
  for r in 0 1; do
    [ -e "$dir/marks/usr1.$r" ] || fail "sig-$launcher: rank $r did not receive SIGUSR1: $(cat "$dir"/*.err)"
  done
  timeout 10 scontrol show job "$id" | grep -q " ExitCode=0:0" || fail "sig-$launcher: $(scontrol show job "$id" | grep -o 'ExitCode=[^ ]*')"
}

job_ended() { [ -z "$(timeout 5 squeue -h -j "$1" 2>/dev/null)" ]; }

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
  local n=$(($1 * 5)) what=$2
  shift 2
  for _ in $(seq "$n"); do
    "$@" && return 0
    sleep 0.2
  done
  fail "timed out waiting for $what"
}

start_munge
write_conf
start_slurm
say "$(sinfo -V) one-node cluster up: $(sinfo -h -o '%n, %c CPUs, %m MB, %T'); srun MPI plugins:" \
  "$(srun --mpi=list 2>&1 | grep -v '^MPI' | tr -s ' \t\n' ' ')"

"$bin/nest-mpi" run "$net" --threads 2 --quiet --out "$tmp/ref" || fail "local reference run"

for launcher in srun mpirun; do
  submit "$launcher" "$net" "ok-$launcher" || fail "$launcher job: sbatch --wait exit $?: $(cat "$tmp/ok-$launcher"/*.err 2>/dev/null)"
  same_outputs "$tmp/ok-$launcher/out"
  ls "$tmp/ok-$launcher"/ok-"$launcher"-*.out >/dev/null || fail "no job log ok-$launcher-<id>.out beside the outputs"
  say "$launcher job, 2 ranks x 1 thread: the same bytes as the local run with --threads 2"
done

for launcher in srun mpirun; do
  if submit "$launcher" "$broken" "bad-$launcher"; then
    fail "a $launcher job whose run fails gave sbatch --wait exit 0"
  else
    status=$?
  fi
  grep -q "UnknownModelName" "$tmp/bad-$launcher"/*.err || fail "bad-$launcher: the run's error is not in the job's .err"
  say "failing $launcher job: sbatch --wait exit $status"
done

if out=$(cd "$tmp/submit" && timeout 60 srun --mpi=pmix --ntasks 2 "$bin/nest-mpi" run "$net" --quiet --out "$tmp/refused" 2>&1); then
  fail "the build without MPI ran under srun with 2 tasks"
fi
grep -q "bin/nest-mpi-mpi (make build-mpi)" <<<"$out" || fail "the refusal does not name the MPI build: $out"
[ ! -e "$tmp/refused" ] || fail "the refused run wrote outputs"
say "build without MPI under srun -n 2: refused"

if ! out=$(cd "$tmp/submit" && timeout 60 srun --ntasks 2 --cpus-per-task 1 "$bin/nest-mpi-mpi" run "$net" --threads 2 --quiet --out "$tmp/over" 2>&1); then
  fail "srun -n 2 -c 1 of the MPI build with --threads 2: $out"
fi
[ "$(grep -c "warning: 2 threads per rank but Slurm granted 1 CPUs per task" <<<"$out")" = 1 ] ||
  fail "no single oversubscription warning: $out"
say "2 threads per rank on 1 CPU per task: one warning"

for launcher in srun mpirun; do
  signal_job "$launcher"
  say "$launcher job: the signal reached both ranks"
done
mkdir -p "$tmp/plain"
"$bin/nest-mpi" jobscript "$net" --nodes 1 --tasks-per-node 2 --threads 1 --no-slurm --out "$tmp/plain/out" \
  >"$tmp/plain/job.sh" || fail "jobscript --no-slurm"
(cd "$tmp/submit" && env -u SLURM_CONF timeout 60 bash "$tmp/plain/job.sh" >"$tmp/plain/log" 2>&1) ||
  fail "the plain mpirun script: $(cat "$tmp/plain/log")"
same_outputs "$tmp/plain/out"
say "plain mpirun script (--no-slurm), run with bash: the same bytes as the local run"
say "PASS"
