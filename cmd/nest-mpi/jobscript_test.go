package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nestMPIIn runs the binary in dir and returns its stdout, stderr and exit status.
func nestMPIIn(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// TestJobscript: relative paths become absolute, and the flags reach the script.
func TestJobscript(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "my net.json"), []byte(`{"script": []}`), 0o644)
	os.WriteFile(filepath.Join(dir, "mpi-build"), []byte("#!/bin/sh\n"), 0o755)
	out, stderr, code := nestMPIIn(t, dir, "jobscript", "my net.json", "--nodes", "2", "--tasks-per-node", "4",
		"--threads", "8", "--out", "res/net", "--binary", "mpi-build", "--time", "01:00:00", "--mem", "16g")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"#SBATCH --job-name=my_net\n", "#SBATCH --mem=16G\n", "#SBATCH --time=01:00:00\n",
		"#SBATCH --output=" + filepath.Join(dir, "res") + "/%x-%j.out\n",
		"srun --mpi=pmix --nodes=2 --ntasks-per-node=4 --cpus-per-task=8 --cpu-bind=cores",
		filepath.Join(dir, "mpi-build") + " run '" + filepath.Join(dir, "my net.json") + "' --threads 8 --out " + filepath.Join(dir, "res", "net"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("script lacks %q:\n%s", want, out)
		}
	}
}

// TestJobscriptDefaults: the memory is the estimate's (at least 1 GiB), the launcher srun;
// --no-slurm makes a plain mpirun script.
func TestJobscriptDefaults(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "net.json"), []byte(`{"script": []}`), 0o644)
	args := []string{"jobscript", "net.json", "-N", "1", "-R", "2", "-t", "1", "--binary", bin}
	out, stderr, code := nestMPIIn(t, dir, args...)
	if code != 0 || !strings.Contains(out, "#SBATCH --mem=1024M\n") || !strings.Contains(out, "srun --mpi=pmix") {
		t.Errorf("exit %d: %s\n%s", code, stderr, out)
	}
	out, stderr, code = nestMPIIn(t, dir, append(args, "--no-slurm")...)
	if code != 0 || strings.Contains(out, "#SBATCH") || !strings.Contains(out, "mpirun -np 2") {
		t.Errorf("--no-slurm: exit %d: %s\n%s", code, stderr, out)
	}
}

// TestJobscriptRefuses: every mistake is one line and exit status 2.
func TestJobscriptRefuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "net.json"), []byte(`{"script": []}`), 0o644)
	shape := []string{"-N", "1", "-R", "2", "-t", "1"}
	withBinary := append([]string{"--binary", bin}, shape...)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", shape, "jobscript takes one network file"},
		{"no nodes", []string{"net.json", "-R", "2", "-t", "1", "--binary", bin}, "--nodes is required"},
		{"zero threads", append([]string{"net.json", "--binary", bin, "-N", "1", "-R", "2"}, "-t", "0"), "--threads must be at least 1"},
		{"missing file", append([]string{"none.json"}, withBinary...), "network file: stat"},
		{"missing build", append([]string{"net.json"}, shape...), "build it with 'make build-mpi' or give --binary"},
		{"missing binary", append([]string{"net.json", "--binary", "nope"}, shape...), "--binary: stat"},
		{"time", append([]string{"net.json", "--time", "90m"}, withBinary...), "want HH:MM:SS"},
		{"mem", append([]string{"net.json", "--mem", "lots"}, withBinary...), "want auto or a size"},
		{"launcher", append([]string{"net.json", "--launcher", "aprun"}, withBinary...), `unknown launcher "aprun"`},
		{"srun without slurm", append([]string{"net.json", "--launcher", "srun", "--no-slurm"}, withBinary...), "needs Slurm"},
		{"unknown flag", append([]string{"net.json", "--gpus", "1"}, withBinary...), "unknown flag: --gpus"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := nestMPIIn(t, dir, append([]string{"jobscript"}, tc.args...)...)
			if code != 2 || out != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, stderr, tc.want)
			}
		})
	}
}
