package kernel

import "testing"

// BenchmarkDeliverTsodyksStdpPl: ns per synaptic event through tsodyks_synapse, tsodyks2_synapse
// and stdp_pl_synapse_hom, in the network of syDeliverNet (see syBenchDeliver).
//
//	go test -run '^$' -bench 'DeliverTsodyksStdpPl' ./kernel/
func BenchmarkDeliverTsodyksStdpPl(b *testing.B) {
	for _, model := range []string{"tsodyks_synapse", "tsodyks2_synapse", "stdp_pl_synapse_hom"} {
		b.Run(model, func(b *testing.B) { syBenchDeliver(b, model) })
	}
}
