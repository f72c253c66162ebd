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

// exp returns math.Exp(x) (inlined; a miss calls miss).
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
