package connect

import (
	"math"
	"testing"

	"github.com/nest-mpi/nest-mpi/vp"
)

// TestSamplerIsAt: a Sampler gives Value.At's values and leaves the stream in At's state, for
// every kind of value: scalars, arrays, normal distributions without bounds, redrawn (often and
// seldom) and clipped, redrawn with a low acceptance (sampled by inversion) and other
// distributions.
func TestSamplerIsAt(t *testing.T) {
	cases := []struct {
		name string
		v    Value
	}{
		{"scalar", Scalar(1.5)},
		{"array", Array([]float64{1, 2, 3, 4})},
		{"normal", Random(Normal(1.5, 0.75))},
		{"normal redrawn above", Random(Normal(1.5, 0.75).Redraw(0.05, math.Inf(1)))},
		{"normal redrawn, sign kept", Random(Normal(-351.2, 35.1).Redraw(math.Inf(-1), 0))},
		{"normal redrawn into a narrow band", Random(Normal(0, 1).Redraw(1.0, 1.2))},
		{"normal redrawn far in the tail", Random(Normal(0, 1).Redraw(4, 5))},
		{"normal clipped", Random(Normal(0, 1).clip(-0.5, 0.5))},
		{"uniform", Random(Uniform(0, 2))},
		{"lognormal", Random(LogNormal(0, 1))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := vp.NewStream(5, vp.KindVP, 1), vp.NewStream(5, vp.KindVP, 1)
			s := c.v.Sampler()
			for i := range 20000 {
				j := i % 4
				if got, want := s.Draw(j, &a), c.v.At(j, &b); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("draw %d: %v, At gives %v", i, got, want)
				}
			}
			if a != b {
				t.Fatal("the streams' states differ")
			}
		})
	}
}
