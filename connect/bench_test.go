package connect

import (
	"testing"
)

// BenchmarkFixedIndegree measures how fast fixed_indegree enumerates connections on one VP
// (emit does nothing): 1000 targets with indegree 1000 from 10000 sources per operation.
func BenchmarkFixedIndegree(b *testing.B) {
	src, tgt := span(1, 10000), span(10001, 1000)
	for _, bc := range []struct {
		name string
		spec Spec
	}{
		{"multapses", FixedIndegree(1000)},
		{"no_autapses_no_multapses", FixedIndegree(1000).WithAutapses(false).WithMultapses(false)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pl := roundRobin(1)
			st := vpStreams(1, 0)
			n := 0
			emit := func(uint64, uint64, int) error { n++; return nil }
			for b.Loop() {
				if err := Build(bc.spec, src, tgt, 0, pl, st, emit); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "conns/s")
		})
	}
}
