package connect

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

func TestParseDistValid(t *testing.T) {
	tests := []struct {
		name string
		in   dict
		want string // Dist.String of the result
	}{
		{"normal", dict{"distribution": "normal", "mean": -65, "std": 5.0}, "normal(mean=-65, std=5)"},
		{"normal defaults", dict{"distribution": "normal"}, "normal(mean=0, std=1)"},
		{"uniform", dict{"distribution": "uniform", "min": 1, "max": 2.5}, "uniform(min=1, max=2.5)"},
		{"uniform defaults", dict{"distribution": "uniform"}, "uniform(min=0, max=1)"},
		{"uniform_int", dict{"distribution": "uniform_int", "max": 10}, "uniform_int(max=10)"},
		{"uniform_int default", dict{"distribution": "uniform_int"}, "uniform_int(max=1)"},
		{"lognormal", dict{"distribution": "lognormal", "mean": 0.5, "std": 0.25}, "lognormal(mean=0.5, std=0.25)"},
		{"exponential", dict{"distribution": "exponential", "beta": 3}, "exponential(beta=3)"},
		{"exponential default", dict{"distribution": "exponential"}, "exponential(beta=1)"},
		{"redraw both bounds", dict{"distribution": "normal", "mean": 1.0, "std": 2.0, "redraw": dict{"min": 0, "max": 3}},
			"redraw(normal(mean=1, std=2), min=0, max=3)"},
		{"redraw min only", dict{"distribution": "normal", "redraw": dict{"min": 0.5}}, "redraw(normal(mean=0, std=1), min=0.5, max=inf)"},
		{"redraw max only", dict{"distribution": "exponential", "redraw": dict{"max": 4}}, "redraw(exponential(beta=1), min=-inf, max=4)"},
		{"redraw empty", dict{"distribution": "uniform", "redraw": dict{}}, "redraw(uniform(min=0, max=1), min=-inf, max=inf)"},
		{"NEST 2 normal", dict{"distribution": "normal", "mu": 1, "sigma": 2}, "normal(mu=1, sigma=2)"},
		{"NEST 2 lognormal", dict{"distribution": "lognormal", "mu": 1, "sigma": 0.5}, "lognormal(mu=1, sigma=0.5)"},
		{"NEST 2 uniform", dict{"distribution": "uniform", "low": -1, "high": 1}, "uniform(low=-1, high=1)"},
		{"NEST 2 uniform_int", dict{"distribution": "uniform_int", "low": 3, "high": 7}, "uniform_int(low=3, high=7)"},
		{"NEST 2 exponential", dict{"distribution": "exponential", "lambda": 4}, "exponential(lambda=4)"},
		{"NEST 2 normal_clipped", dict{"distribution": "normal_clipped", "mu": 0, "sigma": 1, "low": -1, "high": 2},
			"redraw(normal(mu=0, sigma=1), min=-1, max=2)"},
		{"NEST 2 normal_clipped one bound", dict{"distribution": "normal_clipped", "mu": 0, "sigma": 1, "low": 0},
			"redraw(normal(mu=0, sigma=1), min=0, max=inf)"},
		{"NEST 2 exponential_clipped", dict{"distribution": "exponential_clipped", "lambda": 2, "high": 3},
			"redraw(exponential(lambda=2), min=-inf, max=3)"},
		{"NEST 2 to boundary", dict{"distribution": "lognormal_clipped_to_boundary", "mu": 0, "sigma": 1, "high": 5},
			"clip(lognormal(mu=0, sigma=1), min=-inf, max=5)"},
	}
	for _, tc := range tests {
		d, err := ParseDist(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := d.String(); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
		back, err := ParseDist(d.Dict())
		if err != nil || back != d {
			t.Errorf("%s: Dict round trip gave %v, %v (dict %v)", tc.name, back, err, d.Dict())
		}
	}
	// The constructors give the same distributions as the dictionaries.
	same := []struct {
		in   dict
		want Dist
	}{
		{dict{"distribution": "normal", "mean": 2, "std": 3}, Normal(2, 3)},
		{dict{"distribution": "uniform", "min": -1, "max": 1}, Uniform(-1, 1)},
		{dict{"distribution": "uniform_int", "max": 6}, UniformInt(6)},
		{dict{"distribution": "lognormal", "mean": 1, "std": 0.3}, LogNormal(1, 0.3)},
		{dict{"distribution": "exponential", "beta": 0.5}, Exponential(0.5)},
		{dict{"distribution": "normal", "redraw": dict{"min": -1, "max": 1}}, Normal(0, 1).Redraw(-1, 1)},
	}
	for _, tc := range same {
		if d, err := ParseDist(tc.in); err != nil || d != tc.want {
			t.Errorf("ParseDist(%v) = %v, %v; want %v", tc.in, d, err, tc.want)
		}
	}
}

func TestParseDistErrors(t *testing.T) {
	tests := []struct {
		name string
		in   dict
		kind status.Kind
		frag []string
	}{
		{"no distribution key", dict{"mean": 1}, status.BadProperty, []string{"distribution", "normal", "uniform_int"}},
		{"distribution not a string", dict{"distribution": 1}, status.TypeMismatch, []string{"distribution"}},
		{"unknown distribution", dict{"distribution": "gamma"}, status.BadProperty, []string{"gamma", "lognormal", "exponential"}},
		{"no clipped uniform", dict{"distribution": "uniform_clipped"}, status.BadProperty, []string{"uniform_clipped"}},
		{"std zero", dict{"distribution": "normal", "std": 0}, status.BadProperty, []string{"normal", "std > 0"}},
		{"sigma negative", dict{"distribution": "lognormal", "sigma": -1}, status.BadProperty, []string{"lognormal", "sigma > 0"}},
		{"mean infinite", dict{"distribution": "normal", "mean": math.Inf(1)}, status.BadProperty, []string{"mean"}},
		{"uniform min >= max", dict{"distribution": "uniform", "min": 2, "max": 2}, status.BadProperty, []string{"uniform", "min < max"}},
		{"uniform low >= high", dict{"distribution": "uniform", "low": 3, "high": 2}, status.BadProperty, []string{"low < high"}},
		{"uniform_int max 0", dict{"distribution": "uniform_int", "max": 0}, status.BadProperty, []string{"uniform_int", "max > 0"}},
		{"uniform_int max float", dict{"distribution": "uniform_int", "max": 2.5}, status.TypeMismatch, []string{"max", "integer"}},
		{"uniform_int low > high", dict{"distribution": "uniform_int", "low": 5, "high": 4}, status.BadProperty, []string{"low <= high"}},
		{"exponential beta 0", dict{"distribution": "exponential", "beta": 0}, status.BadProperty, []string{"beta > 0"}},
		{"exponential lambda negative", dict{"distribution": "exponential", "lambda": -2}, status.BadProperty, []string{"lambda > 0"}},
		{"std not a number", dict{"distribution": "normal", "std": "big"}, status.TypeMismatch, []string{"std"}},
		{"mean and mu", dict{"distribution": "normal", "mean": 1, "mu": 1}, status.BadProperty, []string{"mean", "mu"}},
		{"min and low", dict{"distribution": "uniform", "min": 0, "high": 1}, status.BadProperty, []string{"min/max", "low/high"}},
		{"max and low", dict{"distribution": "uniform_int", "max": 3, "low": 1}, status.BadProperty, []string{"max", "low/high"}},
		{"beta and lambda", dict{"distribution": "exponential", "beta": 1, "lambda": 1}, status.BadProperty, []string{"beta", "lambda"}},
		{"unknown key", dict{"distribution": "normal", "mean": 0, "sd": 1}, status.UnaccessedDictionaryEntry, []string{"sd", "mean and std"}},
		{"NEST 3 name with NEST 2 bounds", dict{"distribution": "normal", "low": 0}, status.UnaccessedDictionaryEntry, []string{"low"}},
		{"redraw not a dict", dict{"distribution": "normal", "redraw": []any{0, 1}}, status.TypeMismatch, []string{"redraw", "min"}},
		{"redraw unknown key", dict{"distribution": "normal", "redraw": dict{"lo": 0}}, status.UnaccessedDictionaryEntry, []string{"lo", "min and max"}},
		{"redraw min > max", dict{"distribution": "normal", "redraw": dict{"min": 1, "max": 0}}, status.BadParameter, []string{"min <= max"}},
		{"redraw NaN", dict{"distribution": "normal", "redraw": dict{"min": math.NaN()}}, status.BadProperty, []string{"min"}},
		{"mean inf", dict{"distribution": "normal", "mean": math.Inf(1)}, status.BadProperty, []string{"mean must be a finite number"}},
		{"redraw bound not a number", dict{"distribution": "normal", "redraw": dict{"min": "low"}}, status.TypeMismatch, []string{"min"}},
		{"redraw impossible uniform", dict{"distribution": "uniform", "redraw": dict{"min": 2, "max": 3}}, status.BadParameter, []string{"uniform(min=0, max=1)", "never end"}},
		{"redraw impossible exponential", dict{"distribution": "exponential", "redraw": dict{"max": -1}}, status.BadParameter, []string{"exponential"}},
		{"redraw impossible lognormal", dict{"distribution": "lognormal", "redraw": dict{"max": 0}}, status.BadParameter, []string{"lognormal"}},
		{"redraw between integers", dict{"distribution": "uniform_int", "max": 5, "redraw": dict{"min": 1.2, "max": 1.8}}, status.BadParameter, []string{"uniform_int"}},
		{"redraw point of a continuous", dict{"distribution": "normal", "redraw": dict{"min": 1, "max": 1}}, status.BadParameter, []string{"normal"}},
		{"redraw beyond float range", dict{"distribution": "normal", "redraw": dict{"min": 40, "max": 50}}, status.BadParameter, []string{"normal"}},
		{"clipped with redraw", dict{"distribution": "normal_clipped", "low": 0, "redraw": dict{"min": 0}}, status.BadProperty, []string{"low and high"}},
		{"clipped low > high", dict{"distribution": "normal_clipped_to_boundary", "low": 1, "high": 0}, status.BadParameter, []string{"min <= max"}},
	}
	for _, tc := range tests {
		_, err := ParseDist(tc.in)
		wantErr(t, tc.name, err, tc.kind, tc.frag...)
	}
	wantErr(t, "zero Dist", Dist{}.Validate(), status.BadProperty, "no distribution")
}

// sample draws n values of d from a fixed stream.
func sample(d Dist, n int, index uint64) []float64 {
	s := vp.NewStream(12345, vp.KindVP, index)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = d.Draw(&s)
	}
	return xs
}

func TestDistMoments(t *testing.T) {
	const n = 200000
	tests := []struct {
		d         Dist
		mean, vr  float64
		cdf       func(float64) float64 // nil for discrete
		isInteger bool
	}{
		{Normal(-65, 5), -65, 25, distuv.Normal{Mu: -65, Sigma: 5}.CDF, false},
		{Uniform(-2, 6), 2, 64.0 / 12, distuv.Uniform{Min: -2, Max: 6}.CDF, false},
		{UniformInt(10), 4.5, 99.0 / 12, nil, true},
		{uniformIntRange(-3, 3), 0, 48.0 / 12, nil, true},
		{LogNormal(0.5, 0.5), math.Exp(0.5 + 0.125), (math.Exp(0.25) - 1) * math.Exp(1.25), distuv.LogNormal{Mu: 0.5, Sigma: 0.5}.CDF, false},
		{Exponential(2.5), 2.5, 6.25, distuv.Exponential{Rate: 0.4}.CDF, false},
	}
	for i, tc := range tests {
		xs := sample(tc.d, n, uint64(i))
		m, v := stat.MeanVariance(xs, nil)
		if se := math.Sqrt(tc.vr / n); math.Abs(m-tc.mean) > 5*se {
			t.Errorf("%v: mean %.5g, want %.5g +- %.2g", tc.d, m, tc.mean, 5*se)
		}
		if math.Abs(v/tc.vr-1) > 0.03 {
			t.Errorf("%v: variance %.5g, want %.5g (3%%)", tc.d, v, tc.vr)
		}
		if tc.cdf != nil {
			if p := ksCDF(xs[:20000], tc.cdf); p < 0.001 {
				t.Errorf("%v: KS test against the distribution function fails, p=%.3g", tc.d, p)
			}
		}
		if tc.isInteger != tc.d.IsInteger() {
			t.Errorf("%v: IsInteger %v", tc.d, tc.d.IsInteger())
		}
		if tc.isInteger {
			lo, hi := tc.d.a, tc.d.b
			for _, x := range xs {
				if x != math.Trunc(x) || x < lo || x > hi {
					t.Fatalf("%v: drew %v", tc.d, x)
				}
			}
		}
	}
}

// truncCDF returns the distribution function of a continuous distribution truncated to
// [l, h], computed on the side of the median where it is accurate.
func truncCDF(cdf, surv func(float64) float64, l, h float64) func(float64) float64 {
	if cdf(l) < 0.5 {
		fl, fh := cdf(l), cdf(h)
		return func(x float64) float64 { return (cdf(x) - fl) / (fh - fl) }
	}
	sl, sh := surv(l), surv(h)
	return func(x float64) float64 { return (sl - surv(x)) / (sl - sh) }
}

func TestRedraw(t *testing.T) {
	const n = 20000
	type cont = struct {
		name   string
		d      Dist
		direct bool
		cdf    func(float64) float64
	}
	nrm := func(mu, s float64) distuv.Normal { return distuv.Normal{Mu: mu, Sigma: s} }
	lgn := distuv.LogNormal{Mu: 0, Sigma: 0.5}
	exp2, exp1 := distuv.Exponential{Rate: 0.5}, distuv.Exponential{Rate: 1}
	uni := distuv.Uniform{Min: 0, Max: 10}
	tests := []cont{
		{"normal, redrawn", Normal(0, 1).Redraw(-1, 2), false, truncCDF(nrm(0, 1).CDF, nrm(0, 1).Survival, -1, 2)},
		{"normal, upper tail by inversion", Normal(5, 2).Redraw(9, 11), true, truncCDF(nrm(5, 2).CDF, nrm(5, 2).Survival, 9, 11)},
		{"normal, far upper tail", Normal(0, 1).Redraw(7, math.Inf(1)), true, truncCDF(nrm(0, 1).CDF, nrm(0, 1).Survival, 7, math.Inf(1))},
		{"normal, lower tail by inversion", Normal(0, 1).Redraw(-8, -6), true, truncCDF(nrm(0, 1).CDF, nrm(0, 1).Survival, -8, -6)},
		{"normal, narrow around 0", Normal(0, 1).Redraw(-0.01, 0.02), true, truncCDF(nrm(0, 1).CDF, nrm(0, 1).Survival, -0.01, 0.02)},
		{"lognormal, redrawn", LogNormal(0, 0.5).Redraw(0.5, 1.5), false, truncCDF(lgn.CDF, lgn.Survival, 0.5, 1.5)},
		{"lognormal, by inversion", LogNormal(0, 0.5).Redraw(3, 5), true, truncCDF(lgn.CDF, lgn.Survival, 3, 5)},
		{"lognormal, negative min", LogNormal(0, 0.5).Redraw(-1, 0.3), true, truncCDF(lgn.CDF, lgn.Survival, 0, 0.3)},
		{"exponential, redrawn", Exponential(2).Redraw(1, 3), false, truncCDF(exp2.CDF, exp2.Survival, 1, 3)},
		{"exponential, tail by inversion", Exponential(1).Redraw(10, math.Inf(1)), true, truncCDF(exp1.CDF, exp1.Survival, 10, math.Inf(1))},
		{"uniform, redrawn", Uniform(0, 10).Redraw(2.5, 3), false, truncCDF(uni.CDF, uni.Survival, 2.5, 3)},
		{"uniform, by inversion", Uniform(0, 10).Redraw(2, 2.1), true, truncCDF(uni.CDF, uni.Survival, 2, 2.1)},
	}
	for i, tc := range tests {
		if err := tc.d.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tc.d.direct != tc.direct {
			t.Errorf("%s: direct = %v, want %v (acceptance %.3g)", tc.name, tc.d.direct, tc.direct, tc.d.acceptance())
		}
		lo, hi := tc.d.Bounds()
		xs := sample(tc.d, n, uint64(100+i))
		for _, x := range xs {
			if !(x >= lo && x <= hi) {
				t.Fatalf("%s: drew %v outside [%v, %v]", tc.name, x, lo, hi)
			}
		}
		if p := ksCDF(xs, tc.cdf); p < 0.001 {
			t.Errorf("%s: KS test against the truncated distribution fails, p=%.3g", tc.name, p)
		}
	}

	// Discrete: uniform_int restricted to [2.5, 7] is uniform on 3..7, redrawn or inverted.
	for i, d := range []Dist{UniformInt(10).Redraw(2.5, 7), UniformInt(1000).Redraw(5, 10)} {
		lo, hi := 3.0, 7.0
		if i == 1 {
			lo, hi = 5, 10
		}
		if d.direct != (i == 1) {
			t.Errorf("%v: direct = %v", d, d.direct)
		}
		xs := sample(d, n, uint64(200+i))
		k := int(hi - lo + 1)
		obs, exp := make([]float64, k), make([]float64, k)
		for _, x := range xs {
			if x != math.Trunc(x) || x < lo || x > hi {
				t.Fatalf("%v: drew %v", d, x)
			}
			obs[int(x-lo)]++
		}
		for j := range exp {
			exp[j] = float64(n) / float64(k)
		}
		if _, p := chiSquare(obs, exp); p < 0.001 {
			t.Errorf("%v: not uniform on %v..%v, p=%.3g", d, lo, hi, p)
		}
	}
}

func TestClipToBoundary(t *testing.T) {
	d, err := ParseDist(dict{"distribution": "normal_clipped_to_boundary", "mu": 0, "sigma": 1, "low": -1, "high": 1})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000
	var atLow, atHigh float64
	for _, x := range sample(d, n, 7) {
		switch {
		case x == -1:
			atLow++
		case x == 1:
			atHigh++
		case x < -1 || x > 1:
			t.Fatalf("drew %v outside [-1, 1]", x)
		}
	}
	want := distuv.UnitNormal.CDF(-1)
	se := math.Sqrt(want * (1 - want) / n)
	if math.Abs(atLow/n-want) > 5*se || math.Abs(atHigh/n-want) > 5*se {
		t.Errorf("fractions at the bounds %.4f, %.4f; want %.4f", atLow/n, atHigh/n, want)
	}
}

func TestDistDrawInvalid(t *testing.T) {
	s := vp.NewStream(1, vp.KindVP, 0)
	if x := (&Dist{}).Draw(&s); !math.IsNaN(x) {
		t.Errorf("zero Dist drew %v, want NaN", x)
	}
	if Normal(0, 1).Name() != "normal" || (Dist{}).Name() != "" {
		t.Error("Name")
	}
	if lo, hi := Normal(0, 1).Bounds(); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Error("Bounds of an unbounded Dist")
	}
}
