//go:build mpi

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMPIStopSignal: SIGUSR1 to mpirun (which forwards it to every rank) stops both ranks at the
// same slice; rank 0 publishes the merged outputs recorded so far, run.json incomplete, exit 4.
func TestMPIStopSignal(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "long.json")
	os.WriteFile(file, []byte(`{"kernel": {"print_time": false}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 50, "params": {"I_e": 400.0}, "as": "n"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Connect": {"pre": "n", "post": "sr"}},
		{"Simulate": 1e9}]}`), 0o644)
	out := filepath.Join(dir, "out")
	cmd := exec.Command(mpirun, "--oversubscribe", "--bind-to", "none", "-np", "2", mbin, "run", file, "-q", "--out", out)
	cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	cmd.Process.Signal(syscall.SIGUSR1)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit status %d, want 4", code)
	}
	data, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	// rank 0 names the signal, or "a signal" when the other rank's request stopped the run before
	// rank 0's own copy of the forwarded signal arrived
	s := string(data)
	named := strings.Contains(s, "stopped by SIGUSR1") || strings.Contains(s, "stopped by a signal")
	if !strings.Contains(s, `"complete": false`) || !named || !strings.Contains(s, `"num_processes": 2`) {
		t.Errorf("run.json: %s", data)
	}
	if b, err := os.ReadFile(filepath.Join(out, "sr.csv")); err != nil || len(b) == 0 || b[len(b)-1] != '\n' {
		t.Errorf("sr.csv: %v", err)
	}
}
