package vp

import (
	"math"
	"math/bits"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// alpha is the significance level of the statistical tests. The seeds are fixed, so a
// test either always passes or always fails; a small alpha keeps a correct sampler from
// failing by bad luck of the chosen seed while the sample sizes keep the tests powerful.
const alpha = 1e-4

const testSeed = 143202461 // NEST's default rng_seed

// testStream returns a VP stream for a statistical test; each test uses its own index.
func testStream(index uint64) *Stream {
	s := NewStream(testSeed, KindVP, 1000+index)
	return &s
}

// ksPValue returns the one-sample Kolmogorov-Smirnov statistic of xs against cdf and
// its asymptotic p-value (Kolmogorov distribution with Stephens' small-sample
// correction). xs is sorted in place.
func ksPValue(xs []float64, cdf func(float64) float64) (d, p float64) {
	slices.Sort(xs)
	n := float64(len(xs))
	for i, x := range xs {
		f := cdf(x)
		d = math.Max(d, math.Max(float64(i+1)/n-f, f-float64(i)/n))
	}
	sn := math.Sqrt(n)
	lam := (sn + 0.12 + 0.11/sn) * d
	sum := 0.0
	for k := 1; k <= 100; k++ {
		term := math.Exp(-2 * float64(k*k) * lam * lam)
		if k%2 == 0 {
			sum -= term
		} else {
			sum += term
		}
		if term < 1e-18 {
			break
		}
	}
	return d, math.Min(1, math.Max(0, 2*sum))
}

// checkKS fails t unless xs pass the KS test against cdf.
func checkKS(t *testing.T, name string, xs []float64, cdf func(float64) float64) {
	t.Helper()
	d, p := ksPValue(xs, cdf)
	t.Logf("%s: KS D=%.3g n=%d p=%.3g", name, d, len(xs), p)
	if p < alpha {
		t.Errorf("%s: KS test rejects: D=%.3g, n=%d, p=%.3g", name, d, len(xs), p)
	}
}

// chiSquarePValue returns Pearson's statistic and its p-value for observed against
// expected counts (len-1-ddof degrees of freedom).
func chiSquarePValue(obs, exp []float64) (x2, p float64) {
	x2 = stat.ChiSquare(obs, exp)
	return x2, distuv.ChiSquared{K: float64(len(obs) - 1)}.Survival(x2)
}

// checkChiSquare fails t unless the counts pass the chi-square test.
func checkChiSquare(t *testing.T, name string, obs, exp []float64) {
	t.Helper()
	x2, p := chiSquarePValue(obs, exp)
	t.Logf("%s: X2=%.4g df=%d p=%.3g", name, x2, len(obs)-1, p)
	if p < alpha {
		t.Errorf("%s: chi-square test rejects: X2=%.4g, df=%d, p=%.3g", name, x2, len(obs)-1, p)
	}
}

// checkDiscrete tests integer samples against a pmf by a chi-square test over bins
// k = 0, 1, ..., merged from the left until each expects at least 5 counts; the upper
// tail beyond the largest sample goes into the last bin.
func checkDiscrete(t *testing.T, name string, xs []int64, pmf func(k int64) float64) {
	t.Helper()
	n := float64(len(xs))
	counts := map[int64]float64{}
	var maxK int64
	for _, x := range xs {
		if x < 0 {
			t.Fatalf("%s: negative sample %d", name, x)
		}
		counts[x]++
		maxK = max(maxK, x)
	}
	var obs, exp []float64
	var o, e, cum float64
	for k := int64(0); k <= maxK; k++ {
		pk := pmf(k)
		cum += pk
		o += counts[k]
		e += n * pk
		if e >= 5 && n*(1-cum) >= 5 {
			obs, exp = append(obs, o), append(exp, e)
			o, e = 0, 0
		}
	}
	// Everything left, with the whole upper tail beyond the largest sample, is the last bin.
	e += n * math.Max(0, 1-cum)
	if len(obs) == 0 || e >= 5 {
		obs, exp = append(obs, o), append(exp, e)
	} else {
		obs[len(obs)-1] += o
		exp[len(exp)-1] += e
	}
	if len(obs) < 2 {
		t.Fatalf("%s: too few bins for a chi-square test", name)
	}
	checkChiSquare(t, name, obs, exp)
}

// checkMoments fails t unless the sample mean and variance of xs agree with the true
// mean and variance within 5 standard errors; exKurt is the excess kurtosis of the
// distribution, which sets the standard error of the sample variance.
func checkMoments(t *testing.T, name string, xs []float64, mean, variance, exKurt float64) {
	t.Helper()
	n := float64(len(xs))
	m, v := stat.MeanVariance(xs, nil)
	if se := math.Sqrt(variance / n); math.Abs(m-mean) > 5*se {
		t.Errorf("%s: mean %.6g, want %.6g (±%.3g)", name, m, mean, 5*se)
	}
	if se := variance * math.Sqrt(2/(n-1)+exKurt/n); math.Abs(v-variance) > 5*se {
		t.Errorf("%s: variance %.6g, want %.6g (±%.3g)", name, v, variance, 5*se)
	}
}

func toFloat(xs []int64) []float64 {
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return f
}

func mulFull(a, b uint64) (hi, lo uint64) { return bits.Mul64(a, b) }

func divFull(hi, lo, c uint64) (q, r uint64) { return bits.Div64(hi, lo, c) }
