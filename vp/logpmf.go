package vp

import "math"

// Accurate log-probabilities for the exact acceptance tests of the binomial and Poisson
// rejection samplers, after C. Loader, "Fast and accurate computation of binomial
// probabilities" (2000), the method of R's dbinom/dpois. Writing log k! through
// Stirling's series and the "deviance" term bd0 avoids the cancellation of
// -lambda + k ln(lambda) - ln k! for large arguments, so the tests stay exact to
// rounding even for means far beyond 10^10.

const (
	ln2Pi       = 1.8378770664093454835606594728112 // ln(2*pi)
	stirTabSize = 16
)

// stirTab[n] = stirlerr(n) for n < stirTabSize, computed from Lgamma (small arguments,
// where Lgamma is accurate to a few ulps).
var stirTab [stirTabSize]float64

func init() {
	for n := 1; n < stirTabSize; n++ {
		x := float64(n)
		lg, _ := math.Lgamma(x + 1)
		stirTab[n] = lg - (x+0.5)*math.Log(x) + x - 0.5*ln2Pi
	}
}

// stirlerr returns the error of Stirling's approximation of ln n!:
// ln n! - (n+1/2) ln n + n - ln(2 pi)/2, for integer n >= 0 (stirlerr(0) = 0 by
// convention; it is never used there). For n >= 16 it uses the asymptotic series
// 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9), accurate to double
// precision there.
func stirlerr(n float64) float64 {
	if n < stirTabSize {
		return stirTab[int(n)]
	}
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	nn := n * n
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n
}

// bd0 returns the deviance term x ln(x/m) + m - x >= 0 for x >= 0, m > 0, computed
// without cancellation: by the series 2x sum_j v^(2j+1)/(2j+1) - (x-m) v ... with
// v = (x-m)/(x+m) when |x-m| < 0.1(x+m), directly otherwise.
func bd0(x, m float64) float64 {
	if x == 0 {
		return m
	}
	if math.Abs(x-m) < 0.1*(x+m) {
		v := (x - m) / (x + m)
		s := (x - m) * v
		ej := 2 * x * v
		v *= v
		for j := 3.0; ; j += 2 {
			ej *= v
			s1 := s + ej/j
			if s1 == s {
				return s1
			}
			s = s1
		}
	}
	return x*math.Log(x/m) + m - x
}

// poissonLogPMF returns ln P(X = k) for X ~ Poisson(lambda), lambda > 0, integer k >= 0.
func poissonLogPMF(k, lambda float64) float64 {
	if k == 0 {
		return -lambda
	}
	return -stirlerr(k) - bd0(k, lambda) - 0.5*(ln2Pi+math.Log(k))
}

// binomialLogPMF returns ln P(X = k) for X ~ Binomial(n, p), 0 < p < 1, q = 1-p,
// integers 0 <= k <= n.
func binomialLogPMF(k, n, p, q float64) float64 {
	switch k {
	case 0:
		return n * math.Log1p(-p)
	case n:
		return n * math.Log(p)
	}
	lc := stirlerr(n) - stirlerr(k) - stirlerr(n-k) - bd0(k, n*p) - bd0(n-k, n*q)
	return lc + 0.5*(math.Log(n)-ln2Pi-math.Log(k)-math.Log(n-k))
}
