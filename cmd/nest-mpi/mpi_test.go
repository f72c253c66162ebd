//go:build mpi

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
// 2x2 and 4x1 (ranks x threads), with --cpuprofile writing one profile per rank for the first
// network.
func TestMPISplitInvariance(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	dir := t.TempDir()
	split := filepath.Join(dir, "net.json")
	os.WriteFile(split, []byte(splitNetwork), 0o644)
	tutorials, _ := filepath.Glob(filepath.Join("..", "..", "examples", "tutorial", "*.json"))
	for i, file := range append([]string{split}, tutorials...) {
		for _, nvp := range []string{"4", "2"} {
			ref := filepath.Join(dir, fmt.Sprintf("ref%d-%s", i, nvp))
			if _, stderr, code := nestMPI(t, "run", file, "-q", "--threads", nvp, "--out", ref); code != 0 {
				t.Fatalf("%s: reference run 1 x %s: %s", file, nvp, stderr)
			}
			names, _ := filepath.Glob(filepath.Join(ref, "*.csv"))
			if len(names) == 0 {
				t.Fatalf("%s: no tables written", file)
			}
			splits := [][2]string{{"2", "2"}, {"4", "1"}}
			if nvp == "2" {
				splits = [][2]string{{"2", "1"}}
			}
			for _, sp := range splits {
				out := filepath.Join(dir, fmt.Sprintf("out%d-%sx%s", i, sp[0], sp[1]))
				args := []string{"run", file, "-q", "--threads", sp[1], "--out", out}
				prof := filepath.Join(dir, fmt.Sprintf("cpu%d-%sx%s.prof", i, sp[0], sp[1]))
				if i == 0 { // a profile per rank changes nothing of the outputs
					args = append(args, "--cpuprofile", prof)
				}
				if stderr, code := runMPI(t, mpirun, mbin, sp[0], args...); code != 0 {
					t.Fatalf("%s: %s ranks: exit %d: %s", file, sp[0], code, stderr)
				}
				if i == 0 {
					checkProfiles(t, prof, sp[0])
				}
				for _, name := range names {
					a, _ := os.ReadFile(name)
					b, err := os.ReadFile(filepath.Join(out, filepath.Base(name)))
					if err != nil || len(a) == 0 || !bytes.Equal(a, b) {
						t.Errorf("%s: %s ranks x %s threads: %s differs from 1 x %s (%v)", file, sp[0], sp[1], filepath.Base(name), nvp, err)
					}
				}
			}
		}
	}
}

// checkProfiles requires the CPU profiles of a run on np ranks: path on rank 0, path.rankN on
// rank N, each gzip-compressed.
func checkProfiles(t *testing.T, path, np string) {
	t.Helper()
	n, _ := strconv.Atoi(np)
	for r := range n {
		p := path
		if r > 0 {
			p = fmt.Sprintf("%s.rank%d", path, r)
		}
		if data, err := os.ReadFile(p); err != nil || len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			t.Errorf("--cpuprofile on %s ranks: rank %d's %s: %d bytes, %v", np, r, p, len(data), err)
		}
	}
}

// TestMPIKilledRank: a rank killed in the middle of a run ends the whole job promptly with a
// non-zero status.
func TestMPIKilledRank(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "long.json")
	os.WriteFile(file, []byte(`{"script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 2000, "as": "n"}},
		{"Create": {"model": "poisson_generator", "params": {"rate": 10000.0}, "as": "pg"}},
		{"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 20}, "syn_spec": {"weight": 10.0}}},
		{"Connect": {"pre": "pg", "post": "n", "syn_spec": {"weight": 15.0}}},
		{"Simulate": 1000000.0}]}`), 0o644)
	cmd := exec.Command(mpirun, "--oversubscribe", "--bind-to", "none", "-np", "2", mbin, "run", file, "-q", "--out", filepath.Join(dir, "out"))
	cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var victim int
	for deadline := time.Now().Add(20 * time.Second); victim == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		victim = rankPID(cmd.Process.Pid, "1")
	}
	if victim == 0 {
		cmd.Process.Kill()
		t.Fatal("rank 1 never started")
	}
	time.Sleep(time.Second) // let the simulation run
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the job exited with status 0 after a rank was killed")
		}
		t.Logf("job ended %.1f s after the kill: %v", time.Since(killed).Seconds(), err)
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the job was still running 10 s after a rank was killed")
	}
}

// rankPID returns the pid of the process of the given MPI rank among the descendants of parent
// (found through OMPI_COMM_WORLD_RANK in /proc/<pid>/environ), or 0.
func rankPID(parent int, rank string) int {
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	children := map[int][]int{}
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(s)[0])
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	queue := []int{parent}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", c))
			for _, kv := range strings.Split(string(env), "\x00") {
				if kv == "OMPI_COMM_WORLD_RANK="+rank {
					return c
				}
			}
			queue = append(queue, c)
		}
	}
	return 0
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

// TestMPIResumeAfterSignal: a run on 2 ranks stopped by SIGUSR1 sent to mpirun (which forwards it
// to every rank; SIGTERM makes mpirun kill the job soon after forwarding it, so job scripts use
// SIGUSR1) writes a checkpoint on every rank after the same slice and exits with status 4.
// Resumed on 2 ranks, it gives the files of the uninterrupted run of the same VPs.
func TestMPIResumeAfterSignal(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	dir := t.TempDir()
	net := filepath.Join(dir, "net.json")
	if err := os.WriteFile(net, []byte(resumeNetwork), 0o644); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "want")
	runOK(t, exec.Command(bin, "run", net, "--out", want, "-q", "--threads", "2"))
	launch := func(args ...string) *exec.Cmd {
		cmd := exec.Command(mpirun, append([]string{"-np", "2", "--bind-to", "none", mbin, "run", net, "-q", "--threads", "1"}, args...)...)
		cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_rmaps_base_oversubscribe=1")
		return cmd
	}
	for i, sig := range []syscall.Signal{syscall.SIGUSR1} {
		out, ck := filepath.Join(dir, "out-"+sig.String()), filepath.Join(dir, "ck-"+sig.String())
		cmd := launch("--out", out, "--checkpoint-dir", ck)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// the signal handlers are installed once the output folder exists; then some simulating
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if _, err := os.Stat(out); err == nil {
				break
			}
		}
		time.Sleep(time.Duration(500+300*i) * time.Millisecond)
		_ = cmd.Process.Signal(sig)
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			t.Logf("%v: the run ended before the signal", sig)
			continue
		case !errors.As(err, &ee):
			t.Fatal(err)
		case sig == syscall.SIGUSR1 && ee.ExitCode() != 4:
			t.Fatalf("%v: exit %v, want status 4\n%s", sig, err, stderr.String())
		}
		if len(lsDir(ck)) == 0 {
			t.Fatalf("%v: no checkpoint written\n%s", sig, stderr.String())
		}
		runOK(t, launch("--out", out, "--resume", ck))
		sameFiles(t, out, want)
	}
}

func lsDir(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestMPIStoreRestoreAcrossSplits: a run on 2 ranks x 2 threads stores a checkpoint between its
// two Simulate calls; restored on 4 ranks x 1 thread and on 1 process with 4 threads, the rest of
// the run gives the files of the run that never stopped.
func TestMPIStoreRestoreAcrossSplits(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	dir := t.TempDir()
	write := func(name, calls string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(`{"kernel": {"rng_seed": 4}, "script": [`+calls+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	build := `{"Create": {"model": "iaf_psc_alpha", "n": 300, "params": {"V_m": {"distribution": "uniform", "min": -70.0, "max": -55.0}}, "as": "n"}},
		{"Create": {"model": "poisson_generator", "params": {"rate": 15000.0}, "as": "pg"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Create": {"model": "weight_recorder", "params": {"senders": "n[0:10]"}, "as": "wr"}},
		{"CopyModel": {"old": "stdp_synapse", "new": "plastic", "params": {"weight_recorder": "wr"}}},
		{"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 20}, "syn_spec": {"synapse_model": "plastic", "weight": 20.0, "delay": 1.5}}},
		{"Connect": {"pre": "pg", "post": "n", "syn_spec": {"weight": 12.0}}},
		{"Connect": {"pre": "n", "post": "sr"}}, {"Simulate": 100.0}`
	whole := write("whole.json", build+`, {"Simulate": 100.0}`)
	first := write("first.json", build+`, {"Store": {"dir": "ck"}}`)
	want := filepath.Join(dir, "want")
	runOK(t, exec.Command(bin, "run", whole, "--out", want, "-q", "--threads", "4"))
	mpi := func(np int, args ...string) *exec.Cmd {
		cmd := exec.Command(mpirun, append([]string{"-np", strconv.Itoa(np), "--bind-to", "none", mbin}, args...)...)
		cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_rmaps_base_oversubscribe=1")
		return cmd
	}
	stored := filepath.Join(dir, "stored")
	runOK(t, mpi(2, "run", first, "--out", stored, "-q", "--threads", "2"))
	second := write("second.json", `{"Restore": {"dir": "stored/ck"}}, {"Simulate": 100.0}`)
	for _, c := range []struct {
		name string
		cmd  *exec.Cmd
	}{
		{"4x1", mpi(4, "run", second, "--out", filepath.Join(dir, "r4x1"), "-q", "--threads", "1")},
		{"1x4", exec.Command(bin, "run", second, "--out", filepath.Join(dir, "r1x4"), "-q", "--threads", "4")},
	} {
		runOK(t, c.cmd)
		for _, name := range []string{"sr.csv", "wr.csv"} {
			w, _ := os.ReadFile(filepath.Join(want, name))
			g, err := os.ReadFile(filepath.Join(dir, "r"+c.name, name))
			if err != nil || !bytes.Equal(g, w) || len(w) < 1000 {
				t.Errorf("restored as %s: %s differs from the uninterrupted run's (%v)", c.name, name, err)
			}
		}
	}
}
