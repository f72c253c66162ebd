package jobs

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Write validates s and writes its script to w.
func Write(w io.Writer, s Spec) error {
	text, err := Script(s)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, text); err != nil {
		return fmt.Errorf("writing the job script: %w", err)
	}
	return nil
}

// Script returns the job script of s: an sbatch script, or a plain bash script for mpirun when
// s.NoSlurm is set.
func Script(s Spec) (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	writeHeader(&b, s)
	if !s.NoSlurm {
		writeSbatch(&b, s)
	}
	writeEnv(&b, s)
	if s.Launcher == Srun {
		writeSrun(&b, s)
	} else {
		writeMpirun(&b, s)
	}
	writeTail(&b, s)
	return b.String(), nil
}

func writeHeader(b *strings.Builder, s Spec) {
	how := "srun --mpi=pmix"
	if s.Launcher == Mpirun {
		how = "mpirun"
	}
	fmt.Fprintf(b, "#!/bin/bash\n# nest-mpi: %s on %d node(s) x %d rank(s) x %d thread(s) = %d virtual processes, started with %s.\n",
		s.NetFile, s.Nodes, s.TasksPerNode, s.Threads, s.VPs(), how)
	if s.NoSlurm {
		fmt.Fprintf(b, "# Run with: bash <this file>. On more than one node list the nodes in a hostfile, one line per\n"+
			"# node (\"node1 slots=%d\"), and run: HOSTFILE=/path/to/hosts bash <this file>\n", s.TasksPerNode)
		return
	}
	b.WriteString("# Submit with: sbatch <this file> (from any folder: the paths below are absolute).\n")
}

func writeSbatch(b *strings.Builder, s Spec) {
	line := func(format string, a ...any) { fmt.Fprintf(b, "#SBATCH "+format+"\n", a...) }
	if s.JobName != "" {
		line("--job-name=%s", s.JobName)
	}
	line("--nodes=%d", s.Nodes)
	line("--ntasks-per-node=%d", s.TasksPerNode)
	line("--cpus-per-task=%d", s.Threads)
	line("--hint=nomultithread")
	switch {
	case s.Mem != "":
		line("--mem=%s", s.Mem)
	case s.MemPerNodeMB > 0:
		line("--mem=%dM", s.MemPerNodeMB)
	}
	for _, kv := range [][2]string{{"time", s.Time}, {"partition", s.Partition}, {"account", s.Account}} {
		if kv[1] != "" {
			line("--%s=%s", kv[0], kv[1])
		}
	}
	logs := ""
	if s.LogDir != "" {
		logs = strings.TrimSuffix(s.LogDir, "/") + "/"
	}
	line("--output=%s%%x-%%j.out", logs)
	line("--error=%s%%x-%%j.err", logs)
	writeSignal(b, s)
	if s.CheckpointDir != "" {
		line("--requeue")
		line("--open-mode=append")
	}
}

// writeSignal asks for SIGUSR1 two minutes before the time limit. srun's tasks receive it from
// Slurm directly; mpirun is not a job step, so the batch shell receives it and forwards it.
func writeSignal(b *strings.Builder, s Spec) {
	if s.Launcher == Srun {
		b.WriteString("# Two minutes before the time limit Slurm sends SIGUSR1 to every rank.\n#SBATCH --signal=USR1@120\n")
		return
	}
	b.WriteString("# Two minutes before the time limit Slurm sends SIGUSR1 to this shell, which forwards it to mpirun.\n#SBATCH --signal=B:USR1@120\n")
}

func writeEnv(b *strings.Builder, s Spec) {
	fmt.Fprintf(b, "\nset -u\n# One OS thread per simulation thread, each on a core of its own.\nexport GOMAXPROCS=%d\n", s.Threads)
	if s.CheckpointDir == "" {
		return
	}
	if s.NoSlurm {
		b.WriteString("# RESUME=1 bash <this file> continues from the checkpoint.\nresume=()\nif [ -n \"${RESUME:-}\" ]; then resume=(--resume); fi\n")
		return
	}
	b.WriteString("# A requeued job continues from its checkpoint.\nresume=()\nif [ \"${SLURM_RESTART_COUNT:-0}\" -gt 0 ]; then resume=(--resume); fi\n")
}

// runArgs is the nest-mpi command line every rank runs.
func runArgs(s Spec) string {
	args := []string{shq(s.Binary), "run", shq(s.NetFile), "--threads", fmt.Sprint(s.Threads)}
	if s.Out != "" {
		args = append(args, "--out", shq(s.Out))
	}
	if s.CheckpointDir != "" {
		args = append(args, "--checkpoint-dir", shq(s.CheckpointDir), `"${resume[@]}"`)
	}
	return strings.Join(args, " ")
}

func writeSrun(b *strings.Builder, s Spec) {
	fmt.Fprintf(b, "\n# srun does not inherit --cpus-per-task from the allocation (Slurm 22.05 and later): give it again.\n"+
		"status=0\nsrun --mpi=pmix --nodes=%d --ntasks-per-node=%d --cpus-per-task=%d --cpu-bind=cores \\\n  %s || status=$?\n",
		s.Nodes, s.TasksPerNode, s.Threads, runArgs(s))
}

func writeMpirun(b *strings.Builder, s Spec) {
	hosts := ""
	if s.NoSlurm {
		b.WriteString("\nhosts=()\nif [ -n \"${HOSTFILE:-}\" ]; then hosts=(--hostfile \"$HOSTFILE\"); fi\n")
		if s.Nodes > 1 {
			fmt.Fprintf(b, "if [ ${#hosts[@]} -eq 0 ]; then echo \"set HOSTFILE to a hostfile of the %d nodes\" >&2; exit 2; fi\n", s.Nodes)
		}
		hosts = ` "${hosts[@]}"`
	}
	fmt.Fprintf(b, "\n# Each rank gets %d core(s) (PE) and is bound to them; GOMAXPROCS reaches every node with -x.\n"+
		"mpirun -np %d%s --map-by ppr:%d:node:PE=%d --bind-to core -x GOMAXPROCS \\\n  %s &\n",
		s.Threads, s.Ranks(), hosts, s.TasksPerNode, s.Threads, runArgs(s))
	b.WriteString(forward)
}

// forward passes the batch shell's signals on to mpirun, which passes them to every rank, and
// waits for mpirun's own exit status (a trap interrupts wait; bash remembers the status).
const forward = `launcher=$!
trap 'kill -s USR1 "$launcher" 2>/dev/null' USR1
trap 'kill -s TERM "$launcher" 2>/dev/null' TERM
trap 'kill -s INT "$launcher" 2>/dev/null' INT
wait "$launcher"
while kill -0 "$launcher" 2>/dev/null; do wait "$launcher"; done
wait "$launcher"
status=$?
`

func writeTail(b *strings.Builder, s Spec) {
	if s.CheckpointDir != "" && !s.NoSlurm {
		b.WriteString("# Stopped by the signal (exit status 4) with a checkpoint written: queue again to resume.\n" +
			"if [ \"$status\" -eq 4 ]; then scontrol requeue \"$SLURM_JOB_ID\" && status=0; fi\n")
	}
	b.WriteString("exit \"$status\"\n")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shq quotes s for bash.
func shq(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
