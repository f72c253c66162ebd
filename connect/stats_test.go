package connect

import (
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Statistical tests in the manner of NEST's testsuite/pytests/connect/connect_test_base.py:
// per run (one seed, 4 VPs), a chi-square goodness-of-fit test of a degree distribution;
// then a Kolmogorov-Smirnov test that the runs' p-values are uniform. Seeds are fixed, so
// the tests are deterministic.

const (
	statRuns  = 100
	statVPs   = 4
	statAlpha = 0.01 // minimum KS p-value of the second level
)

// twoLevel runs the rule on fresh seeds, collects one chi-square p-value per run and
// population side from check, and KS-tests them.
func twoLevel(t *testing.T, name string, spec Spec, src, tgt []uint64, check func(conns []conn) map[string]float64) {
	t.Helper()
	pvals := map[string][]float64{}
	for run := range statRuns {
		res := buildAll(t, spec, src, tgt, roundRobin(statVPs), uint32(1000+run), nil)
		for side, p := range check(res.union()) {
			pvals[side] = append(pvals[side], p)
		}
	}
	for side, ps := range pvals {
		p := ksUniform(ps)
		t.Logf("%s, %s degrees: KS p-value of %d chi-square p-values: %.3g", name, side, len(ps), p)
		if p < statAlpha {
			t.Errorf("%s, %s: the chi-square p-values of %d runs are not uniform (KS p=%.3g)", name, side, statRuns, p)
		}
	}
}

// fixedCheck tests degrees that form a multinomial with equal cell probabilities.
func fixedCheck(deg []float64, total float64) float64 {
	exp := make([]float64, len(deg))
	for i := range exp {
		exp[i] = total / float64(len(deg))
	}
	_, p := chiSquare(deg, exp)
	return p
}

func binomialPMF(n int, p float64) func(k int) float64 {
	b := distuv.Binomial{N: float64(n), P: p}
	return func(k int) float64 { return b.Prob(float64(k)) }
}

func TestStatisticsFixedIndegree(t *testing.T) {
	src, tgt := span(1, 50), span(51, 60)
	const k = 10
	twoLevel(t, "fixed_indegree", FixedIndegree(k), src, tgt, func(conns []conn) map[string]float64 {
		in, out := degrees(conns, src, tgt)
		for _, d := range in {
			if d != k {
				t.Fatalf("in-degree %v, want %d", d, k)
			}
		}
		// Out-degrees: the len(tgt)*k draws fall uniformly on the sources.
		return map[string]float64{"out": fixedCheck(out, float64(len(tgt)*k))}
	})
}

func TestStatisticsFixedOutdegree(t *testing.T) {
	src, tgt := span(1, 60), span(61, 50)
	const k = 10
	twoLevel(t, "fixed_outdegree", FixedOutdegree(k), src, tgt, func(conns []conn) map[string]float64 {
		in, out := degrees(conns, src, tgt)
		for _, d := range out {
			if d != k {
				t.Fatalf("out-degree %v, want %d", d, k)
			}
		}
		return map[string]float64{"in": fixedCheck(in, float64(len(src)*k))}
	})
}

func TestStatisticsFixedTotalNumber(t *testing.T) {
	// 53 targets over 4 VPs: unequal shares test the binomial split over VPs.
	src, tgt := span(1, 47), span(48, 53)
	const n = 1000
	twoLevel(t, "fixed_total_number", FixedTotalNumber(n), src, tgt, func(conns []conn) map[string]float64 {
		if len(conns) != n {
			t.Fatalf("%d connections, want %d", len(conns), n)
		}
		in, out := degrees(conns, src, tgt)
		return map[string]float64{"in": fixedCheck(in, n), "out": fixedCheck(out, n)}
	})
}

func TestStatisticsPairwiseBernoulli(t *testing.T) {
	src, tgt := span(1, 100), span(101, 90)
	const p = 0.3
	twoLevel(t, "pairwise_bernoulli", PairwiseBernoulli(p), src, tgt, func(conns []conn) map[string]float64 {
		in, out := degrees(conns, src, tgt)
		return map[string]float64{
			"in":  binnedChiSquare(in, len(src), binomialPMF(len(src), p)),
			"out": binnedChiSquare(out, len(tgt), binomialPMF(len(tgt), p)),
		}
	})
}

func TestStatisticsSymmetricPairwiseBernoulli(t *testing.T) {
	// As NEST's test: two populations of 60, p = 0.5; the connections from the first to the
	// second have binomial degrees (the reverse connections go the other way).
	src, tgt := span(1, 60), span(61, 60)
	const p = 0.5
	twoLevel(t, "symmetric_pairwise_bernoulli", SymmetricPairwiseBernoulli(p), src, tgt, func(conns []conn) map[string]float64 {
		var fwd []conn
		rev := map[[2]uint64]int{}
		for _, c := range conns {
			if c.src <= 60 {
				fwd = append(fwd, c)
			} else {
				rev[[2]uint64{c.tgt, c.src}]++
			}
		}
		if len(rev) != len(fwd) {
			t.Fatalf("%d forward and %d reverse connections", len(fwd), len(rev))
		}
		for _, c := range fwd {
			if rev[[2]uint64{c.src, c.tgt}] != 1 {
				t.Fatalf("%v has no reverse connection", c)
			}
		}
		in, out := degrees(fwd, src, tgt)
		return map[string]float64{
			"in":  binnedChiSquare(in, len(src), binomialPMF(len(src), p)),
			"out": binnedChiSquare(out, len(tgt), binomialPMF(len(tgt), p)),
		}
	})

	// On one population the connectivity matrix is symmetric, without autapses, and a pair
	// is connected at most twice (once per direction drawn).
	pop := span(1, 100)
	for run := range 5 {
		m := map[[2]uint64]int{}
		for _, c := range buildAll(t, SymmetricPairwiseBernoulli(0.3), pop, pop, roundRobin(statVPs), uint32(run+1), nil).union() {
			m[[2]uint64{c.src, c.tgt}]++
		}
		for k, n := range m {
			if k[0] == k[1] || n > 2 || m[[2]uint64{k[1], k[0]}] != n {
				t.Fatalf("run %d: pair %v x%d, reverse x%d", run, k, n, m[[2]uint64{k[1], k[0]}])
			}
		}
	}
}

// TestStatisticsPower checks that the two-level test rejects a wrong model: fixed_indegree
// out-degrees compared with a skewed expectation.
func TestStatisticsPower(t *testing.T) {
	src, tgt := span(1, 50), span(51, 60)
	var ps []float64
	for run := range statRuns {
		in, out := degrees(buildAll(t, FixedIndegree(10), src, tgt, roundRobin(statVPs), uint32(2000+run), nil).union(), src, tgt)
		_ = in
		exp := make([]float64, len(out))
		for i := range exp {
			exp[i] = 600.0 / 50 * (0.8 + 0.4*float64(i%2)) // half 9.6, half 14.4
		}
		_, p := chiSquare(out, exp)
		ps = append(ps, p)
	}
	if p := ksUniform(ps); p > 1e-6 {
		t.Errorf("a wrong expectation passes the two-level test (KS p=%.3g)", p)
	}
}
