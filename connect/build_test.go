package connect

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

func TestOneToOneExact(t *testing.T) {
	src, tgt := []uint64{1, 2, 3, 4, 5}, []uint64{3, 6, 7, 4, 9}
	pl := roundRobin(3)
	// VPs of the targets: 3, 6, 9 -> 0; 7, 4 -> 1.
	res := buildAll(t, OneToOne(), src, tgt, pl, 1, []int{0, 1, 2})
	want := [][]conn{
		{{1, 3, 0}, {2, 6, 1}, {5, 9, 4}},
		{{3, 7, 2}, {4, 4, 3}},
		nil,
	}
	for v := range want {
		if !slices.Equal(res.perVP[v], want[v]) {
			t.Errorf("VP %d: %v, want %v", v, res.perVP[v], want[v])
		}
	}

	// Without autapses, 4->4 is skipped; with make_symmetric, the reverse pass follows with
	// the same indices, owned by the VP of the original source.
	res = buildAll(t, OneToOne().WithAutapses(false).WithSymmetric(true), src, tgt, pl, 1, []int{2, 1, 0})
	want = [][]conn{
		{{1, 3, 0}, {2, 6, 1}, {5, 9, 4}, {7, 3, 2}},
		{{3, 7, 2}, {3, 1, 0}},
		{{6, 2, 1}, {9, 5, 4}},
	}
	for v := range want {
		if !slices.Equal(res.perVP[v], want[v]) {
			t.Errorf("symmetric, VP %d: %v, want %v", v, res.perVP[v], want[v])
		}
	}

	// Repeated ids (Connect(array, array, one_to_one)).
	res = buildAll(t, OneToOne(), []uint64{1, 1, 2}, []uint64{2, 2, 2}, roundRobin(1), 1, []int{0})
	if want := []conn{{1, 2, 0}, {1, 2, 1}, {2, 2, 2}}; !slices.Equal(res.perVP[0], want) {
		t.Errorf("arrays: %v, want %v", res.perVP[0], want)
	}
}

func TestAllToAllExact(t *testing.T) {
	src, tgt := []uint64{1, 2, 3}, []uint64{2, 3, 4, 5}
	for _, autapses := range []bool{true, false} {
		res := buildAll(t, AllToAll().WithAutapses(autapses), src, tgt, roundRobin(2), 1, []int{1, 0})
		for v := range 2 {
			var want []conn
			for ti, tg := range tgt {
				if int(tg%2) != v {
					continue
				}
				for si, s := range src {
					if autapses || s != tg {
						want = append(want, conn{s, tg, ti*len(src) + si})
					}
				}
			}
			if !slices.Equal(res.perVP[v], want) {
				t.Errorf("autapses %v, VP %d: %v, want %v", autapses, v, res.perVP[v], want)
			}
		}
	}
}

func TestDeviceTargets(t *testing.T) {
	// Node 10 is a recorder (on every VP), node 11 a generator (on every VP).
	pl := roundRobin(3, 10, 11)
	res := buildAll(t, AllToAll(), []uint64{1, 2, 3, 11}, []uint64{10}, pl, 1, []int{0, 1, 2})
	want := [][]conn{{{3, 10, 2}, {11, 10, 3}}, {{1, 10, 0}, {11, 10, 3}}, {{2, 10, 1}, {11, 10, 3}}}
	for v := range want {
		if !slices.Equal(res.perVP[v], want[v]) {
			t.Errorf("all_to_all to a device, VP %d: %v, want %v", v, res.perVP[v], want[v])
		}
	}
	res = buildAll(t, OneToOne(), []uint64{4, 5}, []uint64{10, 10}, pl, 1, []int{0, 1, 2})
	if !slices.Equal(res.perVP[1], []conn{{4, 10, 0}}) || !slices.Equal(res.perVP[2], []conn{{5, 10, 1}}) || len(res.perVP[0]) != 0 {
		t.Errorf("one_to_one to a device: %v", res.perVP)
	}
	// A generator to neurons: owned by the targets' VPs as usual.
	res = buildAll(t, AllToAll(), []uint64{11}, []uint64{1, 2}, pl, 1, []int{0, 1, 2})
	if !slices.Equal(res.perVP[1], []conn{{11, 1, 0}}) || !slices.Equal(res.perVP[2], []conn{{11, 2, 1}}) {
		t.Errorf("generator to neurons: %v", res.perVP)
	}

	// The other rules need proxies: IllegalConnection on every VP, before any draw.
	specs := []Spec{FixedIndegree(1), FixedOutdegree(1), FixedTotalNumber(1), PairwiseBernoulli(0.5), SymmetricPairwiseBernoulli(0.5)}
	for _, spec := range specs {
		for v := range 3 {
			st := vpStreams(1, v)
			before := *st.VP
			err := Build(spec, []uint64{1, 2}, []uint64{3, 10}, v, pl, st, func(uint64, uint64, int) error { return nil })
			wantErr(t, spec.Rule, err, status.IllegalConnection, spec.Rule, "10", "proxies")
			if *st.VP != before {
				t.Errorf("%s: drew before failing", spec.Rule)
			}
		}
	}
	// symmetric_pairwise_bernoulli also targets its sources.
	err := Build(SymmetricPairwiseBernoulli(0.5), []uint64{1, 10}, []uint64{2, 3}, 0, pl, vpStreams(1, 0), func(uint64, uint64, int) error { return nil })
	wantErr(t, "symmetric from a device", err, status.IllegalConnection, "10")
}

// ruleCases are specs on populations used by the determinism and bookkeeping tests: the
// targets overlap the sources, and 13 of the 37 targets are not divisible evenly over 4 VPs.
func ruleCases() []struct {
	spec     Spec
	src, tgt []uint64
} {
	src, tgt := span(1, 30), span(20, 37)
	return []struct {
		spec     Spec
		src, tgt []uint64
	}{
		{OneToOne(), span(1, 37), tgt},
		{AllToAll().WithAutapses(false), src, tgt},
		{FixedIndegree(5), src, tgt},
		{FixedIndegree(10).WithAutapses(false).WithMultapses(false), src, tgt},
		{FixedOutdegree(5), src, tgt},
		{FixedOutdegree(12).WithAutapses(false).WithMultapses(false), src, tgt},
		{FixedTotalNumber(300), src, tgt},
		{FixedTotalNumber(300).WithAutapses(false), src, tgt},
		{PairwiseBernoulli(0.3), src, tgt},
		{PairwiseBernoulli(0.3).WithAutapses(false), src, tgt},
		{SymmetricPairwiseBernoulli(0.3), src, src},
	}
}

func TestBuildDeterminism(t *testing.T) {
	const nvp = 4
	pl := roundRobin(nvp)
	for _, tc := range ruleCases() {
		name := tc.spec.String()
		fwd := buildAll(t, tc.spec, tc.src, tc.tgt, pl, 42, []int{0, 1, 2, 3})
		bwd := buildAll(t, tc.spec, tc.src, tc.tgt, pl, 42, []int{3, 2, 1, 0})
		par := buildAll(t, tc.spec, tc.src, tc.tgt, pl, 42, nil)
		other := buildAll(t, tc.spec, tc.src, tc.tgt, pl, 43, nil)
		for v := range nvp {
			if !slices.Equal(fwd.perVP[v], bwd.perVP[v]) || !slices.Equal(fwd.perVP[v], par.perVP[v]) {
				t.Errorf("%s: VP %d builds differently depending on the order of VP calls", name, v)
			}
			// Every VP leaves its copies of the synchronised streams in the same state.
			if fwd.rankSync[v] != fwd.rankSync[0] || fwd.threadSyn[v] != fwd.threadSyn[0] {
				t.Errorf("%s: VP %d advanced the synchronised streams differently", name, v)
			}
		}
		if !slices.Equal(fwd.union(), par.union()) {
			t.Errorf("%s: the union of connections differs between runs", name)
		}
		random := tc.spec.Rule != RuleOneToOne && tc.spec.Rule != RuleAllToAll
		if random && slices.Equal(fwd.union(), other.union()) {
			t.Errorf("%s: another seed gives the same connections", name)
		}
		if !random && !slices.Equal(fwd.union(), other.union()) {
			t.Errorf("%s: a deterministic rule depends on the seed", name)
		}
		// Ownership: every connection lives on the VP of its target.
		for v, cs := range fwd.perVP {
			for _, c := range cs {
				if pl.TargetVP(c.tgt) != v {
					t.Fatalf("%s: VP %d built %v, whose target lives on VP %d", name, v, c, pl.TargetVP(c.tgt))
				}
			}
		}
	}
}

func TestBuildBookkeeping(t *testing.T) {
	pl := roundRobin(4)
	for _, tc := range ruleCases() {
		name := tc.spec.String()
		res := buildAll(t, tc.spec, tc.src, tc.tgt, pl, 7, nil)
		all := res.union()
		in, out := degrees(all, tc.src, tc.tgt)
		pairs := map[[2]uint64]int{}
		for _, c := range all {
			pairs[[2]uint64{c.src, c.tgt}]++
			if !tc.spec.AllowAutapses && c.src == c.tgt {
				t.Fatalf("%s: autapse %v", name, c)
			}
		}
		if !tc.spec.AllowMultapses {
			for p, n := range pairs {
				if n > 1 {
					t.Fatalf("%s: multapse %v x%d", name, p, n)
				}
			}
		}
		idx := make([]int, 0, len(all))
		for _, c := range all {
			idx = append(idx, c.idx)
		}
		slices.Sort(idx)
		switch tc.spec.Rule {
		case RuleFixedIndegree:
			for i, d := range in {
				if d != float64(tc.spec.Indegree) {
					t.Errorf("%s: target %d has in-degree %v", name, tc.tgt[i], d)
				}
			}
			wantSeq(t, name, idx, len(tc.tgt)*int(tc.spec.Indegree))
		case RuleFixedOutdegree:
			for i, d := range out {
				if d != float64(tc.spec.Outdegree) {
					t.Errorf("%s: source %d has out-degree %v", name, tc.src[i], d)
				}
			}
			wantSeq(t, name, idx, len(tc.src)*int(tc.spec.Outdegree))
		case RuleFixedTotalNumber:
			if len(all) != int(tc.spec.N) {
				t.Errorf("%s: %d connections", name, len(all))
			}
			for v, cs := range res.perVP {
				for i, c := range cs {
					if c.idx != i {
						t.Fatalf("%s: VP %d connection %d has index %d", name, v, i, c.idx)
					}
				}
			}
		case RuleAllToAll:
			if len(all) != len(tc.src)*len(tc.tgt)-11 { // 11 ids are in both populations
				t.Errorf("%s: %d connections", name, len(all))
			}
		case RulePairwiseBernoulli, RuleSymmetricPairwiseBernoulli:
			for _, c := range all {
				if c.idx != -1 {
					t.Fatalf("%s: index %d, want -1", name, c.idx)
				}
			}
		}
		if tc.spec.Rule == RuleSymmetricPairwiseBernoulli {
			for p, n := range pairs {
				if pairs[[2]uint64{p[1], p[0]}] != n {
					t.Fatalf("%s: %v x%d but its reverse x%d", name, p, n, pairs[[2]uint64{p[1], p[0]}])
				}
				if n > 2 {
					t.Fatalf("%s: %v x%d (at most 2 expected)", name, p, n)
				}
			}
		}
	}
}

// wantSeq checks that idx is 0, 1, ..., n-1.
func wantSeq(t *testing.T, name string, idx []int, n int) {
	t.Helper()
	if len(idx) != n {
		t.Errorf("%s: %d indices, want %d", name, len(idx), n)
		return
	}
	for i, x := range idx {
		if x != i {
			t.Errorf("%s: indices are not 0..%d (got %d at %d)", name, n-1, x, i)
			return
		}
	}
}

func TestSaturatedDegrees(t *testing.T) {
	// Without multapses, a degree equal to the pool draws every candidate exactly once.
	src, tgt := span(1, 8), span(5, 6) // 5..8 overlap
	res := buildAll(t, FixedIndegree(7).WithAutapses(false).WithMultapses(false), src, tgt, roundRobin(2), 3, nil)
	// Targets 5..8 connect to the 7 other sources, 9 and 10 draw 7 of 8.
	in, _ := degrees(res.union(), src, tgt)
	for i, d := range in {
		if d != 7 {
			t.Errorf("target %d: in-degree %v", tgt[i], d)
		}
	}
	res = buildAll(t, FixedOutdegree(6).WithMultapses(false), src, tgt, roundRobin(2), 3, nil)
	if got := len(res.union()); got != 8*6 {
		t.Errorf("fixed_outdegree saturated: %d connections, want %d", got, 8*6)
	}
	for _, c := range res.union() {
		if c.tgt < 5 || c.tgt > 10 {
			t.Fatalf("bad target %v", c)
		}
	}
	// pairwise_bernoulli with p = 1 is all_to_all.
	a := buildAll(t, PairwiseBernoulli(1).WithAutapses(false), src, tgt, roundRobin(3), 3, nil).union()
	b := buildAll(t, AllToAll().WithAutapses(false), src, tgt, roundRobin(3), 3, nil).union()
	if len(a) != len(b) {
		t.Errorf("pairwise_bernoulli p=1: %d connections, all_to_all %d", len(a), len(b))
	}
	for i := range a {
		if a[i].src != b[i].src || a[i].tgt != b[i].tgt {
			t.Fatalf("pairwise_bernoulli p=1 differs from all_to_all at %d", i)
		}
	}
	if n := len(buildAll(t, PairwiseBernoulli(0), src, tgt, roundRobin(3), 3, nil).union()); n != 0 {
		t.Errorf("pairwise_bernoulli p=0: %d connections", n)
	}
	if n := len(buildAll(t, SymmetricPairwiseBernoulli(0), src, src, roundRobin(3), 3, nil).union()); n != 0 {
		t.Errorf("symmetric_pairwise_bernoulli p=0: %d connections", n)
	}
}

func TestInfeasibleRequests(t *testing.T) {
	noop := func(uint64, uint64, int) error { return nil }
	pop := span(1, 5)
	tests := []struct {
		name     string
		spec     Spec
		src, tgt []uint64
		frag     []string
	}{
		{"indegree = n onto itself without autapses and multapses", FixedIndegree(5).WithAutapses(false).WithMultapses(false), pop, pop, []string{"fixed_indegree", "indegree=5", "never finish"}},
		{"only autapses possible", FixedIndegree(2).WithAutapses(false), []uint64{3}, []uint64{3}, []string{"fixed_indegree", "node 3"}},
		{"outdegree = n onto itself", FixedOutdegree(5).WithAutapses(false).WithMultapses(false), pop, pop, []string{"fixed_outdegree", "outdegree=5"}},
		{"total number with only autapses", FixedTotalNumber(3).WithAutapses(false), []uint64{4}, []uint64{4}, []string{"fixed_total_number", "4"}},
		{"symmetric with too few distinct sources", SymmetricPairwiseBernoulli(0.9), []uint64{1, 1, 1, 1, 1, 1, 1, 1, 1, 2}, []uint64{1}, []string{"symmetric_pairwise_bernoulli", "distinct"}},
	}
	for _, tc := range tests {
		var err error
		for v := range 2 {
			if err = Build(tc.spec, tc.src, tc.tgt, v, roundRobin(2), vpStreams(1, v), noop); err != nil {
				break
			}
		}
		wantErr(t, tc.name, err, status.BadProperty, tc.frag...)
	}
}

func TestBuildErrors(t *testing.T) {
	noop := func(uint64, uint64, int) error { return nil }
	pop := span(1, 4)
	wantErr(t, "invalid spec", Build(PairwiseBernoulli(-1), pop, pop, 0, roundRobin(1), vpStreams(1, 0), noop), status.BadProperty, "p")
	wantErr(t, "sizes", Build(OneToOne(), pop, pop[:2], 0, roundRobin(1), vpStreams(1, 0), noop), status.DimensionMismatch, "one_to_one")
	wantErr(t, "VP out of range", Build(AllToAll(), pop, pop, 2, roundRobin(2), vpStreams(1, 0), noop), status.InternalError, "vp=2")
	wantErr(t, "no TargetVP", Build(AllToAll(), pop, pop, 0, Placement{NumVPs: 1}, vpStreams(1, 0), noop), status.InternalError, "TargetVP")
	bad := Placement{NumVPs: 2, TargetVP: func(uint64) int { return 5 }}
	wantErr(t, "TargetVP out of range", Build(AllToAll(), pop, pop, 0, bad, vpStreams(1, 0), noop), status.InternalError, "TargetVP")
	dev := Placement{NumVPs: 2, TargetVP: func(uint64) int { return -1 }}
	wantErr(t, "device target without SourceVP", Build(AllToAll(), pop, pop, 0, dev, vpStreams(1, 0), noop), status.InternalError, "SourceVP")
	for _, tc := range []struct {
		spec   Spec
		st     Streams
		stream string
	}{
		{FixedIndegree(1), Streams{}, "VP"},
		{FixedOutdegree(1), Streams{VP: vpStreams(1, 0).VP}, "rank-synchronised"},
		{FixedTotalNumber(5), Streams{VP: vpStreams(1, 0).VP}, "rank-synchronised"},
		{FixedTotalNumber(5), Streams{RankSync: vpStreams(1, 0).RankSync}, "VP"},
		{PairwiseBernoulli(0.5), Streams{}, "VP"},
		{SymmetricPairwiseBernoulli(0.5), Streams{VP: vpStreams(1, 0).VP}, "thread-synchronised"},
	} {
		wantErr(t, "nil stream for "+tc.spec.Rule, Build(tc.spec, pop, pop, 0, roundRobin(1), tc.st, noop), status.InternalError, tc.stream)
	}

	// An error from emit stops Build and is returned as is.
	stop := errors.New("store full")
	for _, tc := range ruleCases() {
		n := 0
		err := Build(tc.spec, tc.src, tc.tgt, 0, roundRobin(1), vpStreams(1, 0), func(uint64, uint64, int) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("%v: emit error gave %v after %d calls", tc.spec, err, n)
		}
	}
}

func TestIdSet(t *testing.T) {
	var s idSet
	for round := range 3 {
		s.reset(50 * (round + 1))
		for i := range uint64(100) {
			if !s.insert(i * 977) {
				t.Fatalf("round %d: %d reported present", round, i)
			}
		}
		for i := range uint64(100) {
			if s.insert(i * 977) {
				t.Fatalf("round %d: %d reported absent", round, i)
			}
		}
	}
	s.gen = ^uint32(0) // the next reset wraps the generation
	s.reset(1)
	if !s.insert(0) || s.insert(0) {
		t.Error("after a generation wrap")
	}
}

func ExampleBuild() {
	// 6 neurons on 2 VPs; every target of VP 1 gets 2 of the 3 sources.
	pl := Placement{NumVPs: 2, TargetVP: func(g uint64) int { return int(g % 2) }}
	st := vpStreams(143202461, 1)
	spec := FixedIndegree(2).WithMultapses(false)
	_ = Build(spec, []uint64{1, 2, 3}, []uint64{4, 5, 6}, 1, pl, st, func(src, tgt uint64, idx int) error {
		fmt.Println("target", tgt, "index", idx)
		return nil
	})
	// Output:
	// target 5 index 2
	// target 5 index 3
}

// fixed_indegree with multapses draws, per connection, a source index and then whatever the
// callback draws (a weight), as NEST does: with a callback that draws, and with one that draws
// nothing and says so (then the rule draws a target's sources in bulk), the sources and the
// stream's final state are those of that sequence.
func TestFixedIndegreeDrawOrder(t *testing.T) {
	src := make([]uint64, 50)
	for i := range src {
		src[i] = uint64(i + 1)
	}
	tgt := src[:20]
	spec := FixedIndegree(7).WithAutapses(false)
	pl := roundRobin(1)
	for _, mode := range []string{"callback draws", "callback draws nothing", "runs"} {
		draws := mode == "callback draws"
		st := vp.NewStream(9, vp.KindVP, 0)
		ref := st
		rank, thr := vp.NewStream(9, vp.KindRankSync, 0), vp.NewStream(9, vp.KindThreadSync, 0)
		var got, want []uint64
		streams := Streams{VP: &st, RankSync: &rank, ThreadSync: &thr, EmitDrawsNothing: !draws}
		if mode == "runs" {
			streams.EmitRun = func(srcs []uint64, _ uint64, base int) error {
				if base != len(got) { // every target is on VP 0: index = connections so far
					return fmt.Errorf("run at index %d after %d connections", base, len(got))
				}
				got = append(got, srcs...)
				return nil
			}
		}
		err := Build(spec, src, tgt, 0, pl, streams,
			func(s, _ uint64, _ int) error {
				got = append(got, s)
				if draws {
					st.Float64()
				}
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		for _, t0 := range tgt {
			for range 7 {
				s := src[ref.UniformInt(uint64(len(src)))]
				for s == t0 {
					s = src[ref.UniformInt(uint64(len(src)))]
				}
				want = append(want, s)
				if draws {
					ref.Float64()
				}
			}
		}
		if !slices.Equal(got, want) || st != ref {
			t.Errorf("%s: the sources or the stream's state differ from the sequential draws", mode)
		}
	}
}
