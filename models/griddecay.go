package models

import "math"

// gridDecayLen is the number of lags a gridDecay tabulates: 4096 steps (409.6 ms at 0.1 ms), 32 KiB.
const gridDecayLen = 1 << 12

// gridDecay is the decay of a trace with time constant τ over a lag of n steps of h ms,
//
//	D(n) = exp(−(n·h)/τ),
//
// the factor STDP rules multiply their traces by: their spike times lie on the step grid, so every
// lag between two of them is a whole number of steps. A lag given in ms is rounded to the nearest
// whole number of steps (lag/h + 1/2, truncated); D is computed in float64 as written (n·h, then /τ, then math.Exp), for
// n < gridDecayLen from a table made once per (h, τ), for other n and other τ on the spot. Both give
// the same bits, so a value never depends on which one answered (nor, in the kernel, on the split
// of the network into virtual processes).
//
// NEST computes the same factor as exp((t_a − t_b)/τ) from the two spike times in ms. Those times
// carry rounding errors of up to an ulp of t each (1e-13 ms at 1 s, 1e-10 ms at 1000 s), so that
// NEST's value differs from D(n) by up to about 2·ulp(t)/τ relative (1e-14 at 1 s of τ = 20 ms);
// D(n) is the closer of the two to the exact decay.
//
// The zero value has no grid (h = 0): it computes math.Exp(−lag/τ) from the lag in ms.
type gridDecay struct {
	h, invH, tau float64
	v            []float64 // v[n] = D(n) for the table's τ
}

// use makes the table for steps of h ms and time constant tau, unless it holds them already.
func (g *gridDecay) use(h, tau float64) {
	if g.h == h && g.tau == tau && len(g.v) == gridDecayLen {
		return
	}
	g.h, g.invH, g.tau = h, 1/h, tau
	if cap(g.v) < gridDecayLen {
		g.v = make([]float64, gridDecayLen)
	}
	g.v = g.v[:gridDecayLen]
	for n := range g.v {
		g.v[n] = math.Exp(-(float64(n) * h) / tau)
	}
}

// at returns D(n) for the table's τ, with n the lag (ms) in whole steps (inlined: the table
// answers the common case).
func (g *gridDecay) at(lag float64) float64 {
	if n := uint(int(lag*g.invH + 0.5)); n < uint(len(g.v)) {
		return g.v[n]
	}
	return g.compute(lag, g.tau)
}

// atTau is at for time constant tau, which may differ from the table's.
func (g *gridDecay) atTau(lag, tau float64) float64 {
	if tau == g.tau {
		return g.at(lag)
	}
	return g.compute(lag, tau)
}

// compute is D for time constant tau without the table.
func (g *gridDecay) compute(lag, tau float64) float64 {
	x := lag*g.invH + 0.5
	if g.h == 0 || !(math.Abs(x) < 1<<62) { // no grid, or no whole number of steps: +Inf gives 0
		return math.Exp(-lag / tau)
	}
	return math.Exp(-(float64(int(x)) * g.h) / tau)
}
