package vp

import (
	"fmt"
	"math"
	"math/bits"
)

// PoissonTableMax is the mean below which Poisson samples by inversion of a precomputed
// cumulative table; from it on it uses Hörmann's PTRS (valid for means >= 10).
const PoissonTableMax = 10

// MaxPoissonMean is the largest mean NewPoisson accepts (variates must fit an int64).
const MaxPoissonMean = 1 << 60

// Poisson samples the Poisson distribution with a fixed mean lambda, with constants
// precomputed once by NewPoisson so that Sample is fast and allocation-free (the
// poisson_generator draws one value per step per target). It is exact for every
// lambda >= 0 (up to float64 resolution):
//
//   - lambda = 0: Sample returns 0 and draws nothing;
//   - 0 < lambda < 10: inversion of the cumulative distribution F(0), F(1), ...
//     tabulated at construction: for one uniform u = Float64(), the variate is the
//     smallest k with u < F(k). The table is extended until the remaining tail
//     probability is below 2^-64; a uniform at or beyond its last entry (possible only
//     through rounding, probability < 1e-14) is redrawn, which is the same as
//     normalising the table. The search compares the uniform's 53 integer bits with
//     the table scaled to integers and starts where a guide table indexed by the top
//     8 bits points (H. C. Chen and Y. Asau, "On generating random variates from an
//     empirical distribution", AIIE Trans. 6, 1974): the same variate as a sequential
//     search from 0, after about one compare instead of lambda+1;
//   - lambda >= 10: PTRS, transformed rejection with squeeze, of W. Hörmann ("The
//     transformed rejection method for generating Poisson random variables",
//     Insurance: Mathematics and Economics 12, 1993), two uniforms per trial and about
//     1.1 trials per variate; its exact acceptance test uses Loader's accurate log-pmf,
//     so it stays exact for very large means.
//
// The zero Poisson is a valid sampler of mean 0. A Poisson may be copied (copies share
// the read-only table) and used from several goroutines with different Streams.
type Poisson struct {
	lambda float64
	// Table inversion (nil unless 0 < lambda < 10): thr[k] = ceil(F(k)·2^53), the cumulative
	// probabilities F(k) = P(X <= k) on the grid of Float64's 53-bit mantissa, so that for
	// u = m·2^-53, u < F(k) exactly when m < thr[k].
	thr []uint64
	// guide[j] is the smallest k with thr[k] > j·2^(53-guideBits): where the search for a
	// uniform whose top guideBits bits are j starts (Chen and Asau's guide table).
	guide []uint8
	large bool // PTRS
	// PTRS constants (Hörmann's notation).
	a, b, vr float64
	logAlpha float64 // ln(alpha), alpha = 1.1239 + 1.1328/(b-3.4)
	lamPlus  float64 // lambda + 0.43
}

// NewPoisson returns a sampler for the Poisson distribution with mean lambda. It panics
// unless 0 <= lambda <= MaxPoissonMean (NaN included): a rate is validated by its owner.
func NewPoisson(lambda float64) Poisson {
	if !(lambda >= 0 && lambda <= MaxPoissonMean) {
		panic(fmt.Sprintf("vp: NewPoisson: mean %v is not in [0, %v]", lambda, float64(MaxPoissonMean)))
	}
	p := Poisson{lambda: lambda}
	switch {
	case lambda == 0:
	case lambda < PoissonTableMax:
		p.thr, p.guide = poissonThresholds(poissonTable(lambda))
	default:
		p.large = true
		slam := math.Sqrt(lambda)
		p.b = 0.931 + 2.53*slam
		p.a = -0.059 + 0.02483*p.b
		p.vr = 0.9277 - 3.6224/(p.b-2)
		p.logAlpha = math.Log(1.1239 + 1.1328/(p.b-3.4))
		p.lamPlus = lambda + 0.43
	}
	return p
}

// poissonTable returns the cumulative probabilities F(0), F(1), ... of Poisson(lambda),
// 0 < lambda < 10, up to the first k > lambda whose tail mass is below 2^-64. Each
// pmf term is computed directly (not by recurrence) and summed with compensation, so the
// table is accurate to about an ulp; the last entry is < 1 only through rounding.
func poissonTable(lambda float64) []float64 {
	cdf := make([]float64, 0, 48)
	sum, comp := 0.0, 0.0 // Neumaier-compensated running sum
	for k := 0; ; k++ {
		pk := math.Exp(poissonLogPMF(float64(k), lambda))
		t := sum + pk
		if math.Abs(sum) >= pk {
			comp += (sum - t) + pk
		} else {
			comp += (pk - t) + sum
		}
		sum = t
		cdf = append(cdf, sum+comp)
		// For k > lambda the tail beyond k is at most pk * lambda/(k+1-lambda).
		if float64(k) > lambda && pk*lambda/(float64(k)+1-lambda) < 0x1p-64 {
			break
		}
	}
	return cdf
}

// Mean returns lambda.
func (p *Poisson) Mean() float64 { return p.lambda }

// Sample returns a Poisson(lambda) variate drawn from s.
func (p *Poisson) Sample(s *Stream) int64 {
	if p.thr != nil {
		return p.invert(s)
	}
	if !p.large {
		return 0
	}
	return p.ptrs(s)
}

// Fill sets every element of out to a Poisson(lambda) variate drawn from s, in order: the same
// variates as len(out) calls of Sample. For table inversion the generator's state is kept in
// local variables across the draws (a Stream reached through a pointer is reloaded and stored
// at every draw).
func (p *Poisson) Fill(s *Stream, out []float64) {
	if p.thr == nil {
		for i := range out {
			out[i] = float64(p.Sample(s))
		}
		return
	}
	thr, guide := p.thr, p.guide
	s0, s1, s2, s3 := s.S[0], s.S[1], s.S[2], s.S[3]
	for i := range out {
	draw:
		// xoshiro256** (Stream.Uint64), on the local state
		x := bits.RotateLeft64(s1*5, 7) * 9
		s2 ^= s0
		s3 ^= s1
		s0, s1, s2, s3 = s0^s3, s1^s2, s2^(s1<<17), bits.RotateLeft64(s3, 45)
		m := x >> 11
		k := int(guide[m>>(53-guideBits)])
		for k < len(thr) && m >= thr[k] {
			k++
		}
		if k == len(thr) { // beyond the table (rounding): redraw, as invert does
			goto draw
		}
		out[i] = float64(k)
	}
	s.S = [4]uint64{s0, s1, s2, s3}
}

// guideBits is the number of a uniform's top bits that index the guide table.
const guideBits = 8

// poissonThresholds scales a cumulative table to Float64's integer grid (see Poisson.thr) and
// builds its guide table.
func poissonThresholds(cdf []float64) ([]uint64, []uint8) {
	thr := make([]uint64, len(cdf))
	for k, c := range cdf {
		thr[k] = uint64(math.Ceil(c * 0x1p53)) // exact: c·2^53 <= 2^53 is a float64
	}
	guide := make([]uint8, 1<<guideBits)
	k := 0
	for j := range guide {
		lo := uint64(j) << (53 - guideBits)
		for k < len(thr)-1 && thr[k] <= lo {
			k++
		}
		guide[j] = uint8(k)
	}
	return thr, guide
}

// invert draws by table inversion: the smallest k with m < thr[k] for the uniform's 53 bits
// m. Every k below guide[m's top bits] has thr[k] <= m, so the search starts there.
func (p *Poisson) invert(s *Stream) int64 {
	thr := p.thr
	for {
		m := s.Uint64() >> 11
		for k := int(p.guide[m>>(53-guideBits)]); k < len(thr); k++ {
			if m < thr[k] {
				return int64(k)
			}
		}
	}
}

// ptrs is Hörmann's PTRS for lambda >= 10.
func (p *Poisson) ptrs(s *Stream) int64 {
	for {
		u := s.Float64() - 0.5
		v := s.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*p.a/us+p.b)*u + p.lamPlus)
		if us >= 0.07 && v <= p.vr {
			return int64(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		// Accept if v * alpha / (a/us^2 + b) <= P(X = k).
		if math.Log(v)+p.logAlpha-math.Log(p.a/(us*us)+p.b) <= poissonLogPMF(k, p.lambda) {
			return int64(k)
		}
	}
}
