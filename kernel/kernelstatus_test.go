package kernel

import (
	"reflect"
	"testing"
)

// TestDelayExtremaReported: GetKernelStatus reports min_delay and max_delay as NEST's
// update_delay_extrema_ computes them: one step without connections, the extrema of the
// connections made so far (devices included) before the first Simulate, the user's values when
// set, and frozen values after Simulate.
func TestDelayExtremaReported(t *testing.T) {
	delays := func(k *Kernel) (float64, float64) {
		t.Helper()
		st, err := k.GetKernelStatus("min_delay", "max_delay")
		must(t, err)
		return st["min_delay"].(float64), st["max_delay"].(float64)
	}
	check := func(k *Kernel, what string, lo, hi float64) {
		t.Helper()
		if a, b := delays(k); a != lo || b != hi {
			t.Errorf("%s: min_delay, max_delay = %g, %g; want %g, %g", what, a, b, lo, hi)
		}
	}
	k := quietKernel(t, nil)
	check(k, "empty kernel", 0.1, 0.1)
	n := mustCreate(t, k, "iaf_psc_alpha", 2, nil)
	check(k, "nodes only", 0.1, 0.1)
	n1, _ := n.Slice(0, 1, 1)
	n2, _ := n.Slice(1, 2, 1)
	must(t, k.Connect(n1, n2, nil, Params{"delay": 1.5}))
	check(k, "one connection", 1.5, 1.5)
	must(t, k.Connect(n2, n1, nil, Params{"delay": 2.5}))
	check(k, "two connections", 1.5, 2.5)
	dc := mustCreate(t, k, "dc_generator", 1, nil)
	must(t, k.Connect(dc, n1, nil, Params{"delay": 0.2}))
	check(k, "device connection", 0.2, 2.5)
	must(t, k.Simulate(1))
	check(k, "after Simulate", 0.2, 2.5)

	k = quietKernel(t, nil)
	must(t, k.SetKernelStatus(Params{"min_delay": 0.5, "max_delay": 4.0}))
	check(k, "user set", 0.5, 4.0)
	n = mustCreate(t, k, "iaf_psc_alpha", 2, nil)
	must(t, k.Connect(n, n, nil, Params{"delay": 1.0}))
	check(k, "user set with connection", 0.5, 4.0)
	must(t, k.Simulate(2))
	check(k, "user set after Simulate", 0.5, 4.0)
}

// TestReseedKeepsNetwork: setting rng_seed after nodes exist reseeds the random streams and keeps
// the network (nodes, connections, recorders). As no random number was drawn before, the run
// equals one with the seed set first.
func TestReseedKeepsNetwork(t *testing.T) {
	for _, threads := range []int{1, 2} {
		build := func(k *Kernel) NodeCollection {
			n := mustCreate(t, k, "iaf_psc_alpha", 4, nil)
			pg := mustCreate(t, k, "poisson_generator", 1, Params{"rate": 20000.0})
			sr := mustCreate(t, k, "spike_recorder", 1, nil)
			must(t, k.Connect(pg, n, nil, Params{"weight": 50.0}))
			must(t, k.Connect(n, sr, nil, nil))
			return sr
		}
		k1 := quietKernel(t, Params{"local_num_threads": threads, "rng_seed": 98765})
		sr1 := build(k1)
		must(t, k1.Simulate(200))
		k2 := quietKernel(t, Params{"local_num_threads": threads})
		sr2 := build(k2)
		must(t, k2.SetKernelStatus(Params{"rng_seed": 98765}))
		st, err := k2.GetKernelStatus("network_size", "num_connections", "rng_seed")
		must(t, err)
		if st["network_size"] != int64(6) || st["num_connections"] != int64(8) || st["rng_seed"] != int64(98765) {
			t.Fatalf("threads %d: after reseeding: %v", threads, st)
		}
		must(t, k2.Simulate(200))
		s1, s2 := sortedEvents(t, k1, sr1), sortedEvents(t, k2, sr2)
		if len(s1) < 10 || !reflect.DeepEqual(s1, s2) {
			t.Errorf("threads %d: %d spikes with the seed set first, %d with the seed set after Create", threads, len(s1), len(s2))
		}
	}
}
