package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
)

// refHistory is NEST's ArchivingNode for one neuron, written out plainly: the history with its
// read counts, every look-up on it.
type refHistory struct {
	h             []HistEntry
	kminus, lastT float64
	n             int32   // incoming history-reading connections
	maxDelay      float64 // ms
}

func (r *refHistory) record(t, minDelay, tau float64) {
	drop := 0
	for len(r.h)-drop > 1 && r.h[drop].Access >= r.n && t-r.h[drop+1].T > r.maxDelay+minDelay+StdpEps {
		drop++
	}
	r.h = r.h[drop:]
	r.kminus = r.kminus*math.Exp((r.lastT-t)/tau) + 1
	r.lastT = t
	r.h = append(r.h, HistEntry{T: t, Kminus: r.kminus})
}

func (r *refHistory) window(t1, t2 float64) []float64 {
	var ts []float64
	for i := range r.h {
		if r.h[i].T >= t1 && r.h[i].T < t2 {
			r.h[i].Access++
			ts = append(ts, r.h[i].T)
		}
	}
	return ts
}

// kValue is K− at t with the decay over whole steps of h (gridDecay's closed form).
func (r *refHistory) kValue(t, h, tau float64) float64 {
	for i := len(r.h) - 1; i >= 0; i-- {
		if t-r.h[i].T > StdpEps {
			n := math.Round((t - r.h[i].T) / h)
			return r.h[i].Kminus * math.Exp(-(n*h)/tau)
		}
	}
	return 0
}

// TestArchiveMatchesHistory drives an Archive and refHistory with random spikes and random
// look-ups (windows short and long, K− just after a spike and long after; τ− the table's and
// others) and requires the same
// window entries, K− values, read counts and dropped entries, across a state round trip and a
// move to another archive (AppendFrom) halfway.
func TestArchiveMatchesHistory(t *testing.T) {
	grid := clock.Default
	h := grid.H()
	const nNeur, nConn = 6, 5
	tauOf := func(i int) float64 { // the table's τ− (the first neuron's) and others
		if i%2 == 0 {
			return DefaultArchParams.TauMinus
		}
		return 15 + float64(i)
	}
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 99))
		var a Archive
		for i := range nNeur {
			a.Grow(1, ArchParams{TauMinus: tauOf(i), TauMinusTriplet: 110})
		}
		ref := make([]refHistory, nNeur)
		for i := range nNeur {
			for range nConn {
				d := grid.Ms(int64(10 + r.IntN(20)))
				a.Register(i, d)
				ref[i].n++
				ref[i].maxDelay = math.Max(ref[i].maxDelay, d)
			}
			ref[i].lastT = -1
		}
		a.Prepare(grid)
		for step := int64(1); step < 20000; step++ {
			tMs := grid.Ms(step)
			for i := range nNeur {
				if r.Float64() < 0.01*float64(1+i) {
					a.RecordSpike(i, tMs, 1)
					ref[i].record(tMs, 1, tauOf(i))
				}
			}
			if step == 10000 { // a state round trip, then a move into another archive
				e := stateEncoder()
				a.WriteState(e)
				var b Archive
				if err := b.ReadState(stateDecoder(e)); err != nil {
					t.Fatal(err)
				}
				var c Archive
				for i := range nNeur {
					c.AppendFrom(&b, i)
					c.nIncoming[i], c.maxDelay[i] = b.nIncoming[i], b.maxDelay[i]
				}
				c.Prepare(grid)
				a = c
			}
			if r.Float64() < 0.5 {
				continue
			}
			i := r.IntN(nNeur)
			back := int64(1 + r.IntN(40))
			if r.Float64() < 0.1 {
				back = int64(1 + r.IntN(4000)) // a long window, beyond the record
			}
			t1, t2 := grid.Ms(step-back-10)+StdpEps, grid.Ms(step-10)+StdpEps
			hw := a.Window(i, t1, t2)
			got := append([]float64(nil), hw.T...)
			for _, e := range hw.Hist {
				got = append(got, e.T)
			}
			want := ref[i].window(t1, t2)
			if len(got) != len(want) {
				t.Fatalf("seed %d step %d neuron %d: window [%g, %g) has %v, want %v", seed, step, i, t1, t2, got, want)
			}
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("seed %d step %d neuron %d: window [%g, %g) has %v, want %v", seed, step, i, t1, t2, got, want)
				}
			}
			tq := grid.Ms(step - int64(r.IntN(15)))
			if got, want := a.KValue(i, tq), ref[i].kValue(tq, h, tauOf(i)); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("seed %d step %d neuron %d: K−(%g) = %v, want %v", seed, step, i, tq, got, want)
			}
		}
		for i := range nNeur {
			got, want := a.histRead(i), ref[i].h
			if len(got) != len(want) {
				t.Fatalf("seed %d neuron %d: %d entries kept, want %d", seed, i, len(got), len(want))
			}
			for k := range got {
				if got[k].T != want[k].T || got[k].Access != want[k].Access || got[k].Kminus != want[k].Kminus {
					t.Fatalf("seed %d neuron %d entry %d: %+v, want %+v", seed, i, k, got[k], want[k])
				}
			}
		}
	}
}
