package clock

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRoundHalfAway compares RoundHalfAway with math.Round on the values where rounding is
// delicate and on random values of every magnitude and sign.
func TestRoundHalfAway(t *testing.T) {
	cases := []float64{0, math.Copysign(0, -1), 0.5, -0.5, 1.5, -1.5, 2.5, -2.5,
		0.49999999999999994, -0.49999999999999994, math.Nextafter(0.5, 1), math.Nextafter(1.5, 1),
		1<<52 + 0.5, 1 << 53, -(1 << 53), 4503599627370495.5, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		x := math.Float64frombits(r.Uint64())
		cases = append(cases, x, math.Ldexp(r.Float64(), r.IntN(60)-5), float64(r.IntN(1000))/10)
	}
	for _, x := range cases {
		got, want := RoundHalfAway(x), math.Round(x)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("RoundHalfAway(%v) = %v, math.Round gives %v", x, got, want)
		}
	}
}

// TestDelaySteps checks the conversion of delays on and between grid points (h = 0.1 ms): a
// quotient that is a half rounds away from zero (0.25/0.1 = 2.5), one just below a half does not
// (0.15/0.1 = 1.4999999999999998).
func TestDelaySteps(t *testing.T) {
	g := Grid{TicsPerMs: 1000, TicsPerStep: 100}
	for _, c := range []struct {
		ms   float64
		want int64
	}{{0.1, 1}, {1.5, 15}, {0.05, 1}, {0.04999, 0}, {0.15, 1}, {0.25, 3}, {2.25, 23}, {-0.25, -3}} {
		if got := g.DelaySteps(c.ms); got != c.want {
			t.Errorf("DelaySteps(%v) = %d, want %d", c.ms, got, c.want)
		}
	}
}
