package models

import (
	"math"
	"unsafe"
)

// iafPropagator computes the exact-integration propagators that couple a synaptic current with time
// constant tauS to a leaky membrane (time constant tauM, capacitance c), in the numerically stable
// form of NEST's IAFPropagator. With β = τs·τm/(τm−τs), γ = β/C and 1/β = (τm−τs)/(τs·τm):
//
//	P32 = γ·e^{−h/τs}·expm1(h/β)            (= β/C·(e^{−h/τm} − e^{−h/τs}))
//	P31 = γ·e^{−h/τs}·(β·expm1(h/β) − h)    (alpha kernel only)
//
// When τm ≈ τs the regular forms lose all precision; then the limits are used:
//
//	P32 = (h/C)·e^{−h/τm}   if the regular P32 is not a normal positive number,
//	P31 = ½·h²/C·e^{−h/τm}  if h ≤ 1e−7·τm²/|τm−τs|.
func iafPropagator(tauS, tauM, c, h float64) (p31, p32 float64) {
	beta := tauS * tauM / (tauM - tauS)
	gamma := beta / c
	invBeta := (tauM - tauS) / (tauS * tauM)
	expHTauS := math.Exp(-h / tauS)
	expm1HBeta := math.Expm1(h * invBeta)

	p32 = gamma * expHTauS * expm1HBeta
	if !isNormalPositive(p32) {
		p32 = h / c * math.Exp(-h/tauM)
	}
	hMinRegular := 1e-7 * tauM * tauM / math.Abs(tauM-tauS)
	if h > hMinRegular {
		p31 = gamma * expHTauS * (beta*expm1HBeta - h)
	} else {
		p31 = 0.5 * h * h / c * math.Exp(-h/tauM)
	}
	return p31, p32
}

func isNormalPositive(x float64) bool {
	return x > 0 && !math.IsInf(x, 0) && !math.IsNaN(x) && x >= 2.2250738585072014e-308
}

// allSame reports whether every element of xs has the bytes of xs[0] (true for fewer than two).
// T must be a struct of numbers without padding: then equal bytes are equal values, with −0 and
// +0 told apart (as the arithmetic that reads them does).
func allSame[T any](xs []T) bool {
	if len(xs) < 2 {
		return true
	}
	size := int(unsafe.Sizeof(xs[0]))
	first := unsafe.Slice((*byte)(unsafe.Pointer(&xs[0])), size)
	all := unsafe.Slice((*byte)(unsafe.Pointer(&xs[0])), size*len(xs))
	for i := size; i < len(all); i += size {
		if string(all[i:i+size]) != string(first) {
			return false
		}
	}
	return true
}

// popState is what a block knows for its one-population loop: whether every neuron's propagators
// are the first's (shared; known until derive changes one) and whether its current inputs are
// known to be zero (the kernel reported its current channels idle in the last step).
type popState struct{ shared, sharedKnown, currentsZero bool }

// forget drops what the state knows (after the block's neurons or state were replaced).
func (ps *popState) forget() { ps.sharedKnown, ps.currentsZero = false, false }

// stepPop notes a step of a block with propagators pr and reports whether they are shared and
// whether the currents are idle in this step (zero, and nothing writes into them).
func stepPop[T any](ps *popState, pr []T, s *Step) (shared, idle bool) {
	if !ps.sharedKnown {
		ps.shared, ps.sharedKnown = allSame(pr), true
	}
	idle = s.CurrentsIdle && ps.currentsZero
	ps.currentsZero = s.CurrentsIdle
	return ps.shared, idle
}
