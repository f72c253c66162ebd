//go:build mpi

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

// These tests run the MPI build under mpirun: CC=mpicc go test -tags mpi ./cmd/nest-mpi/

// splitNetwork is a random network with STDP, a weight_recorder, a multimeter and tables.
const splitNetwork = `{"kernel": {"rng_seed": 11}, "script": [
  {"Create": {"model": "iaf_psc_alpha", "n": 200, "params": {"V_m": {"distribution": "uniform", "min": -70.0, "max": -55.0}}, "as": "n"}},
  {"Create": {"model": "poisson_generator", "params": {"rate": 15000.0}, "as": "pg"}},
  {"Create": {"model": "spike_recorder", "as": "sr"}},
  {"Create": {"model": "multimeter", "params": {"record_from": ["V_m", "I_syn_ex"], "interval": 1.0}, "as": "mm"}},
  {"Create": {"model": "weight_recorder", "params": {"senders": "n[0:20]"}, "as": "wr"}},
  {"CopyModel": {"old": "stdp_synapse", "new": "plastic", "params": {"weight_recorder": "wr"}}},
  {"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 10}, "syn_spec": {"synapse_model": "plastic", "weight": {"distribution": "normal", "mean": 20.0, "std": 5.0}, "delay": 1.5}}},
  {"Connect": {"pre": "pg", "post": "n", "syn_spec": {"weight": 12.0}}},
  {"Connect": {"pre": "n", "post": "sr"}},
  {"Connect": {"pre": "mm", "post": "n[::10]"}},
  {"Simulate": 60.0},
  {"Simulate": 40.0},
  {"GetStatus": {"nodes": "n[0:30]", "keys": ["global_id", "V_m", "I_e"], "to": "status.csv"}},
  {"GetStatus": {"nodes": ["sr", "wr"], "keys": ["n_events"], "to": "rec_status.csv"}},
  {"GetConnections": {"synapse_model": "plastic", "keys": ["source", "target", "weight", "delay"], "to": "conns.csv"}}
]}`

func mpiBinary(t *testing.T) (string, string) {
	t.Helper()
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("mpirun not found")
	}
	mbin := filepath.Join(filepath.Dir(bin), "nest-mpi-mpi")
	if _, err := os.Stat(mbin); err != nil {
		gobin, err := exec.LookPath("go")
		if err != nil {
			t.Skip("go not found")
		}
		cmd := exec.Command(gobin, "build", "-tags", "mpi", "-o", mbin, ".")
		cmd.Env = append(os.Environ(), "CC=mpicc")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building the MPI binary: %v\n%s", err, out)
		}
	}
	return mpirun, mbin
}

func runMPI(t *testing.T, mpirun, mbin string, np string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(mpirun, append([]string{"--oversubscribe", "--bind-to", "none", "-np", np, mbin}, args...)...)
	cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_rmaps_base_oversubscribe=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return errb.String(), 0
}

// TestMPISplitInvariance: the outputs are the same bytes for 4 virtual processes split as 1x4,
// 2x2 and 4x1 (ranks x threads).
func TestMPISplitInvariance(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "net.json")
	os.WriteFile(file, []byte(splitNetwork), 0o644)
	ref := filepath.Join(dir, "ref")
	if _, stderr, code := nestMPI(t, "run", file, "-q", "--threads", "4", "--out", ref); code != 0 {
		t.Fatalf("reference run: %s", stderr)
	}
	for _, split := range [][2]string{{"2", "2"}, {"4", "1"}} {
		out := filepath.Join(dir, "np"+split[0])
		if stderr, code := runMPI(t, mpirun, mbin, split[0], "run", file, "-q", "--threads", split[1], "--out", out); code != 0 {
			t.Fatalf("%s ranks: exit %d: %s", split[0], code, stderr)
		}
		for _, name := range []string{"sr.csv", "mm.csv", "wr.csv", "status.csv", "rec_status.csv", "conns.csv"} {
			a, _ := os.ReadFile(filepath.Join(ref, name))
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil || len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s ranks x %s threads: %s differs from 1 x 4 (%v)", split[0], split[1], name, err)
			}
		}
	}
}

// TestMPIAbort: an error on one rank only (node 1 lives on rank 1) aborts every rank with one
// message and exit status 2, and leaves nothing behind.
func TestMPIAbort(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.json")
	os.WriteFile(file, []byte(`{"script": [{"Create": {"model": "iaf_psc_alpha", "n": 4, "as": "n"}},
		{"SetStatus": {"nodes": "n[0]", "params": {"C_m": -1.0}}}, {"Simulate": 5.0}]}`), 0o644)
	out := filepath.Join(dir, "out")
	stderr, code := runMPI(t, mpirun, mbin, "2", "run", file, "--out", out)
	if code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if n := strings.Count(stderr, "nest-mpi: "); n != 1 || !strings.Contains(stderr, "nest-mpi: rank 1: script[1] SetStatus: BadProperty: ") {
		t.Errorf("stderr (%d messages):\n%s", n, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
