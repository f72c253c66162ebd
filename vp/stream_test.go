package vp

import (
	"math"
	"testing"
	"unsafe"
)

// The reference xoshiro256** (prng.di.unimi.it/xoshiro256starstar.c) started from the
// state {1, 2, 3, 4}.
func TestXoshiro256StarStarReference(t *testing.T) {
	s := Stream{S: [4]uint64{1, 2, 3, 4}}
	want := []uint64{11520, 0, 1509978240, 1215971899390074240}
	for i, w := range want {
		if got := s.Uint64(); got != w {
			t.Fatalf("output %d = %d, want %d", i, got, w)
		}
	}
}

// The reference SplitMix64 (prng.di.unimi.it/splitmix64.c) started from 1234567.
func TestSplitMix64Reference(t *testing.T) {
	x := uint64(1234567)
	want := []uint64{6457827717110365317, 3203168211198807973, 9817491932198370423,
		4593380528125082431, 16408922859458223821}
	for i, w := range want {
		if got := splitMix64(&x); got != w {
			t.Fatalf("output %d = %d, want %d", i, got, w)
		}
	}
}

// mix128 must be a bijection: undo the Feistel rounds.
func TestMix128Invertible(t *testing.T) {
	unmix := func(hi, lo uint64) (uint64, uint64) {
		for r := uint64(4); r >= 1; r-- {
			hi, lo = lo^mix64(hi+r*golden), hi
		}
		return hi, lo
	}
	s := NewStream(1, 2, 3)
	for i := 0; i < 1000; i++ {
		a, b := s.Uint64(), s.Uint64()
		if i < 3 {
			a, b = uint64(i), 0
		}
		h, l := mix128(a, b)
		if h2, l2 := unmix(h, l); h2 != a || l2 != b {
			t.Fatalf("unmix(mix(%x, %x)) = (%x, %x)", a, b, h2, l2)
		}
	}
}

// Golden values: the streams of a given rng_seed are part of nest-mpi's reproducibility
// contract. If this test fails, every simulation result with a fixed seed has changed.
func TestNewStreamGolden(t *testing.T) {
	tests := []struct {
		seed  uint32
		kind  uint32
		index uint64
		want  [3]uint64
	}{
		{143202461, KindRankSync, 0, [3]uint64{0x944038420d04ea54, 0xee661f0d9cc468df, 0xf24fc5d30bee7c60}},
		{143202461, KindThreadSync, 0, [3]uint64{0xc2ce038631354851, 0xb1f9159140fc57f4, 0x29d538da66fd29df}},
		{143202461, KindVP, 0, [3]uint64{0x07c5c52b51a33061, 0x1a2f7217bc15f2a8, 0xa6436aa3d1a857b0}},
		{143202461, KindVP, 1, [3]uint64{0xc436d2ab449a4313, 0x0e3364e6d388a88b, 0x9eb487a2870335fc}},
		{1, KindVP, 1 << 40, [3]uint64{0xb1e971efaac77253, 0x927ff0ff640a03cd, 0x63a16fba7a3d3ee3}},
	}
	for _, tc := range tests {
		s := NewStream(tc.seed, tc.kind, tc.index)
		got := [3]uint64{s.Uint64(), s.Uint64(), s.Uint64()}
		if got != tc.want {
			t.Errorf("NewStream(%d, %#x, %d): first outputs %#v, want %#v", tc.seed, tc.kind, tc.index, got, tc.want)
		}
	}
}

func TestNewStreamDeterministic(t *testing.T) {
	for _, idx := range []uint64{0, 1, 7, 1 << 33} {
		a, b := NewStream(42, KindVP, idx), NewStream(42, KindVP, idx)
		for i := 0; i < 1000; i++ {
			if x, y := a.Uint64(), b.Uint64(); x != y {
				t.Fatalf("index %d: draw %d differs: %x != %x", idx, i, x, y)
			}
		}
	}
}

// Streams with different keys start in different states and their outputs are
// uncorrelated, also for keys that differ in one bit only.
func TestStreamIndependence(t *testing.T) {
	type key struct {
		seed  uint32
		kind  uint32
		index uint64
	}
	var keys []key
	for _, seed := range []uint32{1, 2, 3, 143202461, 1 << 31} {
		for _, kind := range []uint32{KindRankSync, KindThreadSync, KindVP, KindNode} {
			for index := uint64(0); index < 64; index++ {
				keys = append(keys, key{seed, kind, index})
			}
			keys = append(keys, key{seed, kind, 1 << 63})
		}
	}
	states := map[[4]uint64]key{}
	firsts := map[uint64]key{}
	for _, k := range keys {
		s := NewStream(k.seed, k.kind, k.index)
		if !s.Valid() {
			t.Fatalf("%v: invalid state", k)
		}
		if o, dup := states[s.S]; dup {
			t.Fatalf("%v and %v have the same state", k, o)
		}
		states[s.S] = k
		x := s.Uint64()
		if o, dup := firsts[x]; dup {
			t.Fatalf("%v and %v have the same first output", k, o)
		}
		firsts[x] = k
	}

	// Neighbouring keys: the XOR of their outputs must have uniform bytes, and their
	// uniforms must be uncorrelated.
	const n = 20000
	pairs := [][2]key{
		{{testSeed, KindVP, 0}, {testSeed, KindVP, 1}},
		{{testSeed, KindVP, 2}, {testSeed, KindVP, 3}},
		{{testSeed, KindVP, 5}, {testSeed + 1, KindVP, 5}},
		{{testSeed, KindVP, 0}, {testSeed, KindThreadSync, 0}},
		{{testSeed, KindRankSync, 0}, {testSeed, KindThreadSync, 0}},
		{{0, 0, 0}, {0, 0, 1}},
		{{0, 0, 0}, {1, 0, 0}},
	}
	for _, pr := range pairs {
		a := NewStream(pr[0].seed, pr[0].kind, pr[0].index)
		b := NewStream(pr[1].seed, pr[1].kind, pr[1].index)
		var bytes [256]float64
		var sx, sy, sxx, syy, sxy float64
		for i := 0; i < n; i++ {
			xa, xb := a.Uint64(), b.Uint64()
			d := xa ^ xb
			for j := 0; j < 8; j++ {
				bytes[(d>>(8*j))&255]++
			}
			x, y := float64(xa>>11)*0x1p-53, float64(xb>>11)*0x1p-53
			sx, sy, sxx, syy, sxy = sx+x, sy+y, sxx+x*x, syy+y*y, sxy+x*y
		}
		cov := sxy/n - sx/n*sy/n
		r := cov / math.Sqrt((sxx/n-sx*sx/n/n)*(syy/n-sy*sy/n/n))
		if math.Abs(r) > 5/math.Sqrt(n) {
			t.Errorf("%v vs %v: correlation %.4f", pr[0], pr[1], r)
		}
		exp := make([]float64, 256)
		for i := range exp {
			exp[i] = 8 * n / 256
		}
		checkChiSquare(t, "bytes of XOR of outputs", bytes[:], exp)
	}
}

// A VP's stream depends only on (seed, vp): every split of N_vp = 4 into ranks x
// threads gives VP v the same stream.
func TestStreamsLayoutInvariance(t *testing.T) {
	const seed = 12345
	const nvp = 4
	ref := make([][]uint64, nvp)
	for _, pt := range [][2]int{{1, 4}, {2, 2}, {4, 1}} {
		P, T := pt[0], pt[1]
		seen := 0
		for r := 0; r < P; r++ {
			l := Layout{NumProcesses: P, Rank: r, Threads: T}
			ss := NewStreams(seed, l)
			for vp := 0; vp < nvp; vp++ {
				s := ss.ForVP(vp)
				if !l.IsLocalVP(vp) {
					if s != nil {
						t.Errorf("%v: ForVP(%d) of a remote vp is not nil", l, vp)
					}
					continue
				}
				if s == nil {
					t.Fatalf("%v: ForVP(%d) = nil for a local vp", l, vp)
				}
				if s != ss.ForThread(l.ThreadOfVP(vp)) {
					t.Errorf("%v: ForVP(%d) != ForThread(%d)", l, vp, l.ThreadOfVP(vp))
				}
				seen++
				c := *s // draw from a copy
				got := make([]uint64, 16)
				for i := range got {
					got[i] = c.Uint64()
				}
				if ref[vp] == nil {
					ref[vp] = got
					continue
				}
				for i := range got {
					if got[i] != ref[vp][i] {
						t.Fatalf("P=%d T=%d: vp %d stream differs from the P=1 T=4 one at draw %d", P, T, vp, i)
					}
				}
			}
		}
		if seen != nvp {
			t.Errorf("P=%d T=%d: %d VPs local somewhere, want %d", P, T, seen, nvp)
		}
	}
}

func TestStreamsAssignment(t *testing.T) {
	const seed = 99
	rs := NewStream(seed, KindRankSync, 0)
	ts := NewStream(seed, KindThreadSync, 0)
	for _, l := range []Layout{{1, 0, 1}, {1, 0, 3}, {3, 2, 2}, {2, 1, 4}} {
		ss := NewStreams(seed, l)
		if ss.Layout != l || ss.Seed != seed {
			t.Errorf("%v: Layout %v Seed %d", l, ss.Layout, ss.Seed)
		}
		if ss.RankSync != rs {
			t.Errorf("%v: RankSync differs from NewStream(seed, KindRankSync, 0)", l)
		}
		if len(ss.ThreadSync) != l.Threads || len(ss.VP) != l.Threads {
			t.Fatalf("%v: %d thread-sync and %d VP streams, want %d", l, len(ss.ThreadSync), len(ss.VP), l.Threads)
		}
		for th := 0; th < l.Threads; th++ {
			if ss.ThreadSync[th] != ts {
				t.Errorf("%v: ThreadSync[%d] differs from NewStream(seed, KindThreadSync, 0)", l, th)
			}
			if *ss.VP[th] != NewStream(seed, KindVP, uint64(l.VPOfThread(th))) {
				t.Errorf("%v: VP[%d] is not the stream of vp %d", l, th, l.VPOfThread(th))
			}
		}
		for _, bad := range []int{-1, l.NumVPs(), l.NumVPs() + l.Rank} {
			if ss.ForVP(bad) != nil {
				t.Errorf("%v: ForVP(%d) != nil", l, bad)
			}
		}
		if ss.ForThread(-1) != nil || ss.ForThread(l.Threads) != nil {
			t.Errorf("%v: ForThread out of range != nil", l)
		}
	}
	var nilStreams *Streams
	if nilStreams.ForVP(0) != nil || nilStreams.ForThread(0) != nil {
		t.Error("nil Streams: ForVP/ForThread != nil")
	}
	// Drawing from one VP stream leaves the others alone.
	ss := NewStreams(seed, Layout{1, 0, 2})
	ss.ForVP(0).Uint64()
	if *ss.VP[1] != NewStream(seed, KindVP, 1) {
		t.Error("drawing from vp 0 changed vp 1")
	}
}

func TestNewStreamsPanicsOnBadLayout(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewStreams with an invalid layout did not panic")
		}
	}()
	NewStreams(1, Layout{2, 2, 1})
}

func TestStateRoundTrip(t *testing.T) {
	s := NewStream(7, KindVP, 3)
	s.Normal()
	saved := s.State()
	want := []float64{s.Normal(), s.Float64(), float64(s.Binomial(100, 0.3)), s.Exponential(2)}
	var r Stream
	r.SetState(saved)
	got := []float64{r.Normal(), r.Float64(), float64(r.Binomial(100, 0.3)), r.Exponential(2)}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("draw %d after restore: %v, want %v", i, got[i], want[i])
		}
	}
	if r.State() != s.State() {
		t.Error("states differ after the same draws")
	}
	var zero Stream
	if zero.Valid() {
		t.Error("zero Stream reports Valid")
	}
	defer func() {
		if recover() == nil {
			t.Error("SetState(all zero) did not panic")
		}
	}()
	zero.SetState([4]uint64{})
}

// UniformInts gives the values of as many UniformInt calls and leaves the stream where they do.
func TestUniformIntsIsUniformInt(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 7, 9000, 1<<63 + 12345, math.MaxUint64} {
		a, b := NewStream(5, KindVP, 1), NewStream(5, KindVP, 1)
		out := make([]uint64, 1000)
		for round := 0; round < 5; round++ {
			a.UniformInts(n, out[:round*200+1])
			for i, got := range out[:round*200+1] {
				if want := b.UniformInt(n); got != want {
					t.Fatalf("n %d, round %d, draw %d: %d, want %d", n, round, i, got, want)
				}
			}
			if a != b {
				t.Fatalf("n %d: streams differ after round %d", n, round)
			}
		}
	}
}

// TestVPStreamsApart: no two VP streams of a rank share a cache line (their threads write them
// at every draw).
func TestVPStreamsApart(t *testing.T) {
	ss := NewStreams(1, Layout{NumProcesses: 1, Rank: 0, Threads: 4})
	for i := range ss.VP {
		for j := range i {
			a, b := uintptr(unsafe.Pointer(ss.VP[i])), uintptr(unsafe.Pointer(ss.VP[j]))
			if d := max(a, b) - min(a, b); d < 64+32 {
				t.Errorf("VP streams %d and %d are %d bytes apart", j, i, d)
			}
		}
	}
}
