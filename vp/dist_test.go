package vp

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestFloat64Uniform(t *testing.T) {
	s := testStream(1)
	const n = 200000
	xs := make([]float64, n)
	for i := range xs {
		x := s.Float64()
		if x < 0 || x >= 1 {
			t.Fatalf("Float64() = %v outside [0,1)", x)
		}
		if x != math.Ldexp(math.Floor(math.Ldexp(x, 53)), -53) {
			t.Fatalf("Float64() = %v is not a multiple of 2^-53", x)
		}
		xs[i] = x
	}
	checkMoments(t, "Float64", xs, 0.5, 1.0/12, -1.2)
	checkKS(t, "Float64", xs, func(x float64) float64 { return x })

	// Pairs of successive values: uniform on the unit square (10x10 cells).
	s = testStream(2)
	cells := make([]float64, 100)
	for i := 0; i < n; i++ {
		a, b := s.Float64(), s.Float64()
		cells[int(a*10)*10+int(b*10)]++
	}
	exp := make([]float64, 100)
	for i := range exp {
		exp[i] = n / 100.0
	}
	checkChiSquare(t, "Float64 pairs", cells, exp)
}

func TestUniform(t *testing.T) {
	tests := []struct{ min, max float64 }{{0, 1}, {-2, 3}, {10, 10.5}, {-1e3, -999}}
	for i, tc := range tests {
		s := testStream(10 + uint64(i))
		xs := make([]float64, 50000)
		for j := range xs {
			x := s.Uniform(tc.min, tc.max)
			if x < tc.min || x > tc.max {
				t.Fatalf("Uniform(%v, %v) = %v out of range", tc.min, tc.max, x)
			}
			xs[j] = x
		}
		w := tc.max - tc.min
		checkMoments(t, fmt.Sprintf("Uniform(%v,%v)", tc.min, tc.max), xs, tc.min+w/2, w*w/12, -1.2)
		checkKS(t, fmt.Sprintf("Uniform(%v,%v)", tc.min, tc.max), xs, func(x float64) float64 { return (x - tc.min) / w })
	}
}

func TestUniformInt(t *testing.T) {
	tests := []struct {
		n    uint64
		bins int // values are binned by v*bins/n
	}{
		{1, 1}, {2, 2}, {3, 3}, {7, 7}, {10, 10}, {64, 64}, {100, 100}, {1000, 1000},
		{1<<40 + 3, 50},
		{3 << 62, 48},        // 2^64 mod n = 2^62: a quarter of the draws is rejected
		{1<<63 + 1, 32},      // just above 2^63: almost half is rejected
		{math.MaxUint64, 64}, // 2^64 - 1
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			s := testStream(20 + uint64(i))
			const perBin = 400
			draws := perBin * tc.bins
			if draws < 20000 {
				draws = 20000
			}
			obs := make([]float64, tc.bins)
			for j := 0; j < draws; j++ {
				v := s.UniformInt(tc.n)
				if v >= tc.n {
					t.Fatalf("UniformInt(%d) = %d", tc.n, v)
				}
				// bin = floor(v*bins/n), exactly, in 128-bit arithmetic.
				obs[mulDiv(v, uint64(tc.bins), tc.n)]++
			}
			if tc.bins == 1 {
				return
			}
			exp := make([]float64, tc.bins)
			for b := range exp {
				// number of v in [0,n) with floor(v*bins/n) == b, over n
				lo, hi := ceilDiv(uint64(b), tc.n, uint64(tc.bins)), ceilDiv(uint64(b+1), tc.n, uint64(tc.bins))
				exp[b] = float64(draws) * float64(hi-lo) / float64(tc.n)
			}
			checkChiSquare(t, fmt.Sprintf("UniformInt(%d)", tc.n), obs, exp)
		})
	}
	t.Run("panics on 0", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("UniformInt(0) did not panic")
			}
		}()
		testStream(0).UniformInt(0)
	})
}

// mulDiv returns floor(a*b/c) for a < c.
func mulDiv(a, b, c uint64) int {
	hi, lo := mulFull(a, b)
	q, _ := divFull(hi, lo, c)
	return int(q)
}

// ceilDiv returns ceil(b*n/bins), the first v with floor(v*bins/n) >= b.
func ceilDiv(b, n, bins uint64) uint64 {
	hi, lo := mulFull(b, n)
	q, r := divFull(hi, lo, bins)
	if r != 0 {
		q++
	}
	return q
}

func TestNormal(t *testing.T) {
	s := testStream(40)
	const n = 1000000
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = s.Normal()
	}
	checkMoments(t, "Normal", xs, 0, 1, 0)
	// 200 equiprobable bins of the standard normal, then KS on all draws.
	const bins = 200
	obs, exp := make([]float64, bins), make([]float64, bins)
	cdf := distuv.UnitNormal.CDF
	for _, x := range xs {
		b := int(cdf(x) * bins)
		obs[min(b, bins-1)]++
	}
	for b := range exp {
		exp[b] = n / bins
	}
	checkChiSquare(t, "Normal (equiprobable bins)", obs, exp)
	// The tail beyond the ziggurat's base layer (|x| > r) is sampled separately.
	tail := 0.0
	for _, x := range xs {
		if math.Abs(x) > zigR {
			tail++
		}
	}
	pTail := 2 * distuv.UnitNormal.Survival(zigR)
	if se := math.Sqrt(n * pTail); math.Abs(tail-n*pTail) > 5*se {
		t.Errorf("Normal: %v draws beyond |x| > r = %v, want %.1f ± %.1f", tail, zigR, n*pTail, 5*se)
	}
	checkKS(t, "Normal", xs, cdf)
	// The tail sampler alone: the normal conditioned on x > r.
	tx := make([]float64, 100000)
	for i := range tx {
		tx[i] = s.normalTail()
	}
	sr := distuv.UnitNormal.Survival(zigR)
	checkKS(t, "normal tail", tx, func(x float64) float64 { return 1 - distuv.UnitNormal.Survival(x)/sr })
}

// The ziggurat's layers partition (0, r] into the intervals [x_{i+1}, x_i]; a fault in
// the wedge tests would misplace mass within them, mostly towards their outer ends.
// Bins: the inner and outer half of every interval (and the tail beyond r), for |x|.
func TestNormalLayers(t *testing.T) {
	edges := []float64{0}
	for i := zigLayers - 1; i >= 1; i-- { // x_256 = 0 < x_255 < ... < x_1 = r
		edges = append(edges, (zigX[i+1]+zigX[i])/2, zigX[i])
	}
	edges = append(edges, math.Inf(1))
	const n = 2000000
	obs := make([]float64, len(edges)-1)
	s := testStream(45)
	for i := 0; i < n; i++ {
		x := math.Abs(s.Normal())
		j, _ := slices.BinarySearch(edges, x) // edges[j-1] < x <= edges[j]
		obs[max(j-1, 0)]++
	}
	exp := make([]float64, len(obs))
	for j := range exp {
		exp[j] = n * 2 * (distuv.UnitNormal.CDF(edges[j+1]) - distuv.UnitNormal.CDF(edges[j]))
	}
	checkChiSquare(t, "Normal by ziggurat half-layers", obs, exp)
}

func TestZigguratTables(t *testing.T) {
	// The recursion must close: the top layer [0, x_255] x [f(x_255), 1] has area v too.
	top := zigX[zigLayers-1] * (1 - zigF[zigLayers-1])
	if rel := math.Abs(top-zigV) / zigV; rel > 1e-9 {
		t.Errorf("top layer area %.15g differs from v = %.15g by %.3g (relative)", top, zigV, rel)
	}
	for i := 0; i < zigLayers; i++ {
		if !(zigX[i] > zigX[i+1]) || zigF[i+1] < zigF[i] {
			t.Fatalf("tables not monotone at %d", i)
		}
		if i >= 1 && i < zigLayers-1 {
			if a := zigX[i] * (zigF[i+1] - zigF[i]); math.Abs(a-zigV) > 1e-12 {
				t.Errorf("layer %d area %.15g, want %.15g", i, a, zigV)
			}
		}
	}
}

func TestNormalMS(t *testing.T) {
	for i, tc := range []struct{ mean, std float64 }{{0, 1}, {-65, 5}, {1e3, 0.01}} {
		s := testStream(50 + uint64(i))
		xs := make([]float64, 100000)
		for j := range xs {
			xs[j] = s.NormalMS(tc.mean, tc.std)
		}
		name := fmt.Sprintf("NormalMS(%v,%v)", tc.mean, tc.std)
		checkMoments(t, name, xs, tc.mean, tc.std*tc.std, 0)
		checkKS(t, name, xs, distuv.Normal{Mu: tc.mean, Sigma: tc.std}.CDF)
	}
}

func TestLogNormal(t *testing.T) {
	for i, tc := range []struct{ mu, sigma float64 }{{0, 1}, {1, 0.25}, {-2, 0.5}} {
		s := testStream(60 + uint64(i))
		xs := make([]float64, 100000)
		logs := make([]float64, len(xs))
		for j := range xs {
			xs[j] = s.LogNormal(tc.mu, tc.sigma)
			if !(xs[j] > 0) {
				t.Fatalf("LogNormal = %v", xs[j])
			}
			logs[j] = math.Log(xs[j])
		}
		name := fmt.Sprintf("LogNormal(%v,%v)", tc.mu, tc.sigma)
		checkMoments(t, name+" log", logs, tc.mu, tc.sigma*tc.sigma, 0)
		checkKS(t, name, xs, distuv.LogNormal{Mu: tc.mu, Sigma: tc.sigma}.CDF)
	}
}

func TestExponential(t *testing.T) {
	for i, beta := range []float64{1, 0.1, 20} {
		s := testStream(70 + uint64(i))
		xs := make([]float64, 200000)
		for j := range xs {
			xs[j] = s.Exponential(beta)
			if !(xs[j] >= 0) || math.IsInf(xs[j], 0) {
				t.Fatalf("Exponential(%v) = %v", beta, xs[j])
			}
		}
		name := fmt.Sprintf("Exponential(%v)", beta)
		checkMoments(t, name, xs, beta, beta*beta, 6)
		checkKS(t, name, xs, distuv.Exponential{Rate: 1 / beta}.CDF)
	}
}

func TestBinomial(t *testing.T) {
	tests := []struct {
		n     int64
		p     float64
		draws int
		chi2  bool // chi-square against the pmf (gonum's distuv.Binomial)
	}{
		{20, 0.3, 200000, true},    // inversion (np = 6)
		{20, 0.7, 100000, true},    // mirrored inversion
		{1, 0.5, 100000, true},     // Bernoulli
		{40, 0.25, 100000, true},   // np = 10: BTRS at its threshold
		{20, 0.5, 100000, true},    // BTRS with small n (proposals beyond n rejected)
		{100, 0.9, 100000, true},   // mirrored BTRS (nq = 10)
		{1000, 0.3, 200000, true},  // BTRS
		{5000, 0.5, 100000, true},  // BTRS, p = 1/2
		{1e9, 1e-9, 100000, false}, // inversion with huge n (np = 1)
		{1e9, 3e-8, 100000, false}, // huge n, np = 30: BTRS
		{1 << 50, 0.25, 50000, false},
		{1 << 40, 1e-6, 50000, false},
	}
	for i, tc := range tests {
		name := fmt.Sprintf("Binomial(%d,%v)", tc.n, tc.p)
		t.Run(name, func(t *testing.T) {
			s := testStream(80 + uint64(i))
			xs := make([]int64, tc.draws)
			for j := range xs {
				k := s.Binomial(tc.n, tc.p)
				if k < 0 || k > tc.n {
					t.Fatalf("sample %d out of [0, %d]", k, tc.n)
				}
				xs[j] = k
			}
			nf, q := float64(tc.n), 1-tc.p
			v := nf * tc.p * q
			checkMoments(t, name, toFloat(xs), nf*tc.p, v, (1-6*tc.p*q)/v)
			if tc.chi2 {
				d := distuv.Binomial{N: nf, P: tc.p}
				checkDiscrete(t, name, xs, func(k int64) float64 { return d.Prob(float64(k)) })
			}
		})
	}
	t.Run("degenerate", func(t *testing.T) {
		s := testStream(99)
		for _, c := range []struct {
			n    int64
			p    float64
			want int64
		}{{0, 0.5, 0}, {10, 0, 0}, {10, 1, 10}, {1 << 62, 1, 1 << 62}} {
			if got := s.Binomial(c.n, c.p); got != c.want {
				t.Errorf("Binomial(%d, %v) = %d, want %d", c.n, c.p, got, c.want)
			}
		}
	})
	t.Run("panics", func(t *testing.T) {
		for _, c := range []struct {
			n int64
			p float64
		}{{-1, 0.5}, {10, -0.1}, {10, 1.5}, {10, math.NaN()}} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("Binomial(%d, %v) did not panic", c.n, c.p)
					}
				}()
				testStream(0).Binomial(c.n, c.p)
			}()
		}
	})
}

func TestPoisson(t *testing.T) {
	tests := []struct {
		lambda float64
		draws  int
		chi2   bool
	}{
		{0, 1000, false},
		{0.08, 400000, true}, // poisson_generator at 800 Hz, h = 0.1 ms
		{1, 200000, true},
		{5, 200000, true},
		{9.9, 200000, true}, // largest table
		{10, 200000, true},  // smallest PTRS
		{10.1, 200000, true},
		{30, 200000, true},
		{1000, 200000, true},
		{1e6, 50000, false},
		{1e12, 50000, false},
		{1e17, 20000, false},
	}
	for i, tc := range tests {
		name := fmt.Sprintf("Poisson(%v)", tc.lambda)
		t.Run(name, func(t *testing.T) {
			s := testStream(100 + uint64(i))
			p := NewPoisson(tc.lambda)
			if p.Mean() != tc.lambda {
				t.Errorf("Mean() = %v", p.Mean())
			}
			xs := make([]int64, tc.draws)
			for j := range xs {
				xs[j] = p.Sample(s)
				if xs[j] < 0 {
					t.Fatalf("negative sample %d", xs[j])
				}
			}
			if tc.lambda == 0 {
				for _, x := range xs {
					if x != 0 {
						t.Fatalf("Poisson(0) sampled %d", x)
					}
				}
				return
			}
			checkMoments(t, name, toFloat(xs), tc.lambda, tc.lambda, 1/tc.lambda)
			if tc.chi2 {
				d := distuv.Poisson{Lambda: tc.lambda}
				checkDiscrete(t, name, xs, func(k int64) float64 { return d.Prob(float64(k)) })
			}
		})
	}
	t.Run("zero value", func(t *testing.T) {
		var p Poisson
		s := testStream(0)
		before := s.State()
		if p.Sample(s) != 0 || s.State() != before {
			t.Error("zero Poisson did not return 0 without drawing")
		}
	})
	t.Run("panics", func(t *testing.T) {
		for _, l := range []float64{-1, math.NaN(), math.Inf(1), 2 * MaxPoissonMean} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("NewPoisson(%v) did not panic", l)
					}
				}()
				NewPoisson(l)
			}()
		}
	})
}

// The small-lambda table must hold the cumulative distribution.
func TestPoissonTable(t *testing.T) {
	for _, lambda := range []float64{1e-9, 0.08, 1, 5, 9.99} {
		cdf := poissonTable(lambda)
		d := distuv.Poisson{Lambda: lambda}
		for k, c := range cdf {
			if want := d.CDF(float64(k)); math.Abs(c-want) > 1e-14 {
				t.Errorf("lambda %v: cdf[%d] = %.17g, want %.17g", lambda, k, c, want)
			}
		}
		last := cdf[len(cdf)-1]
		if 1-last > 1e-14 {
			t.Errorf("lambda %v: table ends at %.17g", lambda, last)
		}
	}
}

// The integer, branch-free inversion must give the variate of the definition, the smallest k
// with u < F(k) for u = Float64() (redrawing u beyond the table), draw for draw.
func TestPoissonInversionIsSequentialSearch(t *testing.T) {
	for _, lambda := range []float64{1e-9, 0.08, 0.5, 1, 2, 3.7, 5, 9.99} {
		p := NewPoisson(lambda)
		cdf := poissonTable(lambda)
		a, b := NewStream(7, KindVP, 3), NewStream(7, KindVP, 3)
		for i := 0; i < 200000; i++ {
			got, want := p.Sample(&a), sequentialPoisson(cdf, &b)
			if got != want {
				t.Fatalf("lambda %v, draw %d: got %d, want %d", lambda, i, got, want)
			}
		}
	}
	// Uniforms just below, at and above each threshold, and in the tail beyond the head.
	p := NewPoisson(2)
	cdf := poissonTable(2)
	for k, c := range cdf {
		m := uint64(math.Ceil(c * 0x1p53))
		for _, mm := range []uint64{m - 1, m, m + 1} {
			if mm >= 1<<53 {
				continue
			}
			want := int64(-1)
			for j, cj := range cdf {
				if float64(mm)*0x1p-53 < cj {
					want = int64(j)
					break
				}
			}
			s := streamYielding(t, mm<<11)
			if want >= 0 {
				if got := p.invert(&s); got != want {
					t.Errorf("threshold %d: m = %d gives %d, want %d", k, mm, got, want)
				}
			}
		}
	}
}

// sequentialPoisson is the definition of table inversion on float64 uniforms.
func sequentialPoisson(cdf []float64, s *Stream) int64 {
	for {
		u := s.Float64()
		for k, c := range cdf {
			if u < c {
				return int64(k)
			}
		}
	}
}

// streamYielding returns a stream whose next Uint64 is x: xoshiro256**'s output is
// rotl(S1*5, 7)*9, which is inverted for S1 (9 and 5 are odd, so invertible modulo 2^64).
func streamYielding(t *testing.T, x uint64) Stream {
	t.Helper()
	s1 := bits.RotateLeft64(x*inverse64(9), -7) * inverse64(5)
	st := Stream{S: [4]uint64{1, s1, 2, 3}}
	probe := st
	if got := probe.Uint64(); got != x {
		t.Fatalf("streamYielding(%#x) yields %#x", x, got)
	}
	return st
}

// inverse64 is the multiplicative inverse of odd a modulo 2^64 (Newton's iteration).
func inverse64(a uint64) uint64 {
	x := a
	for i := 0; i < 6; i++ {
		x *= 2 - a*x
	}
	return x
}

func TestLogPMF(t *testing.T) {
	for _, lambda := range []float64{0.5, 3, 10, 47.5, 1000, 123456.7} {
		d := distuv.Poisson{Lambda: lambda}
		for _, k := range []float64{0, 1, 2, 5, 15, 16, 17, 40, math.Floor(lambda), math.Floor(lambda + 3*math.Sqrt(lambda))} {
			got, want := poissonLogPMF(k, lambda), d.LogProb(k)
			if math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Errorf("poissonLogPMF(%v, %v) = %.15g, want %.15g", k, lambda, got, want)
			}
		}
	}
	for _, c := range []struct{ n, p float64 }{{20, 0.3}, {100, 0.5}, {1000, 0.01}, {1e6, 0.3}} {
		d := distuv.Binomial{N: c.n, P: c.p}
		for _, k := range []float64{0, 1, 3, 17, math.Floor(c.n * c.p), c.n - 1, c.n} {
			got, want := binomialLogPMF(k, c.n, c.p, 1-c.p), d.LogProb(k)
			if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("binomialLogPMF(%v; %v, %v) = %.15g, want %.15g", k, c.n, c.p, got, want)
			}
		}
	}
	// Stirling's error term: the table and the series agree where they meet.
	for n := 1.0; n < 40; n++ {
		lg, _ := math.Lgamma(n + 1)
		want := lg - (n+0.5)*math.Log(n) + n - 0.5*ln2Pi
		if math.Abs(stirlerr(n)-want) > 1e-13 {
			t.Errorf("stirlerr(%v) = %.17g, want %.17g", n, stirlerr(n), want)
		}
	}
}

// Fill gives the variates of as many Sample calls, and leaves the stream where they leave it.
func TestPoissonFillIsSample(t *testing.T) {
	for _, lambda := range []float64{0, 1e-9, 0.08, 2, 9.99, 10, 1000} {
		p := NewPoisson(lambda)
		a, b := NewStream(11, KindVP, 5), NewStream(11, KindVP, 5)
		out := make([]float64, 5000)
		for round := 0; round < 20; round++ {
			p.Fill(&a, out)
			for i, got := range out {
				if want := float64(p.Sample(&b)); got != want {
					t.Fatalf("lambda %v, round %d, draw %d: Fill %v, Sample %v", lambda, round, i, got, want)
				}
			}
			if a != b {
				t.Fatalf("lambda %v: streams differ after round %d", lambda, round)
			}
		}
	}
}
