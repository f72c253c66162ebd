package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func fakeEnv(kv map[string]string) lookupEnv {
	return func(name string) (string, bool) {
		v, ok := kv[name]
		return v, ok
	}
}

// The environments below are those srun --mpi=pmix, mpirun and a batch script set (trimmed).
var (
	srunTwoTasks = map[string]string{"SLURM_PROCID": "1", "SLURM_STEP_NUM_TASKS": "2", "SLURM_NTASKS": "2",
		"PMIX_RANK": "1", "SLURM_CPUS_ON_NODE": "2", "SLURM_CPUS_PER_TASK": "1", "SLURM_STEP_TASKS_PER_NODE": "2",
		"SLURM_NODEID": "0"}
	batchTwoTasks = map[string]string{"SLURM_PROCID": "0", "SLURM_NTASKS": "2", "SLURM_CPUS_ON_NODE": "2",
		"SLURM_NTASKS_PER_NODE": "2", "SLURM_CPUS_PER_TASK": "1"}
)

func TestCheckLaunch(t *testing.T) {
	tests := []struct {
		name    string
		comm    string
		threads int
		env     map[string]string
		err     string // "" for no error
		warning string // "" for no warning
	}{
		{"no launcher", "local", 4, map[string]string{}, "", ""},
		{"srun 2 tasks, local build", "local", 1, srunTwoTasks, "started by srun (SLURM_STEP_NUM_TASKS=2) as one of 2 tasks", ""},
		{"srun 2 tasks, mpi build", "mpi", 1, srunTwoTasks, "", ""},
		{"mpirun 4, local build", "local", 1, map[string]string{"OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "0"},
			"started by mpirun (OMPI_COMM_WORLD_SIZE=4)", ""},
		{"mpiexec (PMI) 2, local build", "local", 1, map[string]string{"PMI_SIZE": "2", "PMI_RANK": "1"}, "(PMI_SIZE=2)", ""},
		{"mpirun 1, local build", "local", 1, map[string]string{"OMPI_COMM_WORLD_SIZE": "1"}, "", ""},
		{"srun 1 task in a 2-task allocation", "local", 1, map[string]string{"SLURM_PROCID": "0", "SLURM_STEP_NUM_TASKS": "1",
			"SLURM_NTASKS": "2"}, "", ""},
		{"batch script of 2 tasks, local build", "local", 1, batchTwoTasks, "", ""},
		{"batch script, 2 threads oversubscribe", "local", 2, batchTwoTasks, "",
			"2 threads per rank but Slurm granted 1 CPUs per task (SLURM_CPUS_PER_TASK): threads share cores; ask for --cpus-per-task=2"},
		{"srun ranks x threads oversubscribe", "mpi", 3, map[string]string{"SLURM_PROCID": "0", "SLURM_STEP_NUM_TASKS": "4",
			"SLURM_CPUS_ON_NODE": "4", "SLURM_STEP_TASKS_PER_NODE": "1,2(x2),1", "SLURM_NODEID": "2"}, "",
			"2 ranks x 3 threads on this node oversubscribe the 4 CPUs Slurm granted (SLURM_CPUS_ON_NODE)"},
		{"srun fits", "mpi", 2, map[string]string{"SLURM_PROCID": "0", "SLURM_STEP_NUM_TASKS": "4",
			"SLURM_CPUS_ON_NODE": "4", "SLURM_STEP_TASKS_PER_NODE": "2(x2)", "SLURM_NODEID": "1"}, "", ""},
		{"mpirun in an allocation oversubscribes", "mpi", 1, map[string]string{"OMPI_COMM_WORLD_SIZE": "3",
			"OMPI_COMM_WORLD_LOCAL_SIZE": "3", "SLURM_CPUS_ON_NODE": "2"}, "", "3 ranks x 1 threads on this node oversubscribe the 2 CPUs"},
		{"no Slurm, no warning", "mpi", 64, map[string]string{"OMPI_COMM_WORLD_SIZE": "2"}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			warning, err := checkLaunch(tc.comm, tc.threads, fakeEnv(tc.env))
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "bin/nest-mpi-mpi (make build-mpi)") {
				t.Errorf("error %q does not name the MPI build", err)
			}
			if tc.warning == "" && warning != "" || !strings.Contains(warning, tc.warning) {
				t.Errorf("warning %q, want %q", warning, tc.warning)
			}
		})
	}
}

func TestTasksOnNode(t *testing.T) {
	tests := []struct {
		list string
		node int
		want int
	}{
		{"2", 0, 2}, {"2(x3),1", 2, 2}, {"2(x3),1", 3, 1}, {"2(x3),1", 4, 0}, {"x", 0, 0}, {"2(xq)", 0, 0},
	}
	for _, tc := range tests {
		if got := tasksOnNode(tc.list, tc.node); got != tc.want {
			t.Errorf("tasksOnNode(%q, %d) = %d, want %d", tc.list, tc.node, got, tc.want)
		}
	}
}

// TestLaunchRefusedCLI: the build without MPI started as one of 2 tasks exits 2 before reading
// the file, naming the MPI build.
func TestLaunchRefusedCLI(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "net.json")
	os.WriteFile(file, []byte(`{"script": [{"Simulate": 1.0}]}`), 0o644)
	cmd := exec.Command(bin, "run", file, "--out", filepath.Join(dir, "out"))
	cmd.Env = append(os.Environ(), "OMPI_COMM_WORLD_SIZE=2", "OMPI_COMM_WORLD_RANK=1")
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "make build-mpi") {
		t.Errorf("exit %v, output %q", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("the refused run wrote its output folder")
	}
}
