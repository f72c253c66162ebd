package connect

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// wantErr checks that err is a *status.Error of the given kind whose message contains every
// fragment.
func wantErr(t *testing.T, name string, err error, kind status.Kind, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", name, kind)
		return
	}
	var se *status.Error
	if !errors.As(err, &se) {
		t.Errorf("%s: error %v is not a *status.Error", name, err)
		return
	}
	if se.Kind != kind {
		t.Errorf("%s: kind %s, want %s (%v)", name, se.Kind, kind, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: message %q does not mention %q", name, err.Error(), f)
		}
	}
}

// conn is one emitted connection.
type conn struct {
	src, tgt uint64
	idx      int
}

// roundRobin returns NEST's placement of neurons on n VPs (gid mod n); devices are
// replicated (-1).
func roundRobin(n int, devices ...uint64) Placement {
	isDev := func(g uint64) bool { return slices.Contains(devices, g) }
	f := func(g uint64) int {
		if isDev(g) {
			return -1
		}
		return int(g % uint64(n))
	}
	return Placement{NumVPs: n, TargetVP: f, SourceVP: f}
}

// vpStreams returns the streams of VP v for seed: its own VP stream and private copies of
// the synchronised streams.
func vpStreams(seed uint32, v int) Streams {
	s := vp.NewStream(seed, vp.KindVP, uint64(v))
	r := vp.NewStream(seed, vp.KindRankSync, 0)
	t := vp.NewStream(seed, vp.KindThreadSync, 0)
	return Streams{VP: &s, RankSync: &r, ThreadSync: &t}
}

// buildResult holds what every VP built, and the final synchronised stream states.
type buildResult struct {
	perVP     [][]conn
	rankSync  [][4]uint64
	threadSyn [][4]uint64
}

// union returns all connections of all VPs, sorted.
func (r buildResult) union() []conn {
	var all []conn
	for _, c := range r.perVP {
		all = append(all, c...)
	}
	slices.SortFunc(all, func(a, b conn) int {
		switch {
		case a.src != b.src:
			return cmpU(a.src, b.src)
		case a.tgt != b.tgt:
			return cmpU(a.tgt, b.tgt)
		}
		return a.idx - b.idx
	})
	return all
}

func cmpU(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// buildAll simulates numVPs VPs by calling Build for each VP, in the given order, or all in
// parallel goroutines when order is nil.
func buildAll(t testing.TB, spec Spec, src, tgt []uint64, pl Placement, seed uint32, order []int) buildResult {
	t.Helper()
	n := pl.NumVPs
	res := buildResult{perVP: make([][]conn, n), rankSync: make([][4]uint64, n), threadSyn: make([][4]uint64, n)}
	run := func(v int) error {
		st := vpStreams(seed, v)
		err := Build(spec, src, tgt, v, pl, st, func(s, tg uint64, idx int) error {
			res.perVP[v] = append(res.perVP[v], conn{s, tg, idx})
			return nil
		})
		res.rankSync[v], res.threadSyn[v] = st.RankSync.State(), st.ThreadSync.State()
		return err
	}
	if order == nil {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for v := range n {
			wg.Go(func() { errs[v] = run(v) })
		}
		wg.Wait()
		for v, err := range errs {
			if err != nil {
				t.Fatalf("Build %v on VP %d: %v", spec, v, err)
			}
		}
		return res
	}
	for _, v := range order {
		if err := run(v); err != nil {
			t.Fatalf("Build %v on VP %d: %v", spec, v, err)
		}
	}
	return res
}

// span returns the ids first..first+n-1.
func span(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

// degrees returns the in-degree of every target and the out-degree of every source (by
// position in the populations, which hold distinct ids).
func degrees(conns []conn, src, tgt []uint64) (in, out []float64) {
	si := map[uint64]int{}
	for i, g := range src {
		si[g] = i
	}
	ti := map[uint64]int{}
	for i, g := range tgt {
		ti[g] = i
	}
	in, out = make([]float64, len(tgt)), make([]float64, len(src))
	for _, c := range conns {
		in[ti[c.tgt]]++
		out[si[c.src]]++
	}
	return in, out
}

// chiSquare returns Pearson's statistic and its p-value for observed against expected counts
// with len-1 degrees of freedom.
func chiSquare(obs, exp []float64) (x2, p float64) {
	for i := range obs {
		d := obs[i] - exp[i]
		x2 += d * d / exp[i]
	}
	return x2, distuv.ChiSquared{K: float64(len(obs) - 1)}.Survival(x2)
}

// binnedChiSquare compares a sample of degrees with a discrete distribution on 0..n, merging
// neighbouring degrees until each bin expects at least 5 observations (as NEST's
// connect_test_base does), and returns the chi-square p-value.
func binnedChiSquare(sample []float64, n int, pmf func(k int) float64) float64 {
	counts := make([]float64, n+1)
	for _, d := range sample {
		counts[int(d)]++
	}
	m := float64(len(sample))
	var obs, exp []float64
	var o, e float64
	for k := 0; k <= n; k++ {
		o += counts[k]
		e += m * pmf(k)
		if e >= 5 {
			obs, exp = append(obs, o), append(exp, e)
			o, e = 0, 0
		}
	}
	if len(exp) == 0 {
		return 1
	}
	obs[len(obs)-1] += o // the remaining tail goes to the last bin
	exp[len(exp)-1] += e
	_, p := chiSquare(obs, exp)
	return p
}

// ksUniform returns the p-value of the one-sample Kolmogorov-Smirnov test of xs against the
// uniform distribution on [0, 1] (asymptotic distribution with Stephens' small-sample
// correction).
func ksUniform(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := float64(len(s))
	var d float64
	for i, x := range s {
		d = math.Max(d, math.Max(float64(i+1)/n-x, x-float64(i)/n))
	}
	return ksQ((math.Sqrt(n) + 0.12 + 0.11/math.Sqrt(n)) * d)
}

// ksCDF returns the KS p-value of xs against the continuous distribution function cdf.
func ksCDF(xs []float64, cdf func(float64) float64) float64 {
	u := make([]float64, len(xs))
	for i, x := range xs {
		u[i] = cdf(x)
	}
	return ksUniform(u)
}

// ksQ is the Kolmogorov survival function Q(l) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 l^2).
func ksQ(l float64) float64 {
	if l < 0.2 {
		return 1
	}
	var sum, sign float64 = 0, 1
	for k := 1; k <= 100; k++ {
		term := sign * math.Exp(-2*float64(k*k)*l*l)
		sum += term
		if math.Abs(term) < 1e-12 {
			break
		}
		sign = -sign
	}
	return math.Min(math.Max(2*sum, 0), 1)
}
