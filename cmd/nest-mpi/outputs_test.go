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

// TestStopSignals: SIGTERM, SIGUSR1 and SIGINT stop a long run at a slice boundary; the outputs
// recorded so far are published, complete lines only, run.json names the signal, exit status 4.
func TestStopSignals(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "long.json")
	os.WriteFile(file, []byte(`{"kernel": {"print_time": false}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 50, "params": {"I_e": 400.0}, "as": "n"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Create": {"model": "spike_recorder", "params": {"record_to": "ascii", "label": "dat"}}},
		{"Connect": {"pre": "n", "post": "sr"}},
		{"Connect": {"pre": "n", "post": [52]}},
		{"Simulate": 1e9}]}`), 0o644)
	for _, sig := range []struct {
		s    syscall.Signal
		name string
	}{{syscall.SIGTERM, "SIGTERM"}, {syscall.SIGUSR1, "SIGUSR1"}, {syscall.SIGINT, "SIGINT"}} {
		t.Run(sig.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+sig.name)
			cmd := exec.Command(bin, "run", file, "--out", out)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(700 * time.Millisecond)
			cmd.Process.Signal(sig.s)
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Fatalf("exit status %d, want 4; stderr %q", code, stderr.String())
			}
			data, err := os.ReadFile(filepath.Join(out, "run.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), `"complete": false`) || !strings.Contains(string(data), "stopped by "+sig.name) {
				t.Errorf("run.json: %s", data)
			}
			for _, name := range []string{"sr.csv", "dat-52-0.dat"} {
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil || len(b) == 0 || b[len(b)-1] != '\n' {
					t.Errorf("%s: %v, ends %q", name, err, b[max(0, len(b)-20):])
				}
			}
		})
	}
}

// TestExitStatus checks the statuses of failures that are not NEST errors.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"script": [{"Simulate": 1.0}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"output folder cannot be made", []string{"run", good, "--out", filepath.Join(dir, "file", "out")}, 2, "IOError: cannot create the output folder"},
		{"ok", []string{"run", good, "--out", filepath.Join(dir, "out"), "-q"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := nestMPI(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, c.code, c.want)
			}
		})
	}
}

// TestEstimateCommand: estimate prints the counts and the peak; run refuses a network of 10^10
// connections within a second (exit 3), before creating anything; jobscript --mem auto asks for
// the estimate.
func TestEstimateCommand(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	os.WriteFile(huge, []byte(`{"script": [{"Create": {"model": "iaf_psc_alpha", "n": 100000, "as": "n"}},
		{"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 100000}}},
		{"Simulate": 10.0}]}`), 0o644)
	out, stderr, code := nestMPI(t, "estimate", huge, "--json", "--ranks", "4")
	if code != 0 || !strings.Contains(out, `"connections": 10000000000`) || !strings.Contains(out, `"peak_rss_bytes": `) {
		t.Errorf("estimate --json: exit %d %s\n%s", code, stderr, out)
	}
	out, _, _ = nestMPI(t, "estimate", huge)
	if !strings.Contains(out, "connections: 10000000000") || !strings.Contains(out, "peak resident memory") {
		t.Errorf("estimate: %s", out)
	}
	start := time.Now()
	_, stderr, code = nestMPI(t, "run", huge, "--out", filepath.Join(dir, "out"))
	if code != exitDoesNotFit || !strings.Contains(stderr, "the network does not fit: the estimate is") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("run: exit %d, stderr %q", code, stderr)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing took %v", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("the output folder was created for a network that does not fit")
	}
	out, _, code = nestMPIIn(t, dir, "jobscript", "huge.json", "-N", "2", "-R", "2", "-t", "1", "--binary", bin)
	if code != 0 || !strings.Contains(out, "#SBATCH --mem=") || strings.Contains(out, "--mem=1024M") {
		t.Errorf("jobscript --mem auto for a huge network: %s", out)
	}
}

// TestOutOfMemory: a run that grows past the memory it may use (here NESTMPI_MEMORY_LIMIT; the
// estimate assumes 10 spikes/s, these neurons fire at every step) ends with one line naming the
// call and the limit, exit status 3, and leaves no staged outputs.
func TestOutOfMemory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flood.json")
	os.WriteFile(file, []byte(`{"kernel": {"print_time": false}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 1000, "params": {"I_e": 100000.0, "t_ref": 0.1}, "as": "n"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Connect": {"pre": "n", "post": "sr"}},
		{"Simulate": 5000.0}]}`), 0o644)
	cmd := exec.Command(bin, "run", file, "--out", filepath.Join(dir, "out"))
	cmd.Env = append(os.Environ(), "NESTMPI_MEMORY_LIMIT=120M")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != exitDoesNotFit {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if s := stderr.String(); strings.Count(s, "\n") != 1 || !strings.Contains(s, "out of memory in script[3] Simulate: the run uses") ||
		!strings.Contains(s, "of the 120 MiB a rank may use") {
		t.Errorf("stderr %q", s)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
