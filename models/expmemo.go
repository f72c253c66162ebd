package models

import "math"

// expMemoBits sets the size of an expMemo: 2^expMemoBits entries of 16 bytes.
const expMemoBits = 10

// expMemo remembers math.Exp of recent arguments, direct-mapped by the argument's bits: a hit
// returns the very value math.Exp returned for the same bits. STDP's exponentials take their
// arguments from spike times on the step grid, so the same arguments recur (every target's
// postsynaptic spikes seen from one presynaptic spike, the K− of targets that spiked in the
// same step). The zero value is not ready: use newExpMemo.
type expMemo [1 << expMemoBits]struct {
	x uint64 // the argument's bits
	v float64
}

// newExpMemo returns an expMemo whose every entry holds exp(+0) = 1.
func newExpMemo() *expMemo {
	m := &expMemo{}
	for i := range m {
		m[i].v = 1
	}
	return m
}

// exp returns math.Exp(x); a miss calls miss.
func (m *expMemo) exp(x float64) float64 {
	b := math.Float64bits(x)
	e := &m[(b*0x9E3779B97F4A7C15)>>(64-expMemoBits)]
	if e.x == b {
		return e.v
	}
	return m.miss(x)
}

// miss computes math.Exp(x) into its entry.
func (m *expMemo) miss(x float64) float64 {
	b := math.Float64bits(x)
	v := math.Exp(x)
	m[(b*0x9E3779B97F4A7C15)>>(64-expMemoBits)] = struct {
		x uint64
		v float64
	}{b, v}
	return v
}

// gridExpLen is the number of steps a gridExp tabulates: 4096 steps (409.6 ms at 0.1 ms) span
// every exponential that STDP reads at rates above a few spikes per second.
const gridExpLen = 4096

// gridEps is how far (in steps) an argument may lie from a whole number of steps and still be
// read from a gridExp's table: the rounding of differences of spike times of up to 10^7 ms is
// below 10^-7 steps at a resolution of 0.1 ms.
const gridEps = 1e-6

// gridExp gives exp(x/τ) for one time constant τ and resolution h. Spike times lie on the step
// grid, so STDP's arguments are mostly x = −k·h for whole k ≥ 0 steps; for k < gridExpLen − 1
// (to gridEps) the value is read from a table of exp(−k·h/τ), otherwise it is math.Exp(x/τ),
// remembered in an expMemo. A table value is math.Exp of the exact grid time's argument, where
// math.Exp(x/τ) takes the rounded difference x: the two agree to the last bits (relative
// 10^-15). The zero value is not ready: use prepare.
type gridExp struct {
	h, tau, invH float64
	tab          *[gridExpLen]float64
	memo         *expMemo
}

// prepare readies g for resolution h and time constant tau (ms), building its table when either
// differs from the last.
func (g *gridExp) prepare(h, tau float64) {
	if g.ready(h) && tau == g.tau {
		return
	}
	if g.memo == nil {
		g.memo = newExpMemo()
	}
	g.h, g.tau, g.invH = h, tau, 1/h
	g.tab = new([gridExpLen]float64)
	for k := range g.tab {
		g.tab[k] = math.Exp(float64(-k) * h / tau)
	}
}

// ready reports whether g holds a table for resolution h.
func (g *gridExp) ready(h float64) bool { return g.tab != nil && g.h == h }

// expTau returns exp(x/tau): from the table when tau is the table's τ.
func (g *gridExp) expTau(x, tau float64) float64 {
	if tau == g.tau {
		return g.exp(x)
	}
	return g.off(x, tau)
}

// exp returns exp(x/τ).
func (g *gridExp) exp(x float64) float64 {
	if v, ok := g.lookup(x); ok {
		return v
	}
	return g.off(x, g.tau)
}

// lookup returns exp(x/τ) from the table, and false for an argument the table does not hold
// (inlined: hot loops call off only then).
func (g *gridExp) lookup(x float64) (float64, bool) {
	q := -x * g.invH
	if q > -gridEps && q < gridExpLen-1 { // so 0 <= k < gridExpLen: the mask only spares a bounds check
		k := int(q + 0.5)
		if math.Abs(q-float64(k)) < gridEps {
			return g.tab[k&(gridExpLen-1)], true
		}
	}
	return 0, false
}

// off returns exp(x/tau) from the memo.
func (g *gridExp) off(x, tau float64) float64 { return g.memo.exp(x / tau) }
