//go:build mpi

package kernel

import (
	"fmt"
	"testing"

	"github.com/nest-mpi/nest-mpi/comm/mpitest"
)

// BenchmarkExchangeRound measures one spike exchange round of the kernel (Alltoall of counts,
// Alltoallv of spikes, unpacking) for 0, 100 and 10,000 spikes emitted per rank and slice, every
// spike needed by every rank. Run on 2 ranks:
//
//	NESTMPI_TEST_NP=2 CC=mpicc go test -tags mpi -run xxx -bench ExchangeRound ./kernel/
func BenchmarkExchangeRound(b *testing.B) {
	c := mpitest.Comm()
	for _, n := range []int{0, 100, 10000} {
		mpitest.BenchRun(b, fmt.Sprintf("spikes=%d", n), func(b *testing.B, iters int) {
			k, err := New(Options{Comm: c})
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			nodes := max(n, 1) * c.Size()
			if _, err := k.Create("parrot_neuron", nodes); err != nil {
				b.Fatal(err)
			}
			st := k.vps[0]
			st.destStart = make([]int32, len(st.gids)+1)
			for i := range st.gids { // every rank needs every spike
				st.destStart[i+1] = st.destStart[i] + int32(c.Size())
				for r := 0; r < c.Size(); r++ {
					st.destRanks = append(st.destRanks, uint16(r))
				}
			}
			local := make([]spikeRec, 0, n)
			for i := 0; i < n; i++ {
				local = append(local, spikeRec{gid: st.gids[i], lag: int32(i % 10), mult: 1})
			}
			spikes := make([]spikeRec, 0, n*c.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for range iters {
				spikes = append(spikes[:0], local...)
				if err := k.runExchange(&spikes); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(spikes)), "spikes_received/op")
		})
	}
}
