package kernel

import (
	"fmt"
	"github.com/nest-mpi/nest-mpi/connect"
	"testing"
)

// benchKernel returns a quiet kernel with min_delay = max_delay = 1 ms (10-step slices).
func benchKernel(b *testing.B, threads int) *Kernel {
	b.Helper()
	k := quietKernel(b, Params{"local_num_threads": threads})
	if err := k.SetKernelStatus(Params{"min_delay": 1.0, "max_delay": 1.0}); err != nil {
		b.Fatal(err)
	}
	return k
}

func bmust(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// runLoop prepares k once and times b.N calls of Run(ms) (the per-step loop, without the
// Prepare/Cleanup of Simulate); it returns the number of steps per call and the number of spikes
// emitted in the timed calls.
func runLoop(b *testing.B, k *Kernel, ms float64) (steps, spikes int64) {
	b.Helper()
	bmust(b, k.Simulate(ms)) // first Prepare: buffers, sorting, propagators
	bmust(b, k.Prepare())
	bmust(b, k.Run(ms)) // warm up: registers and buffers reach their steady size
	spikes0 := k.localSpikeCount()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := k.Run(ms); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	spikes = k.localSpikeCount() - spikes0
	bmust(b, k.Cleanup())
	return k.grid.Steps(ms), spikes
}

// BenchmarkNeuronUpdate measures the cost of one neuron update of each model through the kernel
// loop (one thread; devices and delivery absent; the neurons fire regularly): ns/update.
func BenchmarkNeuronUpdate(b *testing.B) {
	const n = 10000
	for _, c := range []struct {
		model string
		p     Params
	}{
		{"iaf_psc_alpha", Params{"I_e": 500.0}},
		{"iaf_psc_delta", Params{"I_e": 500.0}},
		{"iaf_psc_exp", Params{"I_e": 500.0}},
		{"parrot_neuron", nil},
	} {
		b.Run(c.model, func(b *testing.B) {
			k := benchKernel(b, 1)
			_, err := k.Create(c.model, n, c.p)
			bmust(b, err)
			steps, _ := runLoop(b, k, 10)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(steps)*n), "ns/update")
		})
	}
}

// BenchmarkStaticDelivery measures the cost of delivering one spike through one static synapse:
// 1000 iaf_psc_delta neurons fire every 6 steps (I_e 1e5 pA, t_ref 0.5 ms), and are connected
// all_to_all or with fixed_indegree 100 by weight-0 synapses (which leave the dynamics unchanged,
// so every neuron fires the same number of times and events = spikes/n × connections). The time
// includes the neuron updates (a few percent). ns/event.
func BenchmarkStaticDelivery(b *testing.B) {
	const n = 1000
	for _, c := range []struct {
		name string
		conn any
	}{
		{"all_to_all", "all_to_all"},
		{"fixed_indegree_100", Params{"rule": "fixed_indegree", "indegree": 100}},
	} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", c.name, threads), func(b *testing.B) {
				k := benchKernel(b, threads)
				nrn, err := k.Create("iaf_psc_delta", n, Params{"I_e": 1e5, "t_ref": 0.5})
				bmust(b, err)
				bmust(b, k.Connect(nrn, nrn, c.conn, Params{"weight": 0.0, "delay": 1.0}))
				conns := float64(k.countConnections())
				_, spikes := runLoop(b, k, 10)
				events := float64(spikes) / n * conns
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
				b.ReportMetric(events/float64(b.N), "events/op")
			})
		}
	}
}

// BenchmarkSimulateCall measures the fixed cost of a Simulate call (Prepare, one 1-ms slice,
// Cleanup) on a small network with a spike recorder, a multimeter and a poisson_generator;
// allocs/op are what Prepare and Cleanup allocate (the per-step loop allocates nothing).
func BenchmarkSimulateCall(b *testing.B) {
	k := benchKernel(b, 1)
	n, err := k.Create("iaf_psc_alpha", 100, Params{"I_e": 300.0})
	bmust(b, err)
	bmust(b, k.Connect(n, n, Params{"rule": "fixed_indegree", "indegree": 10}, Params{"weight": 5.0, "delay": 1.0}))
	pg, err := k.Create("poisson_generator", 1, Params{"rate": 1000.0})
	bmust(b, err)
	bmust(b, k.Connect(pg, n, nil, Params{"weight": 10.0, "delay": 1.0}))
	bmust(b, k.Simulate(10))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := k.Simulate(1.0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPoissonDrive measures what a poisson_generator costs per target and step: one
// generator at 20,000 spikes/s (a mean of 2 spikes per 0.1 ms step, Brunel's external drive)
// into 10,000 iaf_psc_delta neurons held below threshold (V_th 1e6 mV), one thread; the time
// includes the neuron updates. ns/target-step.
func BenchmarkPoissonDrive(b *testing.B) {
	const n = 10000
	k := benchKernel(b, 1)
	nrn, err := k.Create("iaf_psc_delta", n, Params{"V_th": 1e6})
	bmust(b, err)
	pg, err := k.Create("poisson_generator", 1, Params{"rate": 20000.0})
	bmust(b, err)
	bmust(b, k.Connect(pg, nrn, nil, Params{"weight": 0.1, "delay": 1.0}))
	steps, _ := runLoop(b, k, 10)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*steps*n), "ns/target-step")
}

// BenchmarkStaticDeliveryDelays measures static delivery with heterogeneous delays into a ring
// buffer larger than the caches, as in the microcircuit: 40,000 iaf_psc_delta neurons (one VP)
// that fire every 6 steps, fixed_indegree 100 by weight-0 synapses with delays uniform in
// [0.1, 5] ms (about 50 slots: a 32 MB ring buffer), delivered every step. ns/event.
func BenchmarkStaticDeliveryDelays(b *testing.B) {
	const n = 40000
	k := quietKernel(b, Params{"local_num_threads": 1})
	nrn, err := k.Create("iaf_psc_delta", n, Params{"I_e": 1e5, "t_ref": 0.5})
	bmust(b, err)
	bmust(b, k.Connect(nrn, nrn, Params{"rule": "fixed_indegree", "indegree": 100},
		Params{"weight": 0.0, "delay": connect.Uniform(0.1, 5.0)}))
	conns := float64(k.countConnections())
	_, spikes := runLoop(b, k, 2)
	events := float64(spikes) / n * conns
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
}
