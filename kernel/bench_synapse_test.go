package kernel

import (
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

// Synapse benchmarks: connection building speed, memory per connection, and the cost of one
// delivered synaptic event through static and STDP synapses.
//
//	go test -run '^$' -bench 'ConnectFixedIndegree|ConnectionMemory|DeliverStatic|DeliverSTDP' ./kernel/

// syBenchKernel returns a quiet kernel with the given threads and min_delay = max_delay = 1 ms.
// The caller closes it (so that loops do not keep earlier kernels alive until the end).
func syBenchKernel(b *testing.B, threads int) *Kernel {
	b.Helper()
	k, err := New(Options{Log: io.Discard, Out: io.Discard})
	syMust(b, err)
	syMust(b, k.SetKernelStatus(Params{"local_num_threads": threads, "min_delay": 1.0, "max_delay": 1.0}))
	return k
}

// BenchmarkConnectFixedIndegree builds 10^5 connections per op: 1000 sources -> 1000
// iaf_psc_delta targets, fixed_indegree 100 (Connect only; kernel and nodes are made outside the
// timer). Reports conns/s.
func BenchmarkConnectFixedIndegree(b *testing.B) {
	const n, indeg = 1000, 100
	for _, model := range []string{"static_synapse", "stdp_synapse_hom", "stdp_synapse"} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", model, threads), func(b *testing.B) {
				b.ReportAllocs()
				var elapsed time.Duration
				for range b.N {
					b.StopTimer()
					k := syBenchKernel(b, threads)
					pre := syCreate(b, k, "parrot_neuron", n, nil)
					post := syCreate(b, k, "iaf_psc_delta", n, nil)
					b.StartTimer()
					start := time.Now()
					syMust(b, k.Connect(pre, post, Params{"rule": "fixed_indegree", "indegree": indeg},
						Params{"synapse_model": model, "weight": 0.5, "delay": 1.0}))
					elapsed += time.Since(start)
					b.StopTimer()
					k.Close()
				}
				b.ReportMetric(float64(b.N)*n*indeg/elapsed.Seconds(), "conns/s")
			})
		}
	}
}

// syHeap returns the live heap after two garbage collections.
func syHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkConnectionMemory measures the heap per connection for 10^6 connections (1000 parrot
// sources -> 1000 iaf_psc_delta targets, fixed_indegree 1000, one thread): right after Connect
// (bytes/conn-built: the unsorted store with its source column and append slack) and after the
// first Prepare has sorted and compacted the stores (bytes/conn: what a simulation keeps).
// Goals: 16 bytes for static_synapse, 32 for stdp_synapse_hom.
func BenchmarkConnectionMemory(b *testing.B) {
	const n, indeg = 1000, 1000
	for _, model := range []string{"static_synapse", "stdp_synapse_hom", "stdp_synapse"} {
		b.Run(model, func(b *testing.B) {
			var built, prepared float64
			for range b.N {
				k := syBenchKernel(b, 1)
				pre := syCreate(b, k, "parrot_neuron", n, nil)
				post := syCreate(b, k, "iaf_psc_delta", n, nil)
				syMust(b, k.Simulate(1)) // sizes buffers and neuron state before the baseline
				h0 := syHeap()
				syMust(b, k.Connect(pre, post, Params{"rule": "fixed_indegree", "indegree": indeg},
					Params{"synapse_model": model, "weight": 0.5, "delay": 1.0}))
				h1 := syHeap()
				syMust(b, k.Simulate(1))
				h2 := syHeap()
				built += (float64(h1) - float64(h0)) / (n * indeg)
				prepared += (float64(h2) - float64(h0)) / (n * indeg)
				runtime.KeepAlive(k)
				k.Close()
			}
			b.ReportMetric(built/float64(b.N), "bytes/conn-built")
			b.ReportMetric(prepared/float64(b.N), "bytes/conn")
		})
	}
}

// syDeliverNet is the delivery benchmark network: 1000 parrot neurons, each driven by its own
// Poisson train (one poisson_generator, all_to_all, 1000 Hz: a parrot spike every ~10 steps), and
// fixed_indegree 100 from the parrots onto 1000 iaf_psc_delta targets (10^5 synapses, mean
// out-degree 100). The targets fire regularly from I_e (about 20 Hz), so STDP synapses find
// postsynaptic spikes in the history; the synaptic weights are too small to change that.
// outdeg[gid] is the out-degree of each parrot.
func syDeliverNet(b *testing.B, threads int, model string) (k *Kernel, outdeg []int64) {
	b.Helper()
	const n, indeg = 1000, 100
	k = syBenchKernel(b, threads)
	b.Cleanup(k.Close)
	parrots := syCreate(b, k, "parrot_neuron", n, nil)
	targets := syCreate(b, k, "iaf_psc_delta", n, Params{"I_e": 400.0})
	pg := syCreate(b, k, "poisson_generator", 1, Params{"rate": 1000.0})
	syMust(b, k.Connect(pg, parrots, "all_to_all", Params{"delay": 1.0}))
	syn := Params{"synapse_model": model, "weight": 0.01, "delay": 1.0}
	if model != "static_synapse" {
		syn["weight"] = 1.0 // Wmax 100: the STDP steps stay small against the rheobase drive
	}
	syMust(b, k.Connect(parrots, targets, Params{"rule": "fixed_indegree", "indegree": indeg}, syn))
	outdeg = make([]int64, len(k.nodes))
	sc, err := k.GetConnections(ConnFilter{Source: &parrots})
	syMust(b, err)
	cols, err := sc.Get("source")
	syMust(b, err)
	for _, s := range ints(cols["source"]) {
		outdeg[s]++
	}
	return k, outdeg
}

// syPendingEvents is the number of synaptic events the spikes of k.pending make.
func syPendingEvents(k *Kernel, outdeg []int64) int64 {
	var e int64
	for _, sp := range k.pending {
		e += outdeg[sp.gid]
	}
	return e
}

// syBenchDeliver runs the two delivery benchmarks of a synapse model:
//
//   - run: b.N calls of Run(1 ms) (one slice each) after one Prepare: the whole loop per event,
//     i.e. delivery plus the Poisson draws, parrot and target updates and the spike exchange.
//     Events are counted exactly: after each Run, k.pending holds the spikes the next Run delivers.
//   - deliver: b.N deliveries of one slice's spikes through every VP's stores (the delivery step
//     alone, repeated on the same spikes; for STDP the repetitions see no new postsynaptic spikes).
//
// Both report ns/event and must allocate nothing per op.
func syBenchDeliver(b *testing.B, model string) {
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("run/threads=%d", threads), func(b *testing.B) {
			k, outdeg := syDeliverNet(b, threads, model)
			syMust(b, k.Simulate(50)) // warm up: buffers, registers, history reach steady size
			syMust(b, k.Prepare())
			syMust(b, k.Run(10))
			var events int64
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				events += syPendingEvents(k, outdeg)
				if err := k.Run(1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			syMust(b, k.Cleanup())
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
		b.Run(fmt.Sprintf("deliver/threads=%d", threads), func(b *testing.B) {
			k, outdeg := syDeliverNet(b, threads, model)
			syMust(b, k.Simulate(50))
			events := syPendingEvents(k, outdeg)
			if events == 0 {
				b.Fatal("no spikes pending")
			}
			deliverVP := func(t int) { k.deliver(k.vps[t]) }
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := k.pool.Run(deliverVP); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(events)*float64(b.N)), "ns/event")
			b.ReportMetric(float64(events), "events/op")
		})
	}
}

// BenchmarkDeliverStatic: ns per synaptic event through static_synapse (see syBenchDeliver).
func BenchmarkDeliverStatic(b *testing.B) { syBenchDeliver(b, "static_synapse") }

// BenchmarkDeliverSTDP: ns per synaptic event through stdp_synapse (per-connection parameters)
// and stdp_synapse_hom (see syBenchDeliver).
func BenchmarkDeliverSTDP(b *testing.B) {
	for _, model := range []string{"stdp_synapse", "stdp_synapse_hom"} {
		b.Run(model, func(b *testing.B) { syBenchDeliver(b, model) })
	}
}
