package netfile

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel"
)

// ckScript is a plastic E/I network with every device kind, simulated in three calls with a
// table written between them.
var ckScript = `{"kernel": {"rng_seed": 5}, "script": [
	{"Create": {"model": "weight_recorder", "as": "wr"}},
	{"CopyModel": {"old": "stdp_synapse_hom", "new": "e_syn", "params": {"Wmax": 3.0, "weight_recorder": "wr"}}},
	{"Create": {"model": "iaf_psc_delta", "n": 80, "params": {"V_m": {"distribution": "normal", "mean": -65.0, "std": 5.0}}, "as": "e"}},
	{"Create": {"model": "iaf_psc_delta", "n": 20, "as": "i"}},
	{"Connect": {"pre": "e", "post": ["e", "i"], "conn_spec": {"rule": "fixed_indegree", "indegree": 10}, "syn_spec": {"synapse_model": "e_syn", "weight": 1.0, "delay": 1.5}}},
	{"Connect": {"pre": "i", "post": ["e", "i"], "conn_spec": {"rule": "fixed_indegree", "indegree": 3}, "syn_spec": {"weight": -5.0}}},
	{"Create": {"model": "poisson_generator", "params": {"rate": 9000.0}, "as": "pg"}},
	{"Connect": {"pre": "pg", "post": ["e", "i"], "syn_spec": {"weight": 1.2}}},
	{"Create": {"model": "noise_generator", "params": {"mean": 50.0, "std": 100.0}, "as": "ng"}},
	{"Create": {"model": "iaf_psc_alpha", "n": 5, "params": {"I_e": 300.0}, "as": "a"}},
	{"Connect": {"pre": "ng", "post": "a"}},
	{"Create": {"model": "spike_generator", "params": {"spike_times": [3.0, 17.2, 40.0]}, "as": "sg"}},
	{"Connect": {"pre": "sg", "post": "a", "syn_spec": {"weight": 300.0}}},
	{"Create": {"model": "dc_generator", "params": {"amplitude": 100.0}, "as": "dc"}},
	{"Connect": {"pre": "dc", "post": "a"}},
	{"Create": {"model": "spike_recorder", "as": "sr"}},
	{"Connect": {"pre": ["e", "i", "a"], "post": "sr"}},
	{"Create": {"model": "multimeter", "params": {"record_from": ["V_m"], "interval": 0.5}, "as": "mm"}},
	{"Connect": {"pre": "mm", "post": "a"}},
	{"Simulate": 20.0},
	{"GetStatus": {"nodes": "a", "keys": "V_m", "to": "vm20.csv"}},
	{"Simulate": 25.0},
	{"Simulate": 15.0}
]}`

// sameOutputs compares every output but run.json, and run.json's counts and kernel status.
func sameOutputs(t *testing.T, got, want *MemSink) {
	t.Helper()
	if g, w := got.Names(), want.Names(); len(g) != len(w) {
		t.Fatalf("outputs %v, want %v", g, w)
	}
	for _, name := range want.Names() {
		g, _ := got.File(name)
		w, _ := want.File(name)
		if name == "run.json" {
			var gr, wr RunJSON
			if json.Unmarshal(g, &gr) != nil || json.Unmarshal(w, &wr) != nil {
				t.Fatal("run.json does not parse")
			}
			gb, _ := json.Marshal([]any{gr.Counts, gr.Kernel})
			wb, _ := json.Marshal([]any{wr.Counts, wr.Kernel})
			if string(gb) != string(wb) {
				t.Errorf("run.json counts or kernel: %s, want %s", gb, wb)
			}
			continue
		}
		if string(g) != string(w) {
			t.Errorf("%s differs from the uninterrupted run's", name)
		}
	}
}

// TestResumeAfterStop: a run stopped by a signal in its second Simulate call writes a checkpoint
// and returns the interruption; --resume finishes that call and the rest: the outputs are those
// of a run that was never stopped, on 1 and 2 threads, resumed on the same number of VPs.
func TestResumeAfterStop(t *testing.T) {
	for _, threads := range []int{1, 2} {
		want, _ := mustRun(t, ckScript, Options{Threads: threads})
		dir := t.TempDir()
		var stop atomic.Bool
		opts := Options{Threads: threads, CheckpointDir: dir, Stop: &stop, BeforeCall: func(c Call) error {
			if c.Pos == 21 { // the second Simulate
				stop.Store(true)
			}
			return nil
		}}
		_, _, err := runSrc(t, ckScript, opts)
		if !errors.Is(err, kernel.ErrInterrupted) {
			t.Fatalf("threads %d: the stopped run returned %v, want ErrInterrupted", threads, err)
		}
		got, _ := mustRun(t, ckScript, Options{Threads: threads, Resume: dir})
		sameOutputs(t, got, want)
	}
}

// TestCheckpointEvery: --checkpoint-every writes a checkpoint every 10 ms, keeping the newest two;
// resuming from the older one gives the outputs of the whole run.
func TestCheckpointEvery(t *testing.T) {
	want, _ := mustRun(t, ckScript, Options{Threads: 2})
	dir := t.TempDir()
	got, _ := mustRun(t, ckScript, Options{Threads: 2, CheckpointEvery: 10, CheckpointDir: dir})
	sameOutputs(t, got, want)
	cks, err := checkpointsIn(dir)
	if err != nil || len(cks) != 2 || filepath.Base(cks[0]) != "ck-00000000050.000ms" {
		t.Fatalf("checkpoints %v (%v), want the newest two, 50 and 60 ms", cks, err)
	}
	again, _ := mustRun(t, ckScript, Options{Threads: 2, Resume: cks[0]})
	sameOutputs(t, again, want)
	if _, _, err := runSrc(t, `{"script": [{"Simulate": 5.0}]}`, Options{Resume: dir}); err == nil {
		t.Fatal("resumed another network file's checkpoint")
	}
}

// TestStoreAndRestoreCalls: Store between two Simulate calls writes OUT/ck; a script whose first
// call is Restore continues from it with the stored names.
func TestStoreAndRestoreCalls(t *testing.T) {
	whole := `{"script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 3, "params": {"I_e": 400.0}, "as": "n"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Connect": {"pre": "n", "post": "sr"}},
		{"Simulate": 100.0},
		{"Simulate": 100.0}]}`
	want, _ := mustRun(t, whole, Options{})
	out := t.TempDir()
	first := `{"script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 3, "params": {"I_e": 400.0}, "as": "n"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Connect": {"pre": "n", "post": "sr"}},
		{"Simulate": 100.0},
		{"Store": {"dir": "ck"}}]}`
	mustRun(t, first, Options{OutDir: out})
	second := `{"script": [{"Restore": {"dir": "ck"}}, {"Simulate": 100.0}]}`
	got, _ := mustRun(t, second, Options{BaseDir: out, Threads: 1})
	g, _ := got.File("sr.csv")
	w, _ := want.File("sr.csv")
	if string(g) != string(w) {
		t.Errorf("sr.csv after Restore differs from the uninterrupted run:\n%s\nwant\n%s", g, w)
	}
	for _, bad := range []string{
		`{"script": [{"Create": {"model": "iaf_psc_alpha"}}, {"Restore": {"dir": "ck"}}]}`,
		`{"script": [{"Store": {"dir": "../x"}}]}`,
	} {
		if _, _, err := runSrc(t, bad, Options{BaseDir: out, OutDir: out}); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestGetKernelStatusAndDefaultsFiles: the two calls write JSON objects under the output folder.
func TestGetKernelStatusAndDefaultsFiles(t *testing.T) {
	sink, _ := mustRun(t, script(
		`{"Create": {"model": "iaf_psc_alpha", "n": 2}}`,
		`{"Simulate": 10.0}`,
		`{"GetKernelStatus": {"keys": ["biological_time", "network_size"], "to": "kernel.json"}}`,
		`{"GetDefaults": {"model": "iaf_psc_alpha", "keys": "C_m", "to": "defaults.json"}}`,
	), Options{})
	for name, want := range map[string]map[string]any{
		"kernel.json":   {"biological_time": 10.0, "network_size": 2.0},
		"defaults.json": {"C_m": 250.0},
	} {
		data, ok := sink.File(name)
		var got map[string]any
		if !ok || json.Unmarshal(data, &got) != nil {
			t.Fatalf("%s: %q", name, data)
		}
		for key, w := range want {
			if got[key] != w {
				t.Errorf("%s: %s = %v, want %v", name, key, got[key], w)
			}
		}
	}
	if _, _, err := runSrc(t, script(`{"GetKernelStatus": {"to": "k.csv"}}`), Options{}); err == nil {
		t.Error("GetKernelStatus accepted a non-.json file name")
	}
}
