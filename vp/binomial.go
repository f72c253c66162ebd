package vp

import (
	"fmt"
	"math"
)

// binomialInversionMax is the mean n*min(p,1-p) below which Binomial uses inversion;
// BTRS is valid (and faster) from 10 on.
const binomialInversionMax = 10

// Binomial returns a Binomial(n, p) variate: the number of successes in n independent
// trials of probability p. It is exact for all n >= 0 and 0 <= p <= 1 (up to float64
// rounding of the probabilities). With p' = min(p, 1-p) (the result is mirrored,
// n - X, when p > 1/2):
//
//   - n*p' < 10: inversion by sequential search from 0 (one uniform; the pmf is updated
//     by the recurrence f(k+1) = f(k) (n-k)/(k+1) p'/(1-p'), starting at (1-p')^n
//     computed as exp(n log1p(-p')));
//   - n*p' >= 10: BTRS, transformed rejection with squeeze, of W. Hörmann ("The
//     generation of binomial random variables", J. Stat. Comput. Simul. 46, 1993), two
//     uniforms per trial and about 1.15 trials per variate, the exact acceptance test
//     using Loader's accurate log-pmf.
//
// Constants are recomputed per call (the rank-synchronised uses in connection rules are
// not hot). It panics if n < 0 or p is not in [0, 1].
func (s *Stream) Binomial(n int64, p float64) int64 {
	if n < 0 || !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("vp: Stream.Binomial: invalid parameters n=%d p=%v", n, p))
	}
	if n == 0 || p == 0 {
		return 0
	}
	if p == 1 {
		return n
	}
	flip := p > 0.5
	if flip {
		p = 1 - p
	}
	var k int64
	if float64(n)*p < binomialInversionMax {
		k = s.binomialInversion(n, p)
	} else {
		k = s.binomialBTRS(n, p)
	}
	if flip {
		return n - k
	}
	return k
}

// binomialInversion samples Binomial(n, p) for p <= 1/2 and n*p < 10 by sequential
// search (Kachitvichyanukul & Schmeiser's BINV).
func (s *Stream) binomialInversion(n int64, p float64) int64 {
	q := 1 - p
	r := p / q
	g := r * float64(n+1)
	f0 := math.Exp(float64(n) * math.Log1p(-p))
	// The mean is < 10, so P(X > 150) < 1e-100: a search that gets that far (only
	// possible through rounding of the running sum) restarts with a fresh uniform.
	kmax := n
	if kmax > 150 {
		kmax = 150
	}
	for {
		u := s.Float64()
		f := f0
		for k := int64(0); k <= kmax; k++ {
			if u < f {
				return k
			}
			u -= f
			f *= g/float64(k+1) - r
		}
	}
}

// binomialBTRS samples Binomial(n, p) for p <= 1/2 and n*p >= 10 by Hörmann's BTRS.
func (s *Stream) binomialBTRS(n int64, p float64) int64 {
	q := 1 - p
	nf := float64(n)
	spq := math.Sqrt(nf * p * q)
	b := 1.15 + 2.53*spq
	a := -0.0873 + 0.0248*b + 0.01*p
	c := nf*p + 0.5
	vr := 0.92 - 4.2/b
	alpha := (2.83 + 5.1/b) * spq
	m := math.Floor((nf + 1) * p) // mode
	lpm := binomialLogPMF(m, nf, p, q)
	for {
		u := s.Float64() - 0.5
		v := s.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if k < 0 || k > nf {
			continue
		}
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		// Accept if v * alpha / (a/us^2 + b) <= f(k)/f(m).
		if math.Log(v*alpha/(a/(us*us)+b)) <= binomialLogPMF(k, nf, p, q)-lpm {
			return int64(k)
		}
	}
}
