package kernel_test

import (
	"fmt"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

// BenchmarkPlasticEINetwork runs examples/ei_network.json (2,500 iaf_psc_delta neurons, 630,000
// connections of which 500,000 stdp_synapse_hom, 1 s) once per op, outputs formatted and dropped,
// and reports the simulated time per op (sim-s/op) besides the whole run. For a profile of the
// plastic delivery:
//
//	go test ./kernel -run '^$' -bench PlasticEINetwork -benchtime 1x -cpuprofile /tmp/ei.prof
func BenchmarkPlasticEINetwork(b *testing.B) {
	f, err := netfile.ReadFile("../examples/ei_network.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			var sim float64
			var spikes int64
			for range b.N {
				res, err := netfile.Run(f, netfile.Options{Threads: threads})
				if err != nil {
					b.Fatal(err)
				}
				sim += res.SimulateS
				spikes = res.Spikes
			}
			b.ReportMetric(sim/float64(b.N), "sim-s/op")
			b.ReportMetric(float64(spikes), "spikes")
		})
	}
}
