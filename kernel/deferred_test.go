package kernel

import (
	"reflect"
	"testing"

	"github.com/nest-mpi/nest-mpi/connect"
)

// storeDump is every store's connections (source, target, weight, delay word) in storage order.
type storeDump struct {
	src, tgt, dr []uint32
	w            []float64
}

func dumpStores(k *Kernel) [][]storeDump {
	out := make([][]storeDump, len(k.vps))
	for t, st := range k.vps {
		for _, c := range st.stores {
			if c == nil {
				out[t] = append(out[t], storeDump{})
				continue
			}
			out[t] = append(out[t], storeDump{c.sources(), c.tgt, c.dr.values(), c.w.values()})
		}
	}
	return out
}

// deferredNet connects neurons with every rule into static synapse stores (scalar, array and
// random parameters; calls large enough to be deferred and small ones stored at once), interleaved
// with device connections and with a connection of a stateful model, and two calls that fail.
func deferredNet(t *testing.T, eager bool, threads int) (*Kernel, NodeCollection) {
	k := quietKernel(t, Params{"local_num_threads": threads, "rng_seed": 77})
	k.eagerConns = eager
	n := mustCreate(t, k, "iaf_psc_alpha", 300, Params{"I_e": 300.0})
	a, _ := n.Slice(0, 200, 1)
	b, _ := n.Slice(200, 300, 1)
	must(t, k.Connect(a, n, Params{"rule": "fixed_indegree", "indegree": 20}, Params{"weight": 2.0, "delay": 1.5}))
	must(t, k.Connect(b, a, Params{"rule": "fixed_total_number", "N": 5000},
		Params{"weight": connect.Normal(-30, 5).Redraw(-1000, 0), "delay": connect.Normal(1.5, 0.5).Redraw(0.1, 5)}))
	pg := mustCreate(t, k, "poisson_generator", 1, Params{"rate": 8000.0})
	must(t, k.Connect(pg, n, nil, Params{"weight": 5.0}))
	must(t, k.Connect(n, n, Params{"rule": "pairwise_bernoulli", "p": 0.1}, Params{"weight": connect.Uniform(1, 4), "delay": 1.0}))
	must(t, k.Connect(a, b, Params{"rule": "fixed_outdegree", "outdegree": 3}, "stdp_synapse"))
	must(t, k.Connect(b, b, Params{"rule": "symmetric_pairwise_bernoulli", "p": 0.2, "allow_autapses": false, "allow_multapses": true, "make_symmetric": true}, Params{"weight": 2.0}))
	a15, _ := a.Slice(0, 15, 1)
	ws := make([]float64, 15)
	for i := range ws {
		ws[i] = float64(i) - 7
	}
	b15, _ := b.Slice(0, 15, 1)
	must(t, k.Connect(a15, b15, "one_to_one", Params{"weight": ws, "delay": 2.0}))
	// a device and a neuron in one call: its neuron connections follow the earlier ones
	mixed := NodeCollection{k: k, gen: k.gen, ids: []uint64{pg.ids[0], n.ids[3]}}
	must(t, k.Connect(mixed, b, nil, Params{"weight": 1.0}))
	if err := k.Connect(a, b, Params{"rule": "fixed_indegree", "indegree": 2}, Params{"delay": []float64{1, 2, 0.01}}); err == nil {
		t.Fatal("a delay array of the wrong length was accepted")
	}
	for _, m := range []int{2, 20} { // a small call and a deferred one
		bad := make([]float64, 300*m)
		for i := range bad {
			bad[i] = 1
		}
		bad[len(bad)-1] = 0.01 // below the resolution: the call fails on its last connection
		if err := k.Connect(a, n, Params{"rule": "fixed_indegree", "indegree": m}, Params{"delay": bad}); err == nil {
			t.Fatal("a delay below the resolution was accepted")
		}
	}
	// two calls of some 200 delays each (each record codes them): the store's dictionary fills
	// while the second is placed, and its delay words turn plain
	for _, d := range []connect.Dist{connect.Uniform(0.1, 20), connect.Uniform(20.1, 40)} {
		must(t, k.Connect(b, n, Params{"rule": "fixed_indegree", "indegree": 30}, Params{"weight": 1.0, "delay": d}))
	}
	must(t, k.Connect(a, n, Params{"rule": "all_to_all"}, Params{"weight": 0.05, "delay": 3.0}))
	if syn, err := k.synByName("static_synapse"); err != nil {
		t.Fatal(err)
	} else if c := k.vps[0].stores[syn.id]; !eager && (len(c.pending) == 0 || len(c.tailSrc) == 0) {
		t.Fatalf("%d calls deferred and %d connections stored at once since; the test needs both", len(c.pending), len(c.tailSrc))
	}
	return k, n
}

// TestDeferredConnections: connections stored at the next Prepare (or when read) are the
// connections, in the order, that storing each when it is made and sorting gives, and the
// network runs the same, for 1 and 3 threads, with GetConnections, Connect after Simulate and a
// checkpoint in between.
func TestDeferredConnections(t *testing.T) {
	stages := map[string]func(t *testing.T, k *Kernel, n NodeCollection) (*Kernel, NodeCollection){
		"simulate": func(t *testing.T, k *Kernel, n NodeCollection) (*Kernel, NodeCollection) { return k, n },
		"get connections": func(t *testing.T, k *Kernel, n NodeCollection) (*Kernel, NodeCollection) {
			sc, err := k.GetConnections(ConnFilter{})
			must(t, err)
			if _, err := sc.Get("source", "target", "weight", "delay"); err != nil {
				t.Fatal(err)
			}
			return k, n
		},
		"connect after simulate": func(t *testing.T, k *Kernel, n NodeCollection) (*Kernel, NodeCollection) {
			must(t, k.Simulate(10))
			must(t, k.Connect(n, n, Params{"rule": "fixed_indegree", "indegree": 20}, Params{"weight": connect.Uniform(-5, 5), "delay": 1.0}))
			return k, n
		},
		"checkpoint": func(t *testing.T, k *Kernel, n NodeCollection) (*Kernel, NodeCollection) {
			dir := t.TempDir()
			must(t, k.Store(dir))
			r, err := Restore(dir, RestoreOptions{Options: quietOptions()})
			must(t, err)
			rn, err := newCollection(r, n.ids)
			must(t, err)
			return r, rn
		},
	}
	for name, stage := range stages {
		for _, threads := range []int{1, 3} {
			var ref [][]storeDump
			var refSpikes any
			for _, eager := range []bool{true, false} {
				k, n := deferredNet(t, eager, threads)
				k, n = stage(t, k, n)
				sr := mustCreate(t, k, "spike_recorder", 1, nil)
				must(t, k.Connect(n, sr, nil, nil))
				must(t, k.Simulate(20))
				got := dumpStores(k)
				ev := eventsOf(t, k, sr)
				if eager {
					ref, refSpikes = got, ev
					if len(ints(ev["senders"])) == 0 {
						t.Fatalf("%s: no spikes", name)
					}
					continue
				}
				if !reflect.DeepEqual(got, ref) {
					t.Errorf("%s, %d threads: the deferred stores differ from the stores built at once", name, threads)
				}
				if !reflect.DeepEqual(ev, refSpikes) {
					t.Errorf("%s, %d threads: spikes differ", name, threads)
				}
			}
		}
	}
}
