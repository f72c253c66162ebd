package vp

import (
	"runtime"
	"testing"
	"time"
)

var sinkU uint64
var sinkF float64
var sinkI int64

func BenchmarkUint64(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	var x uint64
	for b.Loop() {
		x += s.Uint64()
	}
	sinkU = x
}

func BenchmarkFloat64(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	var x float64
	for b.Loop() {
		x += s.Float64()
	}
	sinkF = x
}

func BenchmarkUniformInt(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	var x uint64
	for b.Loop() {
		x += s.UniformInt(1000)
	}
	sinkU = x
}

func BenchmarkNormal(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	var x float64
	for b.Loop() {
		x += s.Normal()
	}
	sinkF = x
}

func BenchmarkExponential(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	var x float64
	for b.Loop() {
		x += s.Exponential(1)
	}
	sinkF = x
}

func benchmarkPoisson(b *testing.B, lambda float64) {
	s := NewStream(1, KindVP, 0)
	p := NewPoisson(lambda)
	var x int64
	for b.Loop() {
		x += p.Sample(&s)
	}
	sinkI = x
}

// lambda = 0.08: a poisson_generator at 800 Hz with h = 0.1 ms.
func BenchmarkPoissonSmall(b *testing.B) { benchmarkPoisson(b, 0.08) }

func BenchmarkPoissonMedium(b *testing.B) { benchmarkPoisson(b, 5) }

func BenchmarkPoissonLarge(b *testing.B) { benchmarkPoisson(b, 1000) }

func BenchmarkBinomialSmall(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	var x int64
	for b.Loop() {
		x += s.Binomial(20, 0.3)
	}
	sinkI = x
}

func BenchmarkBinomialLarge(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	var x int64
	for b.Loop() {
		x += s.Binomial(1000000, 0.3)
	}
	sinkI = x
}

func BenchmarkNewStream(b *testing.B) {
	var s Stream
	i := uint64(0)
	for b.Loop() {
		s = NewStream(1, KindVP, i)
		i++
	}
	sinkU = s.S[0]
}

func nop(int) {}

// The overhead of one Run with 2 threads doing nothing.
func BenchmarkPoolRun(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	f := nop
	for b.Loop() {
		if err := p.Run(f); err != nil {
			b.Fatal(err)
		}
	}
}

var workSink [64]float64

// work is about 20 µs of arithmetic.
func work(th int) {
	x := 1.0
	for i := 0; i < 8000; i++ {
		x = x*1.0000001 + 1e-9
	}
	workSink[th*8%64] = x
}

// Two threads doing ~20 µs each: ideally one Run takes as long as work(0) alone
// (reported as serial-ns/op).
func BenchmarkPoolRunWork(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	f := work
	start := time.Now()
	const reps = 200
	for i := 0; i < reps; i++ {
		work(0)
	}
	serial := time.Since(start) / reps
	for b.Loop() {
		if err := p.Run(f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(serial.Nanoseconds()), "serial-ns/op")
}

func BenchmarkPoolRunMaxProcs(b *testing.B) {
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	for b.Loop() {
		if err := p.Run(nop); err != nil {
			b.Fatal(err)
		}
	}
}

// The hot paths must not allocate.
func TestZeroAllocs(t *testing.T) {
	s := NewStream(1, KindVP, 0)
	small, large := NewPoisson(0.08), NewPoisson(1000)
	pool := NewPool(2)
	defer pool.Close()
	counts := make([]int, 2)
	f := func(th int) { counts[th]++ }
	cases := []struct {
		name string
		f    func()
	}{
		{"Uint64", func() { sinkU = s.Uint64() }},
		{"Float64", func() { sinkF = s.Float64() }},
		{"Uniform", func() { sinkF = s.Uniform(-1, 1) }},
		{"UniformInt", func() { sinkU = s.UniformInt(3 << 62) }},
		{"Normal", func() { sinkF = s.Normal() }},
		{"LogNormal", func() { sinkF = s.LogNormal(0, 1) }},
		{"Exponential", func() { sinkF = s.Exponential(1) }},
		{"Binomial small", func() { sinkI = s.Binomial(20, 0.3) }},
		{"Binomial large", func() { sinkI = s.Binomial(1e6, 0.3) }},
		{"Poisson small", func() { sinkI = small.Sample(&s) }},
		{"Poisson large", func() { sinkI = large.Sample(&s) }},
		{"NewStream", func() { s2 := NewStream(1, KindVP, 5); sinkU = s2.S[0] }},
		{"Pool.Run", func() {
			if err := pool.Run(f); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		if a := testing.AllocsPerRun(1000, c.f); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
}

func BenchmarkPoissonBrunel(b *testing.B) { benchmarkPoisson(b, 2) }

func BenchmarkPoissonBrunelSequential(b *testing.B) {
	cdf := poissonTable(2)
	s := NewStream(1, KindVP, 0)
	var sum int64
	for i := 0; i < b.N; i++ {
		sum += sequentialPoisson(cdf, &s)
	}
	sinkI = sum
}

// BenchmarkPoissonFillBrunel draws in bulk at mean 2 (a generator's targets in one step).
func BenchmarkPoissonFillBrunel(b *testing.B) {
	s := NewStream(1, KindVP, 0)
	p := NewPoisson(2)
	out := make([]float64, 1000)
	for b.Loop() {
		p.Fill(&s, out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out)), "ns/draw")
}
