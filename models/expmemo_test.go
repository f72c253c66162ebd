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

// TestGridExp: a gridExp gives exp(x/τ) to the last bits (relative 4e-16, the closed form
// e^{−k·h/τ}) for differences of grid times, and math.Exp(x/τ) bit for bit off the grid, beyond
// its table, for positive and special arguments, and for another τ.
func TestGridExp(t *testing.T) {
	const tau = 20.0
	var g gridExp
	for _, h := range []float64{0.1, 0.25} {
		g.prepare(h, tau)
		if !g.ready(h) || g.ready(h/2) {
			t.Fatalf("h %g: ready(%g) = %v, ready(%g) = %v", h, h, g.ready(h), h/2, g.ready(h/2))
		}
		r := rand.New(rand.NewPCG(7, 8))
		for range 100000 {
			tLast, tPost, d := float64(r.IntN(100000))*h, float64(r.IntN(100000))*h, float64(1+r.IntN(30))*h
			x := tLast - (tPost + d)
			k := math.Round(-x / h)
			got, exact := g.exp(x), math.Exp(-k*h/tau)
			if k >= 0 && k < gridExpLen-1 {
				if math.Abs(got/exact-1) > 4e-16 {
					t.Fatalf("h %g: exp(%g/τ) = %g, closed form %g", h, x, got, exact)
				}
			} else if want := math.Exp(x / tau); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("h %g: exp(%g/τ) beyond the table = %g, math.Exp %g", h, x, got, want)
			}
		}
	}
	cases := []struct {
		name string
		x    float64
	}{
		{"off the grid", -0.37}, {"beyond the table", -0.25 * (gridExpLen + 3)}, {"positive", 0.5},
		{"zero", 0}, {"-Inf", math.Inf(-1)}, {"+Inf", math.Inf(1)}, {"NaN", math.NaN()},
	}
	for _, c := range cases {
		got, want := g.exp(c.x), math.Exp(c.x/tau)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s: exp(%g/τ) = %g, math.Exp %g", c.name, c.x, got, want)
		}
	}
	if got, want := g.expTau(-0.5, 17), math.Exp(-0.5/17); got != want {
		t.Errorf("expTau for another τ = %g, math.Exp %g", got, want)
	}
}
