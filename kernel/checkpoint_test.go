package kernel

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nest-mpi/nest-mpi/checkpoint"
	"github.com/nest-mpi/nest-mpi/connect"
)

// ckNetwork builds a plastic E/I network with every device kind and some of every model family:
// iaf_psc_delta with stdp_synapse_hom observed by a weight_recorder, iaf_psc_alpha with
// stdp_synapse, aeif_cond_alpha with tsodyks_synapse, driven by poisson, noise, dc, spike and step
// current generators; recorded by spike recorders and multimeters.
func ckNetwork(t testing.TB, k *Kernel) []NodeCollection {
	t.Helper()
	m := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := func(model string, n int, p Params) NodeCollection {
		t.Helper()
		nc, err := k.Create(model, n, p)
		m(err)
		return nc
	}
	wr := c("weight_recorder", 1, nil)
	m(k.CopyModel("stdp_synapse_hom", "e_syn", Params{"Wmax": 3.0, "weight_recorder": wr}))
	e := c("iaf_psc_delta", 160, Params{"V_m": connect.Normal(-65, 5)})
	in := c("iaf_psc_delta", 40, Params{"V_m": connect.Normal(-65, 5)})
	all, _ := e.Concat(in)
	m(k.Connect(e, all, Params{"rule": "fixed_indegree", "indegree": 20}, Params{"synapse_model": "e_syn", "weight": 1.0, "delay": connect.Uniform(1, 2)}))
	m(k.Connect(in, all, Params{"rule": "fixed_indegree", "indegree": 5}, Params{"weight": -5.0}))
	pg := c("poisson_generator", 1, Params{"rate": 9000.0})
	m(k.Connect(pg, all, nil, Params{"weight": 1.2}))
	alpha := c("iaf_psc_alpha", 20, Params{"I_e": 300.0})
	m(k.Connect(e, alpha, Params{"rule": "fixed_indegree", "indegree": 10}, Params{"synapse_model": "stdp_synapse", "weight": 30.0, "lambda": connect.Uniform(0.005, 0.02)}))
	aeif := c("aeif_cond_alpha", 10, nil)
	m(k.Connect(e, aeif, Params{"rule": "fixed_indegree", "indegree": 10}, Params{"synapse_model": "tsodyks_synapse", "weight": 8.0}))
	noise := c("noise_generator", 1, Params{"mean": 200.0, "std": 100.0, "dt": 0.5})
	dc := c("dc_generator", 1, Params{"amplitude": 150.0, "start": 20.0})
	sg := c("spike_generator", 1, Params{"spike_times": []float64{5, 33.3, 70, 71, 120}})
	scg := c("step_current_generator", 1, Params{"amplitude_times": []float64{30, 90}, "amplitude_values": []float64{500, 100}})
	m(k.Connect(noise, alpha, nil, nil))
	m(k.Connect(dc, aeif, nil, nil))
	m(k.Connect(sg, alpha, nil, Params{"weight": 200.0}))
	m(k.Connect(scg, aeif, nil, nil))
	sr := c("spike_recorder", 1, nil)
	m(k.Connect(all, sr, nil, nil))
	sr2 := c("spike_recorder", 1, nil)
	m(k.Connect(alpha, sr2, nil, nil))
	m(k.Connect(aeif, sr2, nil, nil))
	mm := c("multimeter", 1, Params{"record_from": []string{"V_m", "I_syn_ex"}, "interval": 0.3})
	m(k.Connect(mm, alpha, nil, nil))
	mm2 := c("multimeter", 1, Params{"record_from": []string{"V_m", "w", "g_ex"}, "interval": 0.7})
	m(k.Connect(mm2, aeif, nil, nil))
	return []NodeCollection{sr, sr2, mm, mm2, wr}
}

// ckOutputs returns every recorder's events and every connection's weight.
func ckOutputs(t testing.TB, k *Kernel, recs []NodeCollection) []any {
	t.Helper()
	var out []any
	for _, r := range recs {
		ev, err := k.GatherEvents(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	sc, err := k.GetConnections(ConnFilter{})
	if err != nil {
		t.Fatal(err)
	}
	cols, err := sc.Get("source", "target", "weight")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, cols, k.Time())
}

// TestCheckpointContinuesBitForBit: run to T, Store, run to 2T; Restore into a new kernel, run
// to 2T: every recorder's events (from time 0) and every weight are identical, for 1 and 4
// threads, with T not a multiple of min_delay (the checkpoint falls inside a slice), for the
// current state version and the previous ones (plastic delays plain; every column plain), which
// are still read.
func TestCheckpointContinuesBitForBit(t *testing.T) {
	for _, c := range []struct{ version, threads int }{{3, 1}, {3, 4}, {2, 1}, {2, 4}, {1, 1}, {1, 4}} {
		threads := c.threads
		for _, T := range []float64{60, 47.3} {
			dir := filepath.Join(t.TempDir(), "ck")
			k := quietKernel(t, Params{"local_num_threads": threads, "rng_seed": 11})
			k.stateVersion = c.version
			recs := ckNetwork(t, k)
			must(t, k.Simulate(T))
			must(t, k.Store(dir))
			must(t, k.Simulate(T))
			want := ckOutputs(t, k, recs)
			k.Close()

			r, err := Restore(dir, RestoreOptions{Options: quietOptions()})
			must(t, err)
			must(t, r.Simulate(T))
			got := ckOutputs(t, r, rebind(t, r, recs))
			r.Close()
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("version %d, threads %d, T %g: the restored run differs from the uninterrupted one", c.version, threads, T)
			}
			if n := len(want[0].(Params)["times"].([]float64)); n < 500 {
				t.Fatalf("only %d spikes: the network is too quiet to test anything", n)
			}
		}
	}
}

// TestCheckpointRefusesBadInput: truncated, corrupted, foreign and newer checkpoints, and a
// missing shard, are refused with one message naming the file or section; nothing is restored.
func TestCheckpointRefusesBadInput(t *testing.T) {
	base := filepath.Join(t.TempDir(), "ck")
	k := quietKernel(t, Params{"local_num_threads": 2})
	ckNetwork(t, k)
	must(t, k.Simulate(20))
	must(t, k.Store(base))
	k.Close()
	m, err := checkpoint.Open(base)
	must(t, err)
	shard := m.Shards[0].File
	cases := []struct {
		name  string
		spoil func(dir string)
		want  string
	}{
		{"truncated shard", func(dir string) { truncate(t, filepath.Join(dir, shard), 100) }, shard},
		{"flipped byte", func(dir string) { flip(t, filepath.Join(dir, shard), m.Shards[0].Size-10) }, "corrupted"},
		{"missing shard", func(dir string) { os.Remove(filepath.Join(dir, shard)) }, shard},
		{"no manifest", func(dir string) { os.Remove(filepath.Join(dir, checkpoint.ManifestName)) }, "no manifest"},
		{"foreign", func(dir string) {
			replaceIn(t, filepath.Join(dir, checkpoint.ManifestName), `"nest-mpi-checkpoint"`, `"other"`)
		}, "not a nest-mpi checkpoint"},
		{"newer version", func(dir string) {
			replaceIn(t, filepath.Join(dir, checkpoint.ManifestName), `"version": 1`, `"version": 9`)
		}, "newer"},
		{"other network", func(dir string) {
			replaceIn(t, filepath.Join(dir, checkpoint.ManifestName), m.Fingerprint, strings.Repeat("0", 32))
		}, "fingerprint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ck")
			copyDir(t, base, dir)
			c.spoil(dir)
			r, err := Restore(dir, RestoreOptions{Options: quietOptions()})
			if err == nil {
				r.Close()
				t.Fatal("restored a spoiled checkpoint")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
			if !errors.Is(err, checkpoint.ErrInvalid) && c.name != "other network" {
				t.Logf("note: %v", err)
			}
		})
	}
}

func truncate(t *testing.T, name string, n int64) {
	must(t, os.Truncate(name, n))
}

func flip(t *testing.T, name string, off int64) {
	b, err := os.ReadFile(name)
	must(t, err)
	b[off] ^= 0xff
	must(t, os.WriteFile(name, b, 0o644))
}

func replaceIn(t *testing.T, name, old, new string) {
	b, err := os.ReadFile(name)
	must(t, err)
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", name, old)
	}
	must(t, os.WriteFile(name, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
}

func copyDir(t *testing.T, from, to string) {
	must(t, os.MkdirAll(to, 0o755))
	ents, err := os.ReadDir(from)
	must(t, err)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(to, e.Name()), b, 0o644))
	}
}

// rebind returns the same nodes as collections of kernel k (a restored kernel).
func rebind(t testing.TB, k *Kernel, ncs []NodeCollection) []NodeCollection {
	t.Helper()
	out := make([]NodeCollection, len(ncs))
	for i, nc := range ncs {
		var err error
		if out[i], err = k.NodeCollection(nc.IDs()); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestStopAtSliceBoundary: with the stop flag set, Simulate ends after the current slice with
// ErrInterrupted; simulating the rest gives the events of an uninterrupted run.
func TestStopAtSliceBoundary(t *testing.T) {
	want := func() []any {
		k := quietKernel(t, Params{"local_num_threads": 2})
		recs := ckNetwork(t, k)
		must(t, k.Simulate(50))
		return ckOutputs(t, k, recs)
	}()
	k := quietKernel(t, Params{"local_num_threads": 2})
	recs := ckNetwork(t, k)
	var stop atomic.Bool
	k.SetStop(&stop)
	must(t, k.Simulate(10))
	stop.Store(true)
	err := k.Simulate(40)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Simulate with the stop flag set: %v, want ErrInterrupted", err)
	}
	done := k.Time() - 10
	if done <= 0 || done >= 40 {
		t.Fatalf("stopped after %g ms of 40", done)
	}
	stop.Store(false)
	must(t, k.Simulate(40-done))
	if got := ckOutputs(t, k, recs); !reflect.DeepEqual(got, want) {
		t.Fatal("the interrupted run, continued, differs from the uninterrupted one")
	}
}
