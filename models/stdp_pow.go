package models

import "math"

// stdpPow returns math.Pow(x, y) bit for bit, faster for the exponents of STDP weight
// dependences: y == 1 gives x and y == 0 gives 1 (math.Pow's first cases), and for 0 < y < 0.5
// with a finite x > 0, x != 1, math.Pow computes exp(y·log x) and scales it by 2⁰, which changes
// nothing; stdpPow computes the same expression without math.Pow's ladder of special cases and
// its Modf, Frexp and Ldexp. Every other case goes to math.Pow.
func stdpPow(x, y float64) float64 {
	if y == 1 { // inlined: stdp_synapse's default
		return x
	}
	return stdpPowRest(x, y)
}

// stdpPowRest is stdpPow for y != 1.
func stdpPowRest(x, y float64) float64 {
	switch {
	case y == 0:
		return 1
	case y > 0 && y < 0.5 && x > 0 && x <= math.MaxFloat64 && x != 1:
		return math.Exp(y * math.Log(x))
	}
	return math.Pow(x, y)
}
