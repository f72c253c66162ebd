package netfile

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// errLimit marks a file the fuzz harness refuses to run because it would take too long or write
// files (it is not a failure).
var errLimit = errors.New("beyond the fuzzing limits")

// fuzzLimits returns a BeforeCall hook that bounds the work of a fuzzed file: at most 100 ms of
// simulated time, 300 nodes, 10 Connect calls, 2 threads, small delays, degrees and rates, a
// resolution of at least 0.01 ms, and no files (ascii recorders, data_path).
func fuzzLimits() func(Call) error {
	var simulated float64
	var nodes, connects int
	return func(c Call) error {
		if err := checkTree(c.Value, "", false); err != nil {
			return err
		}
		switch c.Name {
		case "Simulate":
			t, err := status.ToFloat(c.Value)
			if err != nil {
				return nil // the runner reports it
			}
			if simulated += t; !(simulated <= 100) {
				return errLimit
			}
		case "Create":
			m, _ := c.Value.(map[string]any)
			n := int64(1)
			if v, ok := m["n"]; ok {
				if x, err := status.ToInt(v); err == nil {
					n = x
				}
			}
			if l, ok := m["params"].([]any); ok {
				n = int64(len(l))
			}
			if n > 0 {
				if nodes += int(min(n, 1<<20)); nodes > 300 {
					return errLimit
				}
			}
		case "Connect":
			if connects++; connects > 10 {
				return errLimit
			}
		}
		return nil
	}
}

// checkTree refuses values that make a run slow or write files. Every number of a delay (a
// distribution's parameters too) must be small.
func checkTree(v any, key string, inDelay bool) error {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "data_path", "data_prefix":
				return errLimit
			}
			if err := checkTree(e, k, inDelay || k == "delay"); err != nil {
				return err
			}
		}
	case []any:
		if len(x) > 1000 {
			return errLimit
		}
		for _, e := range x {
			if err := checkTree(e, key, inDelay); err != nil {
				return err
			}
		}
	case string:
		if strings.EqualFold(x, "ascii") {
			return errLimit
		}
	case int64, float64:
		f, _ := status.ToFloat(x)
		if inDelay && !(math.Abs(f) <= 20) {
			return errLimit
		}
		lim := map[string][2]float64{
			"resolution": {0.01, math.Inf(1)}, "tics_per_ms": {0, 1e5},
			"delay": {-20, 20}, "min_delay": {-20, 20}, "max_delay": {-20, 20},
			"local_num_threads": {-2, 2}, "total_num_virtual_procs": {-2, 2},
			"indegree": {-50, 50}, "outdegree": {-50, 50}, "N": {-100, 100}, "n": {-100, 100},
			"rate": {-1e6, 1e6}, "interval": {0.01, math.Inf(1)},
		}
		if l, ok := lim[key]; ok && !(f >= l[0] && f <= l[1]) {
			return errLimit
		}
	}
	return nil
}

// fuzzSeeds are small files exercising every call.
var fuzzSeeds = []string{
	`{"kernel": {"resolution": 0.1, "rng_seed": 42}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 1, "params": {"I_e": 376.0}, "as": "neuron"}},
		{"Create": {"model": "multimeter", "params": {"record_from": ["V_m"], "interval": 0.1}, "as": "mm"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Connect": {"pre": "mm", "post": "neuron"}},
		{"Connect": {"pre": "neuron", "post": "sr"}},
		{"Simulate": 100.0}]}`,
	`{"comment": "all calls", "kernel": {"local_num_threads": 2}, "script": [
		{"SetKernelStatus": {"rng_seed": 3}},
		{"CopyModel": {"old": "iaf_psc_delta", "new": "my", "params": {"tau_m": 15.0}}},
		{"SetDefaults": {"model": "my", "params": {"V_th": -52.0}}},
		{"Create": {"model": "my", "n": 10, "params": {"V_m": {"distribution": "normal", "mean": -60.0, "std": 3.0}}, "as": "e"}},
		{"Create": {"model": "poisson_generator", "params": {"rate": 8000.0}, "as": "pg"}},
		{"Create": {"model": "spike_recorder", "n": 2, "as": "sr"}},
		{"SetStatus": {"nodes": "e[::3]", "params": {"I_e": 10.0}}},
		{"SetStatus": {"nodes": ["e[0]", 2], "params": [{"I_e": 1.0}, {"I_e": 2.0}]}},
		{"Connect": {"pre": "e", "post": "e", "conn_spec": {"rule": "fixed_indegree", "indegree": 3}, "syn_spec": {"weight": 0.5, "delay": {"distribution": "uniform", "min": 1.0, "max": 2.0}}}},
		{"Connect": {"pre": "pg", "post": "e", "syn_spec": {"weight": 1.0}}},
		{"Connect": {"pre": "e[-5:]", "post": "sr[1]"}},
		{"Simulate": 20},
		{"GetStatus": {"nodes": "e[0:3]", "keys": ["V_m", "global_id"], "to": "vm.csv"}},
		{"GetConnections": {"source": "e[0]", "keys": ["target", "weight"], "to": "c.csv"}},
		{"ResetKernel": {}},
		{"Create": {"model": "iaf_psc_exp", "as": "x"}},
		{"Simulate": 5}]}`,
	`{"script": [
		{"Create": {"model": "spike_generator", "params": {"spike_times": [1.0, 5.0]}, "as": "g"}},
		{"Create": {"model": "parrot_neuron", "as": "p"}},
		{"Create": {"model": "iaf_psc_alpha", "as": "post"}},
		{"Create": {"model": "weight_recorder", "params": {"senders": "p"}, "as": "wr"}},
		{"CopyModel": {"old": "stdp_synapse", "new": "s", "params": {"weight_recorder": "wr"}}},
		{"Connect": {"pre": "g", "post": "p"}},
		{"Connect": {"pre": "p", "post": "post", "syn_spec": "s"}},
		{"Create": {"model": "dc_generator", "params": {"amplitude": 100.0}, "as": "dc"}},
		{"Create": {"model": "noise_generator", "params": {"std": 10.0}, "as": "ng"}},
		{"Create": {"model": "voltmeter", "as": "vm"}},
		{"Connect": {"pre": ["dc", "ng"], "post": "post"}},
		{"Connect": {"pre": "vm", "post": "post"}},
		{"Simulate": 30}, {"Simulate": 0.5},
		{"GetConnections": {}}, {"GetStatus": {"nodes": "wr"}}]}`,
	`{"script": [{"Create": {"model": "spike_detector", "params": {"withgid": true}}}, {"Simulate": 1}]}`,
	`{"script": [{"Create": {"model": "iaf_psc_alpha", "as": "a"}}, {"Connect": {"pre": "a[1:]", "post": "a", "conn_spec": "one_to_one"}}]}`,
	`{"script": [{"Simulate": 1e-9}]}`,
	`{"script": [], "kernel": null}`,
	`{"script": [{"ResetKernel": {}}], "x": 1}`,
	`[1, 2]`,
	`{"script": [{"Create": {"model": "iaf_psc_alpha", "n": 2, "params": {"I_e": [1, 2, 3]}}}]}`,
}

// FuzzNetworkFile feeds arbitrary bytes to the parser and the runner: nothing may panic, errors
// must carry a position and be one line, and no InternalError may come out.
func FuzzNetworkFile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	tutorial, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "examples", "tutorial", "*.json"))
	for _, p := range tutorial {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<13 {
			return
		}
		file, err := Parse(data)
		if err != nil {
			if status.KindOf(err) == "" {
				t.Errorf("parse error without a NEST error kind: %v", err)
			}
			return
		}
		sink := &MemSink{}
		_, err = Run(file, Options{Sink: sink, BeforeCall: fuzzLimits()})
		if err == nil {
			if _, ok := sink.File("run.json"); !ok {
				t.Error("no run.json after a successful run")
			}
			return
		}
		if errors.Is(err, errLimit) {
			return
		}
		var pe *PanicError
		if errors.As(err, &pe) {
			t.Fatalf("panic: %v\n%s\nfile: %s", pe.Value, pe.Stack, data)
		}
		msg := err.Error()
		if status.KindOf(err) == status.InternalError {
			t.Fatalf("internal error: %s\nfile: %s", msg, data)
		}
		var ce *CallError
		if !errors.As(err, &ce) || strings.Contains(msg, "\n") ||
			!(strings.HasPrefix(msg, "kernel: ") || strings.HasPrefix(msg, "script[") || strings.HasPrefix(msg, "output: ")) {
			t.Errorf("error %q has no position or several lines", msg)
		}
		if status.KindOf(err) == "" {
			t.Logf("error without a NEST error kind: %s", fmt.Sprint(msg))
		}
	})
}
