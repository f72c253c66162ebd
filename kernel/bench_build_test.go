package kernel

import (
	"io"
	"testing"
	"time"
)

// BenchmarkBuildAndPlace measures the two passes of a deferred Connect on one thread, per
// connection: drawing and counting (Connect, ns/conn-connect) and drawing again into source
// order (the first Prepare, ns/conn-place). The cases are the benchmark networks' calls:
// hpc_benchmark's fixed_indegree with constant values and the microcircuit's fixed_total_number
// with normal weights and delays, redrawn.
//
//	go test -run '^$' -bench BuildAndPlace ./kernel/
func BenchmarkBuildAndPlace(b *testing.B) {
	const n = 20000
	normal := func(mean, std, lo float64) map[string]any {
		return map[string]any{"distribution": "normal", "mean": mean, "std": std, "redraw": map[string]any{"min": lo}}
	}
	cases := []struct {
		name       string
		conn, syn  Params
		numPerCall int
	}{
		{"fixed_indegree_constant", Params{"rule": "fixed_indegree", "indegree": 200},
			Params{"synapse_model": "static_synapse", "weight": 0.5, "delay": 1.5}, n * 200},
		{"fixed_total_number_normal", Params{"rule": "fixed_total_number", "N": 4000000},
			Params{"synapse_model": "static_synapse", "weight": normal(87.8, 8.78, 0), "delay": normal(1.5, 0.75, 0.05)}, 4000000},
		// a store of 520 MB, beyond the last-level cache as the microcircuit's (1.9 GB per VP)
		{"fixed_total_number_normal_big", Params{"rule": "fixed_total_number", "N": 40000000},
			Params{"synapse_model": "static_synapse", "weight": normal(87.8, 8.78, 0), "delay": normal(1.5, 0.75, 0.05)}, 40000000},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var connect, place time.Duration
			for range b.N {
				b.StopTimer()
				k, err := New(Options{Log: io.Discard, Out: io.Discard})
				syMust(b, err)
				pre := syCreate(b, k, "parrot_neuron", n, nil)
				post := syCreate(b, k, "iaf_psc_exp", n, nil)
				start := time.Now()
				syMust(b, k.Connect(pre, post, c.conn, c.syn))
				connect += time.Since(start)
				start = time.Now()
				syMust(b, k.Prepare())
				place += time.Since(start)
				syMust(b, k.Cleanup())
				k.Close()
			}
			conns := float64(b.N) * float64(c.numPerCall)
			b.ReportMetric(float64(connect.Nanoseconds())/conns, "ns/conn-connect")
			b.ReportMetric(float64(place.Nanoseconds())/conns, "ns/conn-place")
		})
	}
}
