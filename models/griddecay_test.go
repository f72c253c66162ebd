package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
)

// TestGridDecay checks gridDecay against its closed form and against NEST's way of computing the
// same factor: the table and the computation give the same bits for every lag; D(n) is
// exp(−(n·h)/τ) as written; exp((t_a − t_b)/τ) from two grid times in ms is within 4·ulp(t_a)/τ
// relative of it (the rounding of the times); other τ and lags beyond the table are computed; the zero value takes lags in ms as they
// are; a lag of +Inf decays to 0.
func TestGridDecay(t *testing.T) {
	for _, c := range []struct{ h, tau float64 }{{0.1, 20}, {0.1, 16.8}, {0.01, 33.7}, {1, 5}} {
		var g gridDecay
		g.use(c.h, c.tau)
		for n := range gridDecayLen + 100 {
			lag := float64(n) * c.h
			want := math.Exp(-(float64(n) * c.h) / c.tau)
			if got := g.at(lag); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("h %g τ %g: D(%d) = %v, want %v", c.h, c.tau, n, got, want)
			}
			if got := g.compute(lag, c.tau); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("h %g τ %g: computed D(%d) = %v, want %v", c.h, c.tau, n, got, want)
			}
			// a lag a little off the grid (as times in ms carry) is the same step
			if got := g.at(lag * (1 + 1e-12)); n > 0 && math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("h %g τ %g: D at %v ms = %v, want D(%d) = %v", c.h, c.tau, lag*(1+1e-12), got, n, want)
			}
		}
		if got, want := g.atTau(3*c.h, 2*c.tau), math.Exp(-(3*c.h)/(2*c.tau)); got != want {
			t.Errorf("h %g: D(3) for τ %g = %v, want %v", c.h, 2*c.tau, got, want)
		}
		if got := g.at(math.Inf(1)); got != 0 {
			t.Errorf("h %g τ %g: D(+Inf) = %v, want 0", c.h, c.tau, got)
		}
		if got := g.at(math.NaN()); !math.IsNaN(got) {
			t.Errorf("h %g τ %g: D(NaN) = %v, want NaN", c.h, c.tau, got)
		}
	}
	// against NEST's exp((t_a − t_b)/τ) from grid times in ms
	r := rand.New(rand.NewPCG(3, 4))
	grid := clock.Default
	var g gridDecay
	g.use(grid.H(), 20)
	for range 100000 {
		a := int64(r.IntN(10_000_000))
		b := a - 1 - int64(r.IntN(5000))
		ta := grid.Ms(a)
		nest := math.Exp((grid.Ms(b) - ta) / 20)
		bound := 4*(math.Nextafter(ta, math.Inf(1))-ta)/20 + 1e-15
		if got := g.at(ta - grid.Ms(b)); math.Abs(got-nest) > bound*nest {
			t.Fatalf("steps %d − %d: D = %v, NEST's exp %v", a, b, got, nest)
		}
	}
	var zero gridDecay
	if got, want := zero.atTau(1.234, 20), math.Exp(-1.234/20); got != want {
		t.Errorf("zero value: D(1.234 ms) = %v, want %v", got, want)
	}
}
