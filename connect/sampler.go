package connect

import "github.com/nest-mpi/nest-mpi/vp"

// Sampler draws the values of a Value exactly as Value.At does (the same variates from the same
// stream, bit for bit), with the dispatch on the kind of value and distribution made once, when
// the Sampler is made: a connection rule draws a call's weight and delay once per connection, and
// for scalars and normal distributions (NEST's usual weights and delays, with or without redraw
// bounds) a draw is then a switch and the normal sampler, with no call per layer of Value and
// Dist.
type Sampler struct {
	kind              samplerKind
	x                 float64 // a scalar
	mean, std, lo, hi float64 // a normal distribution and its redraw bounds
	v                 *Value  // any other value, drawn by Value.At
}

type samplerKind uint8

const (
	sampleOther samplerKind = iota
	sampleScalar
	sampleNormal       // mean + std·Z
	sampleNormalRedraw // mean + std·Z, redrawn until in [lo, hi] (Dist.Draw's boundRedraw)
)

// Sampler returns the sampler of v, which must stay unchanged while the sampler is used.
func (v *Value) Sampler() Sampler {
	s := Sampler{v: v}
	switch {
	case v.kind == valueScalar:
		s.kind, s.x = sampleScalar, v.x
	case v.kind == valueRandom && v.d.kind == distNormal && v.d.mode == boundNone:
		s.kind, s.mean, s.std = sampleNormal, v.d.a, v.d.b
	case v.kind == valueRandom && v.d.kind == distNormal && v.d.mode == boundRedraw && !v.d.direct:
		s.kind, s.mean, s.std, s.lo, s.hi = sampleNormalRedraw, v.d.a, v.d.b, v.d.lo, v.d.hi
	}
	return s
}

// Draw returns the value for connection (or node) i, drawing from st when the value is random:
// what v.At(i, st) returns.
func (s *Sampler) Draw(i int, st *vp.Stream) float64 {
	switch s.kind {
	case sampleScalar:
		return s.x
	case sampleNormal:
		return st.NormalMS(s.mean, s.std)
	case sampleNormalRedraw:
		for range MaxRedraws {
			if x := st.NormalMS(s.mean, s.std); x >= s.lo && x <= s.hi {
				return x
			}
		}
		return s.v.d.drawTruncated(st.Float64())
	}
	return s.v.At(i, st)
}
