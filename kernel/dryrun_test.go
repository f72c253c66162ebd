package kernel

import (
	"io"
	"testing"

	"github.com/nest-mpi/nest-mpi/comm"
)

// dryKernel is a kernel on rank r of a dry run of n ranks.
func dryKernel(t *testing.T, n, r int) *Kernel {
	t.Helper()
	c, err := comm.NewDryRun(n, r)
	must(t, err)
	k, err := New(Options{Comm: c, Log: io.Discard, Out: io.Discard})
	must(t, err)
	t.Cleanup(k.Close)
	return k
}

// Under a dry run of N ranks, rank r holds its share of a fixed in-degree network (1/N of the
// connections) and receives the mirrored spikes of the other ranks' nodes: node 6 (rank 0 of 2)
// listens only to node 3 (rank 1), which stands for node 2, and fires as in the full network.
func TestDryRunMirrorsOtherRanks(t *testing.T) {
	for _, r := range []int{0, 1} {
		build := func(k *Kernel) NodeCollection {
			src, err := k.Create("iaf_psc_alpha", 4, Params{"I_e": 376.0})
			must(t, err)
			tgt, err := k.Create("iaf_psc_alpha", 2)
			must(t, err)
			must(t, k.Connect(src, src, Params{"rule": "fixed_indegree", "indegree": 2}, Params{"weight": 0.0}))
			pre, _ := src.Slice(2-r, 3-r, 1)  // node 3 (r 0) or node 2 (r 1): on the other rank
			post, _ := tgt.Slice(1-r, 2-r, 1) // node 6 (on rank 0) or node 5 (on rank 1)
			must(t, k.Connect(pre, post, nil, Params{"weight": 5000.0}))
			must(t, k.Simulate(300))
			return post
		}
		full := quietKernel(t, nil)
		post := build(full)
		want, err := full.GetStatus(post, "t_spike")
		must(t, err)
		dry := dryKernel(t, 2, r)
		post = build(dry)
		if c := dry.countConnections(); c != 4+1 {
			t.Errorf("rank %d: %d local connections, want 5 (half of 8 recurrent, and the probe)", r, c)
		}
		got, err := dry.GetStatus(post, "t_spike")
		must(t, err)
		if got[0]["t_spike"] != want[0]["t_spike"] || want[0]["t_spike"].(float64) <= 0 {
			t.Errorf("rank %d: last spike of the probed node %v in the dry run, %v in the full run", r, got[0]["t_spike"], want[0]["t_spike"])
		}
	}
}
