package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/comm"
)

// Launch mistakes, caught from the environment a launcher (srun, mpirun, mpiexec) sets before
// anything is built.

// lookupEnv reads one environment variable (os.LookupEnv, or a map in tests).
type lookupEnv func(string) (string, bool)

// checkLaunch refuses the build without MPI started as one of several tasks (each would run the
// whole network alone and write the same outputs), and returns a one-line warning, or "", when
// ranks x threads oversubscribe the CPUs Slurm granted on this node. threads is --threads (0:
// not given, counted as 1).
func checkLaunch(commName string, threads int, env lookupEnv) (string, error) {
	if n, by := launchedTasks(env); commName == "local" && n > 1 {
		return "", fmt.Errorf("this is the build without MPI, started by %s as one of %d tasks: each would run the "+
			"whole network alone. Start the MPI build instead, bin/nest-mpi-mpi (make build-mpi)", by, n)
	}
	return oversubscribed(threads, env), nil
}

// launchedTasks returns the number of tasks a launcher started together with this process, and
// which variable says so; 0 when no launcher is seen. SLURM_NTASKS is not used: a batch script
// sees it too, while only srun's tasks see SLURM_STEP_NUM_TASKS.
func launchedTasks(env lookupEnv) (int, string) {
	for _, v := range []struct{ name, by string }{
		{"OMPI_COMM_WORLD_SIZE", "mpirun"},
		{"PMI_SIZE", "an MPI launcher (PMI)"},
		{"SLURM_STEP_NUM_TASKS", "srun"},
	} {
		if n := envInt(env, v.name); n > 1 {
			if v.name == "SLURM_STEP_NUM_TASKS" && !has(env, "SLURM_PROCID") {
				continue
			}
			return n, v.by + " (" + v.name + "=" + strconv.Itoa(n) + ")"
		}
	}
	return 0, ""
}

// oversubscribed warns when the ranks on this node times the threads of each exceed the CPUs
// Slurm granted (SLURM_CPUS_ON_NODE), or the threads exceed SLURM_CPUS_PER_TASK.
func oversubscribed(threads int, env lookupEnv) string {
	cpus := envInt(env, "SLURM_CPUS_ON_NODE")
	if cpus < 1 {
		return ""
	}
	threads = max(threads, 1)
	if perTask := envInt(env, "SLURM_CPUS_PER_TASK"); perTask > 0 && threads > perTask {
		return fmt.Sprintf("warning: %d threads per rank but Slurm granted %d CPUs per task (SLURM_CPUS_PER_TASK): "+
			"threads share cores; ask for --cpus-per-task=%d", threads, perTask, threads)
	}
	ranks := ranksOnNode(env)
	if ranks*threads > cpus {
		return fmt.Sprintf("warning: %d ranks x %d threads on this node oversubscribe the %d CPUs Slurm granted "+
			"(SLURM_CPUS_ON_NODE): threads share cores", ranks, threads, cpus)
	}
	return ""
}

// ranksOnNode is the number of ranks on this node: OMPI_COMM_WORLD_LOCAL_SIZE under mpirun,
// this node's entry of SLURM_STEP_TASKS_PER_NODE under srun, else SLURM_NTASKS_PER_NODE, else 1.
func ranksOnNode(env lookupEnv) int {
	if n := envInt(env, "OMPI_COMM_WORLD_LOCAL_SIZE"); n > 0 {
		return n
	}
	if v, ok := env("SLURM_STEP_TASKS_PER_NODE"); ok {
		if n := tasksOnNode(v, envInt(env, "SLURM_NODEID")); n > 0 {
			return n
		}
	}
	return max(envInt(env, "SLURM_NTASKS_PER_NODE"), 1)
}

// tasksOnNode reads node's entry of a Slurm tasks-per-node list such as "2(x3),1"; 0 if absent.
func tasksOnNode(list string, node int) int {
	for _, part := range strings.Split(list, ",") {
		count, reps := part, 1
		if i := strings.Index(part, "(x"); i >= 0 && strings.HasSuffix(part, ")") {
			count = part[:i]
			reps, _ = strconv.Atoi(part[i+2 : len(part)-1])
		}
		n, err := strconv.Atoi(count)
		if err != nil || reps < 1 {
			return 0
		}
		if node < reps {
			return n
		}
		node -= reps
	}
	return 0
}

func envInt(env lookupEnv, name string) int {
	v, ok := env(name)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0
	}
	return n
}

func has(env lookupEnv, name string) bool {
	_, ok := env(name)
	return ok
}

// launchChecks runs checkLaunch on this process's environment at the start of run; rank 0
// prints the warning, if any.
func launchChecks(c comm.Communicator, threads int, stderr io.Writer) error {
	warning, err := checkLaunch(c.Name(), threads, os.LookupEnv)
	if warning != "" && c.Rank() == 0 {
		fmt.Fprintf(stderr, "nest-mpi: %s\n", warning)
	}
	return err
}
