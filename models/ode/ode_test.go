package ode

import (
	"errors"
	"math"
	"testing"
)

// linear returns the right-hand side dy/dt = A·y for a dim×dim matrix A (row major).
func linear(a []float64, dim int) Func {
	return func(_ int, y, dydt []float64) {
		for r := range dim {
			s := 0.0
			for c := range dim {
				s += a[r*dim+c] * y[c]
			}
			dydt[r] = s
		}
	}
}

// TestClosedForms integrates linear systems with known solutions over many NEST-like steps of
// 0.1 and compares the result with the closed form.
func TestClosedForms(t *testing.T) {
	cases := []struct {
		name  string
		a, y0 []float64
		ctl   Control
		T     float64
		exact func(t float64) []float64
		tol   float64
	}{
		{"decay", []float64{-0.5}, []float64{2}, Y(1e-9, 0), 10,
			func(t float64) []float64 { return []float64{2 * math.Exp(-0.5*t)} }, 1e-8},
		{"decay yp", []float64{-0.5}, []float64{2}, YP(1e-9, 1e-9), 10,
			func(t float64) []float64 { return []float64{2 * math.Exp(-0.5*t)} }, 1e-8},
		{"oscillator", []float64{0, 1, -4, 0}, []float64{1, 0}, Y(1e-10, 0), 20,
			func(t float64) []float64 { return []float64{math.Cos(2 * t), -2 * math.Sin(2*t)} }, 1e-8},
		{"stiff-ish", []float64{-1, 0, 0, -200}, []float64{1, 1}, Y(1e-8, 1e-8), 5,
			func(t float64) []float64 { return []float64{math.Exp(-t), math.Exp(-200 * t)} }, 1e-7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dim := len(c.y0)
			s := New(dim)
			f := linear(c.a, dim)
			y := append([]float64(nil), c.y0...)
			h := 0.1
			steps := int(math.Round(c.T / 0.1))
			for range steps {
				if err := s.Advance(f, c.ctl, 0, y, 0.1, &h); err != nil {
					t.Fatal(err)
				}
				if h <= 0 || h > 0.5+1e-15 {
					t.Fatalf("carried step %g outside (0, 5·0.1]", h)
				}
			}
			want := c.exact(float64(steps) * 0.1)
			for j := range y {
				if math.Abs(y[j]-want[j]) > c.tol {
					t.Errorf("y[%d] = %.15g, closed form %.15g", j, y[j], want[j])
				}
			}
		})
	}
}

// TestStepPolynomial: for dy/dt = λy one rkf45 step multiplies y by the fifth-order stability
// polynomial 1 + z + z²/2 + z³/6 + z⁴/24 + z⁵/120 + z⁶/2080, z = λh.
func TestStepPolynomial(t *testing.T) {
	for _, z := range []float64{-0.5, -0.1, 0.01, 0.3} {
		s := New(1)
		f := linear([]float64{z}, 1)
		y := []float64{1}
		f(0, y, s.dydtIn)
		s.step(f, 0, y, 1)
		want := 1 + z + z*z/2 + z*z*z/6 + z*z*z*z/24 + z*z*z*z*z/120 + z*z*z*z*z*z/2080
		if math.Abs(y[0]-want) > 1e-15 {
			t.Errorf("z = %g: %.17g, polynomial %.17g", z, y[0], want)
		}
	}
}

// TestControl checks the standard control rule on prescribed error estimates.
func TestControl(t *testing.T) {
	cases := []struct {
		name  string
		ctl   Control
		y, e  []float64
		yp    []float64
		h     float64
		wantH float64
		dec   bool
	}{
		{"increase capped at 5", Y(1e-3, 0), []float64{1}, []float64{0}, []float64{0}, 0.1, 0.5, false},
		{"increase", Y(1e-3, 0), []float64{1}, []float64{1e-4}, []float64{0}, 0.1, 0.9 / math.Pow(0.1, 1.0/6) * 0.1, false},
		{"keep", Y(1e-3, 0), []float64{1}, []float64{8e-4}, []float64{0}, 0.1, 0.1, false},
		{"decrease", Y(1e-3, 0), []float64{1}, []float64{2e-3}, []float64{0}, 0.1, 0.9 / math.Pow(2, 0.2) * 0.1, true},
		{"decrease floor 0.2", Y(1e-3, 0), []float64{1}, []float64{10}, []float64{0}, 0.1, 0.2 * 0.1, true},
		{"relative y", Y(0, 0.5), []float64{-4}, []float64{0.5}, []float64{0}, 0.1, 0.9 / math.Pow(0.25, 1.0/6) * 0.1, false},
		{"yp", YP(1e-3, 1e-3), []float64{7}, []float64{4e-3}, []float64{30}, 0.1, 0.1, false},
		{"NaN ignored", Y(1e-3, 0), []float64{1, 1}, []float64{math.NaN(), 8e-4}, []float64{0, 0}, 0.1, 0.1, false},
		{"max over components", Y(1e-3, 0), []float64{1, 1}, []float64{1e-6, 2e-3}, []float64{0, 0}, 0.1, 0.9 / math.Pow(2, 0.2) * 0.1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(len(c.y))
			copy(s.yerr, c.e)
			copy(s.dydtOut, c.yp)
			h, dec := s.adjust(c.ctl, c.y, c.h)
			if dec != c.dec || math.Abs(h-c.wantH) > 1e-15 {
				t.Errorf("h = %.17g dec = %v, want %.17g %v", h, dec, c.wantH, c.dec)
			}
		})
	}
}

// TestEvolveAdaptation: a too large initial step is rejected and shrunk; the final step is cut to
// t1 exactly; the carried step grows by at most 5 per accepted step.
func TestEvolveAdaptation(t *testing.T) {
	s := New(1)
	f := linear([]float64{-3}, 1)
	y := []float64{1}
	h, tt := 50.0, 0.0
	if err := s.Evolve(f, Y(1e-6, 0), 0, y, &tt, 1, &h); err != nil {
		t.Fatal(err)
	}
	if s.Rejected == 0 || tt >= 1 || h >= 1 {
		t.Fatalf("rejected %d, t %g, h %g: want rejections and a step below 1", s.Rejected, tt, h)
	}
	prev := h
	for tt < 1 {
		before := tt
		if err := s.Evolve(f, Y(1e-6, 0), 0, y, &tt, 1, &h); err != nil {
			t.Fatal(err)
		}
		if tt-before > prev*(1+1e-12) && tt != 1 {
			t.Fatalf("step %g longer than the carried %g", tt-before, prev)
		}
		if h > 5*(tt-before)*(1+1e-12) {
			t.Fatalf("suggested %g more than 5 × the step %g", h, tt-before)
		}
		prev = h
	}
	if tt != 1 {
		t.Fatalf("t = %.17g, want exactly 1", tt)
	}
	if math.Abs(y[0]-math.Exp(-3)) > 1e-5 {
		t.Errorf("y(1) = %.15g, want %.15g", y[0], math.Exp(-3))
	}
}

// TestCarry: the step size left by one Advance starts the next, and a block keeps one per neuron.
func TestCarry(t *testing.T) {
	f := func(i int, y, dydt []float64) { dydt[0] = -float64(i+1) * y[0] }
	s := New(1)
	ys := []float64{1, 1, 1}
	hs := []float64{0.1, 0.1, 0.1}
	for range 10 {
		if i, err := s.AdvanceBlock(f, Y(1e-3, 0), ys, hs, 0.1); err != nil {
			t.Fatalf("neuron %d: %v", i, err)
		}
	}
	for i := range ys {
		one := New(1)
		y, h := []float64{1}, 0.1
		for range 10 {
			if err := one.Advance(f, Y(1e-3, 0), i, y, 0.1, &h); err != nil {
				t.Fatal(err)
			}
		}
		if y[0] != ys[i] || h != hs[i] {
			t.Errorf("neuron %d: block (%v, %v), alone (%v, %v)", i, ys[i], hs[i], y[0], h)
		}
	}
}

// TestNotFinite: a state that blows up is reported, never returned silently.
func TestNotFinite(t *testing.T) {
	f := func(_ int, y, dydt []float64) { dydt[0] = y[0] * y[0] }
	s := New(1)
	y, h := []float64{1e300}, 0.1
	err := s.Advance(f, Y(1e-3, 0), 0, y, 0.1, &h)
	if !errors.Is(err, ErrNotFinite) && !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want ErrNotFinite or ErrStalled", err)
	}
}

func BenchmarkAdvance(b *testing.B) {
	f := linear([]float64{0, 1, -4, 0}, 2)
	s := New(2)
	y, h := []float64{1, 0}, 0.1
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Advance(f, Y(1e-3, 0), 0, y, 0.1, &h); err != nil {
			b.Fatal(err)
		}
	}
}
