package models

import (
	"math"
	"slices"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// TestOnlyLatest: where OnlyLatest answers a window, History gives exactly the latest entry, and
// both leave the same read counts; elsewhere (for windows from a finite time) History's answer is
// not that. It holds for a fresh archive, after a spike, after pruning, after clear, and after a
// round trip through the state.
func TestOnlyLatest(t *testing.T) {
	spikes := []float64{1.0, 2.5, 2.6, 7.0, 40.0, 41.0}
	windows := [][2]float64{
		{0, 0.5}, {0, 1.5}, {0.5, 2}, {2, 3}, {2.55, 3}, {2.6, 2.7}, {3, 8}, {7, 7.0000001},
		{8, 50}, {40.5, 50}, {41, 41}, {-1, 100}, {math.Inf(-1), math.Inf(1)}, {41.5, 60},
	}
	var a Archive
	a.Grow(1, DefaultArchParams)
	a.Register(0, 1, 2)
	check := func(stage string) {
		t.Helper()
		for _, w := range windows {
			fast, slow := cloneArchive(t, &a), cloneArchive(t, &a)
			got := fast.OnlyLatest(0, w[0], w[1])
			hist := slow.History(0, w[0], w[1])
			n := len(slow.post[0].hist)
			want := len(hist) == 1 && n > 0 && hist[0] == slow.post[0].hist[n-1]
			if got != want && !(want && math.IsInf(w[0], -1)) { // (a window from −Inf goes to History)
				t.Fatalf("%s: OnlyLatest%v = %v, History gives %v", stage, w, got, hist)
			}
			if got && !slices.Equal(fast.post[0].hist, slow.post[0].hist) {
				t.Fatalf("%s: window %v: read counts %v after OnlyLatest, %v after History", stage, w, fast.post[0].hist, slow.post[0].hist)
			}
		}
	}
	check("empty")
	for _, s := range spikes {
		a.RecordSpike(0, s, 0.1)
		a.History(0, s-0.5, s+0.5) // reads, so that old entries can be pruned
		a.History(0, s-0.5, s+0.5)
		check("after a spike")
	}
	if len(a.post[0].hist) == len(spikes) {
		t.Fatal("no entry was pruned: the test does not cover pruning")
	}
	if err := a.Set(0, status.NewReader(status.Dict{"clear": true}, "iaf_psc_alpha"), "iaf_psc_alpha"); err != nil {
		t.Fatal(err)
	}
	check("after clear")
	a.RecordSpike(0, 50, 0.1)
	check("after clear and a spike")
}

// cloneArchive returns a copy of a through its state.
func cloneArchive(t *testing.T, a *Archive) *Archive {
	t.Helper()
	e := &state.Encoder{}
	a.WriteState(e)
	var b Archive
	if err := b.ReadState(state.NewDecoder(e.Bytes(), "archive")); err != nil {
		t.Fatal(err)
	}
	return &b
}
