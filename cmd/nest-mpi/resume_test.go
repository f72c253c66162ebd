package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// resumeNetwork is a random plastic network with every recorder kind, long enough to be
// interrupted.
const resumeNetwork = `{"kernel": {"rng_seed": 21}, "script": [
  {"Create": {"model": "iaf_psc_alpha", "n": 1000, "params": {"V_m": {"distribution": "uniform", "min": -70.0, "max": -55.0}}, "as": "n"}},
  {"Create": {"model": "poisson_generator", "params": {"rate": 15000.0}, "as": "pg"}},
  {"Create": {"model": "noise_generator", "params": {"mean": 20.0, "std": 50.0}, "as": "ng"}},
  {"Create": {"model": "spike_recorder", "as": "sr"}},
  {"Create": {"model": "multimeter", "params": {"record_from": ["V_m"], "interval": 1.0}, "as": "mm"}},
  {"Create": {"model": "weight_recorder", "params": {"senders": "n[0:20]"}, "as": "wr"}},
  {"CopyModel": {"old": "stdp_synapse", "new": "plastic", "params": {"weight_recorder": "wr"}}},
  {"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 100}, "syn_spec": {"synapse_model": "plastic", "weight": {"distribution": "normal", "mean": 20.0, "std": 5.0, "redraw": {"min": 0.0}}, "delay": 1.5}}},
  {"Connect": {"pre": "pg", "post": "n", "syn_spec": {"weight": 12.0}}},
  {"Connect": {"pre": "ng", "post": "n[::7]"}},
  {"Connect": {"pre": "n", "post": "sr"}},
  {"Connect": {"pre": "mm", "post": "n[::10]"}},
  {"Simulate": 400.0},
  {"GetStatus": {"nodes": "n[0:30]", "keys": ["V_m"], "to": "status.csv"}},
  {"Simulate": 400.0},
  {"GetConnections": {"synapse_model": "plastic", "keys": ["source", "target", "weight"], "to": "conns.csv"}}
]}`

// TestResumeAfterSIGTERM stops a run with SIGTERM at several moments: it exits with status 4,
// having written a checkpoint; --resume then gives the files of the run that was never stopped.
func TestResumeAfterSIGTERM(t *testing.T) {
	dir := t.TempDir()
	net := filepath.Join(dir, "net.json")
	if err := os.WriteFile(net, []byte(resumeNetwork), 0o644); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "want")
	start := time.Now()
	runOK(t, exec.Command(bin, "run", net, "--out", want, "-q", "--threads", "2"))
	took := time.Since(start)
	interrupted := 0
	for i, frac := range []float64{0.02, 0.3, 0.6} { // moments within the run, wherever it is then
		delay := time.Duration(frac * float64(took))
		out, ck := filepath.Join(dir, "out", string(rune('a'+i))), filepath.Join(dir, "ck", string(rune('a'+i)))
		cmd := exec.Command(bin, "run", net, "--out", out, "-q", "--threads", "2", "--checkpoint-dir", ck)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(out); err == nil { // the process is up, its handlers installed
				break
			}
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		var ee *exec.ExitError
		if err == nil {
			t.Logf("delay %v: the run ended before the signal", delay)
			continue
		}
		if !errors.As(err, &ee) || ee.ExitCode() != 4 {
			t.Fatalf("delay %v: exit %v, want status 4", delay, err)
		}
		interrupted++
		runOK(t, exec.Command(bin, "run", net, "--out", out, "-q", "--threads", "2", "--resume", ck))
		sameFiles(t, out, want)
	}
	if interrupted == 0 {
		t.Fatal("no run was interrupted: the network runs too fast to test anything")
	}
}

func runOK(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, stderr.String())
	}
}

// sameFiles requires the same output files with the same bytes (run.json: the same counts).
func sameFiles(t *testing.T, got, want string) {
	t.Helper()
	ents, err := os.ReadDir(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		w, _ := os.ReadFile(filepath.Join(want, e.Name()))
		g, err := os.ReadFile(filepath.Join(got, e.Name()))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if e.Name() == "run.json" {
			var gr, wr struct{ Counts any }
			if json.Unmarshal(g, &gr) != nil || json.Unmarshal(w, &wr) != nil {
				t.Fatal("run.json does not parse")
			}
			gb, _ := json.Marshal(gr.Counts)
			wb, _ := json.Marshal(wr.Counts)
			if string(gb) != string(wb) {
				t.Errorf("run.json counts %s, want %s", gb, wb)
			}
			continue
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from the uninterrupted run's", e.Name())
		}
	}
}

// TestStoreCallSurvivesPublishing: a Store call's checkpoint is written into the output folder at
// once and is still there, complete, when the outputs are published.
func TestStoreCallSurvivesPublishing(t *testing.T) {
	dir := t.TempDir()
	net := filepath.Join(dir, "net.json")
	src := `{"script": [{"Create": {"model": "iaf_psc_alpha", "params": {"I_e": 400.0}, "as": "n"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}}, {"Connect": {"pre": "n", "post": "sr"}},
		{"Simulate": 50.0}, {"Store": {"dir": "ck"}}, {"Simulate": 50.0}]}`
	if err := os.WriteFile(net, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for range 2 { // into a new folder, then over the earlier run's
		runOK(t, exec.Command(bin, "run", net, "--out", out, "-q"))
		for _, name := range []string{"ck/manifest.json", "sr.csv", "run.json"} {
			if _, err := os.Stat(filepath.Join(out, name)); err != nil {
				t.Fatalf("after publishing: %v", err)
			}
		}
	}
}
