package kernel

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"

	"github.com/nest-mpi/nest-mpi/connect"
)

// eventRec is one recorded event, for order-independent comparison.
type eventRec struct {
	sender int64
	time   float64
	vals   string // recorded values, exact (%x)
}

// sortedEvents returns the events of a recorder sorted by time, sender and values; the values of
// record_from are kept bit-exact.
func sortedEvents(t *testing.T, k *Kernel, nc NodeCollection, recordables ...string) []eventRec {
	t.Helper()
	ev := eventsOf(t, k, nc)
	senders, times := ints(ev["senders"]), floats(ev["times"])
	out := make([]eventRec, len(senders))
	for i := range senders {
		out[i] = eventRec{sender: senders[i], time: times[i]}
		for _, r := range recordables {
			out[i].vals += fmt.Sprintf("%x ", floats(ev[r])[i])
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].time != out[b].time {
			return out[a].time < out[b].time
		}
		if out[a].sender != out[b].sender {
			return out[a].sender < out[b].sender
		}
		return out[a].vals < out[b].vals
	})
	return out
}

// deterministicNet builds a network without random draws: 20 iaf_psc_alpha with different I_e,
// all_to_all excitatory and inhibitory static connections with several delays, a dc_generator,
// a spike_generator, a spike_recorder and a multimeter.
func deterministicNet(t *testing.T, threads int) (k *Kernel, sr, mm NodeCollection) {
	k = quietKernel(t, Params{"local_num_threads": threads})
	ie := make([]float64, 20)
	for i := range ie {
		ie[i] = 330 + 6*float64(i)
	}
	n := mustCreate(t, k, "iaf_psc_alpha", 20, Params{"I_e": ie})
	exc, _ := n.Slice(0, 15, 1)
	inh, _ := n.Slice(15, 20, 1)
	must(t, k.Connect(exc, n, nil, Params{"weight": 35.0, "delay": 1.5}))
	must(t, k.Connect(inh, n, nil, Params{"weight": -70.0, "delay": 1.0}))
	exc5, _ := exc.Slice(0, 5, 1)
	must(t, k.Connect(exc5, inh, "one_to_one", Params{"weight": 0.5, "delay": 2.3}))
	dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": 80.0, "start": 100.0, "stop": 300.0})
	sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{5, 50.5, 120, 120.1, 333.3}})
	must(t, k.Connect(dc, n, nil, Params{"weight": 1.0, "delay": 1.0}))
	must(t, k.Connect(sg, n, nil, Params{"weight": 300.0, "delay": 1.2}))
	sr = mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(n, sr, nil, nil))
	mm = mustCreate(t, k, "multimeter", 1, Params{"interval": 0.7, "record_from": []string{"V_m", "I_syn_ex", "I_syn_in"}})
	must(t, k.Connect(mm, n, nil, nil))
	return k, sr, mm
}

// TestThreadInvariance: the deterministic network gives identical (sorted) spikes and samples with
// 1, 2, 3 and 4 threads.
func TestThreadInvariance(t *testing.T) {
	var refS, refM []eventRec
	for _, threads := range []int{1, 2, 3, 4} {
		k, sr, mm := deterministicNet(t, threads)
		must(t, k.Simulate(500))
		s := sortedEvents(t, k, sr)
		m := sortedEvents(t, k, mm, "V_m", "I_syn_ex", "I_syn_in")
		if threads == 1 {
			refS, refM = s, m
			if len(s) < 200 {
				t.Fatalf("only %d spikes; the network should be active", len(s))
			}
			continue
		}
		if !reflect.DeepEqual(s, refS) {
			t.Errorf("%d threads: %d spikes differ from 1 thread (%d)", threads, len(s), len(refS))
		}
		if !reflect.DeepEqual(m, refM) {
			t.Errorf("%d threads: %d samples differ from 1 thread (%d)", threads, len(m), len(refM))
		}
	}
}

// randomNet has random draws at creation (V_m ~ normal, uniform weights) and during the run
// (poisson_generator).
func randomNet(t *testing.T, threads int) (k *Kernel, sr, mm NodeCollection) {
	k = quietKernel(t, Params{"local_num_threads": threads, "rng_seed": 1234})
	n := mustCreate(t, k, "iaf_psc_delta", 60, Params{"V_m": connect.Normal(-65, 5)})
	must(t, k.Connect(n, n, Params{"rule": "fixed_indegree", "indegree": 10},
		Params{"weight": connect.Uniform(-1, 2), "delay": connect.Uniform(1.0, 3.0)}))
	pg := mustCreate(t, k, "poisson_generator", 1, Params{"rate": 15000.0})
	must(t, k.Connect(pg, n, nil, Params{"weight": 1.2}))
	sr = mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(n, sr, nil, nil))
	mm = mustCreate(t, k, "multimeter", 1, Params{"interval": 1.0, "record_from": []string{"V_m"}})
	some, _ := n.Slice(0, 60, 7)
	must(t, k.Connect(mm, some, nil, nil))
	return k, sr, mm
}

// TestRandomReproducible: with random draws, two runs with the same seed and thread count are
// identical, and so are runs cut into different Simulate blocks.
func TestRandomReproducible(t *testing.T) {
	for _, threads := range []int{1, 2} {
		run := func(blocks []float64) ([]eventRec, []eventRec) {
			k, sr, mm := randomNet(t, threads)
			for _, b := range blocks {
				must(t, k.Simulate(b))
			}
			if math.Abs(k.Time()-1000) > 1e-9 {
				t.Fatalf("blocks end at %g ms", k.Time())
			}
			return sortedEvents(t, k, sr), sortedEvents(t, k, mm, "V_m")
		}
		s1, m1 := run([]float64{1000})
		if len(s1) < 500 {
			t.Fatalf("only %d spikes", len(s1))
		}
		s2, m2 := run([]float64{1000})
		if !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(m1, m2) {
			t.Fatalf("threads %d: two identical runs differ", threads)
		}
		ten := make([]float64, 10)
		for i := range ten {
			ten[i] = 100
		}
		odd := []float64{0.3, 17.7, 1.1, 250.9, 0.1, 99.9, 330, 0.5, 299.5}
		for name, blocks := range map[string][]float64{"10x100": ten, "odd": odd} {
			s, m := run(blocks)
			if !reflect.DeepEqual(s, s1) {
				t.Errorf("threads %d, %s blocks: %d spikes differ from one Simulate (%d)", threads, name, len(s), len(s1))
			}
			// the samples of the last slice of every call are delivered by the next call; the
			// run ends at the same time, so everything up to the last slice is there.
			if !reflect.DeepEqual(m, m1) {
				t.Errorf("threads %d, %s blocks: %d samples differ from one Simulate (%d)", threads, name, len(m), len(m1))
			}
		}
	}
}

// TestCreateBetweenRuns: nodes and connections added between Simulate calls do not disturb the
// spikes in flight or the state of the existing network: the trace of a neuron that receives a
// spike across the break is the same as without the additions.
func TestCreateBetweenRuns(t *testing.T) {
	for _, threads := range []int{1, 2} {
		run := func(addNodes bool) []eventRec {
			k := quietKernel(t, Params{"local_num_threads": threads})
			n := mustCreate(t, k, "iaf_psc_alpha", 2, Params{"I_e": []float64{1000, 0}})
			n1, _ := n.Slice(0, 1, 1)
			n2, _ := n.Slice(1, 2, 1)
			must(t, k.Connect(n1, n2, nil, Params{"weight": 300.0, "delay": 3.0}))
			mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.1, "record_from": []string{"V_m", "I_syn_ex"}})
			must(t, k.Connect(mm, n2, nil, nil))
			must(t, k.Simulate(6)) // n1 fired at 4.8; the spike reaches n2 at 7.8
			if addNodes {
				extra := mustCreate(t, k, "iaf_psc_exp", 5, Params{"I_e": 600.0})
				must(t, k.Connect(extra, n2, nil, Params{"weight": 0.0, "delay": 2.0}))
				must(t, k.Connect(n1, extra, nil, Params{"weight": 10.0, "delay": 1.0}))
				_ = mustCreate(t, k, "parrot_neuron", 3, nil)
			}
			must(t, k.Simulate(14))
			return sortedEvents(t, k, mm, "V_m", "I_syn_ex")
		}
		plain, added := run(false), run(true)
		if len(plain) != 190 { // 20 ms at 0.1, less the pending last 1-ms slice
			t.Fatalf("%d samples", len(plain))
		}
		if !reflect.DeepEqual(plain, added) {
			t.Errorf("threads %d: adding nodes between Simulate calls changed the trace of an existing neuron", threads)
		}
	}
}
