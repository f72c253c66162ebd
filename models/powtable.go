package models

import (
	"math"
	"math/big"
	"sync"
)

// powTable evaluates x^μ for one exponent μ by tables, faster than exp(μ·log x) and as exact
// as a float64 result can be to within a few thousandths of an ulp. With x = 2^e·m,
// m in [1, 2), and c_j the centre of the j-th of 256 equal parts of [1, 2) holding m,
//
//	x^μ = 2^{μe} · c_j^μ · (1 + r)^μ,   r = (m − c_j)/c_j,  |r| < 2^−9,
//
// where 2^{μe} (e in [eMin, eMax]) and c_j^μ are tabulated as double-double values (hi + lo,
// accurate to about 2^−106, computed once per μ with math/big) and
//
//	(1 + r)^μ − 1 = δ = Σ_{k=1..5} binom(μ, k)·r^k
//
// (the first omitted term, binom(μ, 6)·r^6, is below 0.01 ulp for 0 < μ < 1). The result is
// hi + (hi·δ + lo) with hi + lo the product of the two table values: its error is the final
// rounding (half an ulp) plus about 0.003 ulp. Bases outside the table (zero, negative,
// subnormal, infinite, NaN, or with e outside [eMin, eMax]) go to stdpPowRest.
type powTable struct {
	mu   float64
	pow2 [eMax - eMin + 1]dd // 2^{μe}
	mant [mantParts]dd       // c_j^μ
	c    [mantParts]float64  // c_j
	inv  [mantParts]float64  // 1/c_j, rounded
	coef [5]float64          // binom(μ, k), k = 1..5
}

// dd is a double-double value hi + lo, |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

const (
	eMin, eMax = -128, 127
	mantBits   = 8
	mantParts  = 1 << mantBits
	// powTablePrec is the precision (bits) of the table's computation in math/big: the
	// exponential's argument is halved powExpHalvings times and its series squared back.
	powTablePrec   = 192
	powExpHalvings = 10
)

// newPowTable returns the table for exponent mu, or nil unless 0 < mu < 1 (the exponents of
// STDP weight dependences; stdpPowRest serves the others).
func newPowTable(mu float64) *powTable {
	if !(mu > 0 && mu < 1) {
		return nil
	}
	t := &powTable{mu: mu}
	bmu := newBig().SetFloat64(mu)
	ln2 := bigLn(newBig().SetInt64(2))
	for e := eMin; e <= eMax; e++ {
		a := newBig().Mul(bmu, ln2)
		t.pow2[e-eMin] = toDD(bigExp(a.Mul(a, newBig().SetInt64(int64(e)))))
	}
	for j := range mantParts {
		c := 1 + (float64(j)+0.5)/mantParts // exact: 9 significant bits
		t.c[j], t.inv[j] = c, 1/c
		a := bigLn(newBig().SetFloat64(c))
		t.mant[j] = toDD(bigExp(a.Mul(a, bmu)))
	}
	b := 1.0
	for k := range t.coef {
		b = b * (mu - float64(k)) / float64(k+1)
		t.coef[k] = b
	}
	return t
}

// pow returns x^μ (see powTable).
func (t *powTable) pow(x float64) float64 {
	bits := math.Float64bits(x)
	e := int(bits>>52) - 1023 // the sign bit makes e too large; zero and subnormals give −1023
	if e < eMin || e > eMax {
		return stdpPowRest(x, t.mu)
	}
	j := bits >> (52 - mantBits) & (mantParts - 1)
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	r := (m - t.c[j]) * t.inv[j] // m − c_j is exact
	k := &t.coef
	delta := r * (k[0] + r*(k[1]+r*(k[2]+r*(k[3]+r*k[4]))))
	p, q := t.pow2[e-eMin], t.mant[j]
	hi := p.hi * q.hi
	lo := math.FMA(p.hi, q.hi, -hi) + (p.hi*q.lo + p.lo*q.hi)
	return hi + math.FMA(hi, delta, lo)
}

// lazyPow makes the table of one exponent when it is first asked for (about 30 ms of
// math/big): models that are never sent through do not pay for it. Safe for concurrent use.
type lazyPow struct {
	mu   float64
	once sync.Once
	t    *powTable
}

func newLazyPow(mu float64) *lazyPow { return &lazyPow{mu: mu} }

// table returns the table of the exponent (nil where newPowTable gives none, and for l nil).
func (l *lazyPow) table() *powTable {
	if l == nil {
		return nil
	}
	l.once.Do(func() { l.t = newPowTable(l.mu) })
	return l.t
}

func newBig() *big.Float { return new(big.Float).SetPrec(powTablePrec) }

// toDD rounds f to a double-double.
func toDD(f *big.Float) dd {
	hi, _ := f.Float64()
	lo, _ := newBig().Sub(f, newBig().SetFloat64(hi)).Float64()
	return dd{hi, lo}
}

// bigLn returns ln x for 1 <= x <= 2 by ln x = 2·atanh z = 2·Σ z^{2k+1}/(2k+1),
// z = (x − 1)/(x + 1) <= 1/3.
func bigLn(x *big.Float) *big.Float {
	one := newBig().SetInt64(1)
	z := newBig().Quo(newBig().Sub(x, one), newBig().Add(x, one))
	z2 := newBig().Mul(z, z)
	sum, term := newBig().Set(z), newBig().Set(z)
	eps := newBig().SetMantExp(one, -powTablePrec-4)
	for k := int64(3); ; k += 2 {
		term.Mul(term, z2)
		add := newBig().Quo(term, newBig().SetInt64(k))
		if add.Sign() == 0 || newBig().Abs(add).Cmp(eps) < 0 {
			break
		}
		sum.Add(sum, add)
	}
	return sum.Mul(sum, newBig().SetInt64(2))
}

// bigExp returns e^a for |a| <= 100: the Taylor series of e^{a/2^h}, squared h times.
func bigExp(a *big.Float) *big.Float {
	one := newBig().SetInt64(1)
	x := newBig().SetMantExp(a, -powExpHalvings)
	sum, term := newBig().Set(one), newBig().Set(one)
	eps := newBig().SetMantExp(one, -powTablePrec-4)
	for k := int64(1); ; k++ {
		term.Mul(term, x)
		term.Quo(term, newBig().SetInt64(k))
		if term.Sign() == 0 || newBig().Abs(term).Cmp(eps) < 0 {
			break
		}
		sum.Add(sum, term)
	}
	for range powExpHalvings {
		sum.Mul(sum, sum)
	}
	return sum
}
