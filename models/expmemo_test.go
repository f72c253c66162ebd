package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpMemoIsMathExp: an expMemo returns math.Exp bit for bit, for arguments that recur (grid
// times as STDP forms them), collide in the table, and for special values, its initial entries
// included.
func TestExpMemoIsMathExp(t *testing.T) {
	m := newExpMemo()
	r := rand.New(rand.NewPCG(5, 6))
	xs := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 710, -746, 1e-300}
	for range 200000 {
		tLast, tPost := float64(r.IntN(10000))*0.1, float64(r.IntN(10000))*0.1
		xs = append(xs, (tLast-(tPost+1.5))/20, -r.ExpFloat64(), math.Float64frombits(r.Uint64()))
	}
	for range 3 {
		for _, x := range xs {
			got, want := m.exp(x), math.Exp(x)
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("exp(%g) = %g, math.Exp %g", x, got, want)
			}
		}
	}
}
