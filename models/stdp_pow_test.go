package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestStdpPowIsMathPow compares stdpPow with math.Pow bit for bit on special values and on
// random bases over the whole float64 range, for the exponents of the STDP models and others.
func TestStdpPowIsMathPow(t *testing.T) {
	ys := []float64{0, 1, 0.4, 0.5, 0.25, 1e-300, 0.4999999999999999, 0.5000000000000001, 0.75, 2, -0.4, -1,
		math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64}
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 2, math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, 2.2250738585072014e-308, math.MaxFloat64, 45.609600316540956, 1 - 1e-16}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		xs = append(xs, math.Float64frombits(r.Uint64()&^(1<<63)), r.Float64()*100, -r.Float64())
	}
	for range 200 {
		ys = append(ys, r.Float64()*0.5, r.Float64()*2)
	}
	for _, y := range ys {
		for _, x := range xs {
			got, want := stdpPow(x, y), math.Pow(x, y)
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("stdpPow(%g, %g) = %g (%#x), math.Pow %g (%#x)", x, y, got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
	}
}

// BenchmarkStdpPow: the cost of w^0.4 (stdp_pl_synapse_hom's default) through math.Pow,
// stdpPow and the table of stdp_pl_synapse_hom (powTable).
//
//	go test ./models -run '^$' -bench StdpPow
func BenchmarkStdpPow(b *testing.B) {
	pt := newPowTable(0.4)
	xs := make([]float64, 1024)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range xs {
		xs[i] = 40 + 10*r.Float64()
	}
	for _, c := range []struct {
		name string
		f    func(x, y float64) float64
	}{{"math.Pow", math.Pow}, {"stdpPow", stdpPow}, {"powTable", func(x, _ float64) float64 { return pt.pow(x) }}} {
		b.Run(c.name, func(b *testing.B) {
			s := 0.0
			for i := range b.N {
				s += c.f(xs[i&1023], 0.4)
			}
			if s == 0 {
				b.Fatal(s)
			}
		})
	}
}

// TestStdpPlZeroTraceKeeps: where zeroTraceKeeps holds, facilitation by a zero trace returns
// the weight bit for bit for every 0 < w <= 1e300, as the send rule assumes when it skips it.
func TestStdpPlZeroTraceKeeps(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	ws := []float64{math.SmallestNonzeroFloat64, 1e-300, 1, 45.609600316540956, 1e300, math.Nextafter(1e300, 0)}
	for range 20000 {
		ws = append(ws, math.Exp(r.Float64()*1380-690), r.Float64()*100)
	}
	params := []StdpPlParams{DefaultStdpPl(), {Lambda: 1e7, Mu: 1}, {Lambda: -1e7, Mu: 0.999999}, {Lambda: 1e7, Mu: 0}, {Lambda: 0.1, Mu: 0.5}}
	for range 50 {
		params = append(params, StdpPlParams{Lambda: (r.Float64()*2 - 1) * 1e7, Mu: r.Float64()})
	}
	for _, p := range params {
		pw := newPowTable(p.Mu)
		if !p.zeroTraceKeeps() {
			t.Fatalf("zeroTraceKeeps false for %+v", p)
		}
		for _, w := range ws {
			if w <= 0 || w > 1e300 {
				continue
			}
			for _, k := range []float64{0, math.Copysign(0, -1)} {
				if got := p.Facilitate(w, k, pw); math.Float64bits(got) != math.Float64bits(w) {
					t.Fatalf("%+v: Facilitate(%g, %g) = %g", p, w, k, got)
				}
			}
		}
	}
	for _, p := range []StdpPlParams{{Lambda: 1e8, Mu: 0.4}, {Lambda: 0.1, Mu: 1.5}, {Lambda: math.NaN(), Mu: 0.4}, {Lambda: 0.1, Mu: math.NaN()}, {Lambda: 0.1, Mu: -0.1}} {
		if p.zeroTraceKeeps() {
			t.Errorf("zeroTraceKeeps true for %+v", p)
		}
	}
}
