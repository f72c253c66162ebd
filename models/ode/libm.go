package ode

import (
	"math"
	"math/big"
)

// The elementary functions of the right-hand sides and of the step control. The trajectories of
// an adaptive integrator depend on the last bits of exp and pow (through the accepted step sizes
// and through spikes), so these reproduce the results of the C library NEST runs on:
//
//   - Exp is the table-driven algorithm of glibc ≥ 2.28: with N = 128 and
//     x = k·ln2/N + r, |r| ≤ ln2/2N, exp(x) = 2^(k/N)·(1 + p(r)), where 2^(j/N) = H_j·(1 + T_j) with
//     H_j the double nearest 2^(j/N) and T_j the double nearest the relative remainder, and
//     p(r) = T_j + r + r²(C2 + r·C3) + r⁴(C4 + r·C5) evaluated in that order; the result is
//     s + s·p with s = 2^⌊k/N⌋·H_j. The multiply-adds are fused as in the variant glibc selects on
//     processors with FMA (every x86-64 since 2013), so the results are that variant's bit for
//     bit, on any platform (math.FMA is exact everywhere).
//   - Pow is x^y rounded correctly: log x and e^(y·log x) in double-double arithmetic (about 90
//     bits), then rounded once. glibc's pow is correctly rounded except within about 0.02 ulp
//     of a rounding boundary, so the two agree on all but a tiny fraction of arguments.

const (
	expTableBits = 7
	expN         = 1 << expTableBits
	invLn2N      = 0x1.71547652b82fep0 * expN
	negLn2HiN    = -0x1.62e42fefa0000p-8
	negLn2LoN    = -0x1.cf79abc9e3b3ap-47
	expShift     = 0x1.8p52
	expC2        = 0x1.ffffffffffdbdp-2
	expC3        = 0x1.555555555543cp-3
	expC4        = 0x1.55555cf172b91p-5
	expC5        = 0x1.1111167a4d017p-7
)

// expTab holds, for j < N, the bits of T_j and the bits of H_j minus j·2^52/N (so that adding
// k·2^52/N for the integer k gives the bits of 2^⌊k/N⌋·H_{k mod N}). It is computed once from
// 2^(1/N) in 256-bit arithmetic and never changed.
var expTab = makeExpTab()

func makeExpTab() [2 * expN]uint64 {
	const prec = 256
	root := new(big.Float).SetPrec(prec).SetInt64(2)
	for range expTableBits {
		root.Sqrt(root)
	}
	var tab [2 * expN]uint64
	p := new(big.Float).SetPrec(prec).SetInt64(1)
	for j := range expN {
		h, _ := p.Float64() // nearest double
		hb := new(big.Float).SetPrec(prec).SetFloat64(h)
		rem := new(big.Float).SetPrec(prec).Sub(p, hb)
		rem.Quo(rem, hb)
		t, _ := rem.Float64()
		tab[2*j] = math.Float64bits(t)
		tab[2*j+1] = math.Float64bits(h) - uint64(j)<<(52-expTableBits)
		p.Mul(p, root)
	}
	return tab
}

func top12(x float64) uint32 { return uint32(math.Float64bits(x) >> 52) }

// Exp returns e^x with the bits of glibc's exp.
func Exp(x float64) float64 {
	abstop := top12(x) & 0x7ff
	if abstop-top12(0x1p-54) >= top12(512)-top12(0x1p-54) {
		if int32(abstop-top12(0x1p-54)) < 0 {
			return 1.0 + x // |x| < 2^-54
		}
		if abstop >= top12(1024) {
			switch {
			case x == math.Inf(-1):
				return 0
			case abstop >= top12(math.Inf(1)):
				return 1.0 + x
			case x < 0:
				return 0 // underflow
			default:
				return math.Inf(1) // overflow
			}
		}
		abstop = 0 // large |x|: scaled below
	}
	kd := fmaOr(invLn2N, x, expShift)
	ki := math.Float64bits(kd)
	kd -= expShift
	r := fmaOr(kd, negLn2LoN, fmaOr(kd, negLn2HiN, x))
	idx := 2 * (ki % expN)
	top := ki << (52 - expTableBits)
	tail := math.Float64frombits(expTab[idx])
	sbits := expTab[idx+1] + top
	r2 := r * r
	tmp := fmaOr(float64(r2*r2), fmaOr(r, expC5, expC4), fmaOr(r2, fmaOr(r, expC3, expC2), tail+r))
	if abstop == 0 {
		return expSpecial(tmp, sbits, ki)
	}
	scale := math.Float64frombits(sbits)
	return fmaOr(scale, tmp, scale)
}

// fmaOr is x·y + z as the C library computes it: fused on processors with FMA.
func fmaOr(x, y, z float64) float64 { return math.FMA(x, y, z) }

// expSpecial finishes Exp for 512 ≤ |x| < 1024, where the scale would overflow or be subnormal.
// glibc's FMA variant fuses the final multiply-add for large positive x but not for negative x.
func expSpecial(tmp float64, sbits, ki uint64) float64 {
	if ki&0x80000000 == 0 {
		sbits -= 1009 << 52
		scale := math.Float64frombits(sbits)
		return 0x1p1009 * fmaOr(scale, tmp, scale)
	}
	sbits += 1022 << 52
	scale := math.Float64frombits(sbits)
	y := scale + float64(scale*tmp)
	if y < 1.0 {
		lo := scale - y + float64(scale*tmp)
		hi := 1.0 + y
		lo = 1.0 - hi + y + lo
		y = (hi + lo) - 1.0
		if y == 0 {
			y = 0
		}
	}
	return 0x1p-1022 * y
}

// dd is a double-double: the unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func fastTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

// twoProd returns a·b exactly (math.FMA is exact on every platform).
func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

// ddExp returns e^a to about 2^-90 relative for |a.hi| < 700, as the double-double result
// before the final rounding: a = k·ln2/N + r with the table of Exp, e^r = 1 + r + r²/2 + q with
// the cubic and higher terms q (below 2^-28) in double precision.
func ddExp(a dd) dd {
	kd := a.hi*invLn2N + expShift
	ki := math.Float64bits(kd)
	kd -= expShift
	hi := twoSum(a.hi, kd*negLn2HiN) // kd·negLn2HiN is exact
	lo := twoProd(kd, negLn2LoN)
	r := twoSum(hi.hi, hi.lo+a.lo+lo.hi+lo.lo)
	r2 := twoProd(r.hi, r.hi)
	rh := r.hi
	q := rh * rh * rh * (1.0/6 + rh*(1.0/24+rh*(1.0/120+rh*(1.0/720+rh*(1.0/5040)))))
	// s = r + r²/2 + q
	s := twoSum(r.hi, 0.5*r2.hi)
	s.lo += r.lo + 0.5*r2.lo + r.hi*r.lo + q
	s = fastTwoSum(s.hi, s.lo)
	// 2^(j/N) = H(1 + T): e^a = 2^⌊k/N⌋·H·(1 + T + s + T·s)
	idx := 2 * (ki % expN)
	t := math.Float64frombits(expTab[idx])
	u := twoSum(1, s.hi)
	u.lo += s.lo + t + t*s.hi
	u = fastTwoSum(u.hi, u.lo)
	sbits := expTab[idx+1] + ki<<(52-expTableBits)
	h := math.Float64frombits(sbits) // 2^⌊k/N⌋·H, |a| < 700 keeps it normal
	p := twoProd(h, u.hi)
	p.lo += h * u.lo
	return fastTwoSum(p.hi, p.lo)
}

// ddLog returns ln x for a positive normal x to about 2^-90: one Newton step
// l = l0 + (x − e^l0)/e^l0 from l0 = math.Log(x).
func ddLog(x float64) dd {
	l0 := math.Log(x)
	e := ddExp(dd{l0, 0})
	d := twoSum(x, -e.hi)
	return twoSum(l0, (d.hi+(d.lo-e.lo))/e.hi)
}

// Pow returns x^y rounded correctly for x > 0 normal and finite y with |y·ln x| < 700; other
// arguments are passed to math.Pow.
func Pow(x, y float64) float64 {
	if !(x >= 0x1p-1022 && x <= math.MaxFloat64) || math.IsInf(y, 0) || math.IsNaN(y) || y == 0 || x == 1 {
		return math.Pow(x, y)
	}
	l := ddLog(x)
	p := twoProd(l.hi, y)
	p = fastTwoSum(p.hi, p.lo+l.lo*y)
	if !(math.Abs(p.hi) < 700) {
		return math.Pow(x, y)
	}
	r := ddExp(p)
	return r.hi + r.lo
}
