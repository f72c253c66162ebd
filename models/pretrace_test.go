package models

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/state"
)

// refTrace is the plain per-connection reference of preTrace.
type refTrace struct{ k, t []float64 }

// TestPreTraceMatchesPerConnection applies random sequences of every operation to a preTrace
// and to plain per-connection arrays and compares all values, and the encoding that a
// checkpoint stores, after each step.
func TestPreTraceMatchesPerConnection(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		var p preTrace
		var ref refTrace
		var src []uint32 // source boundaries of a sorted store (nil: unsorted tail present)
		check := func(step int, op string) {
			t.Helper()
			if p.len() != len(ref.k) {
				t.Fatalf("seed %d step %d (%s): %d connections, want %d", seed, step, op, p.len(), len(ref.k))
			}
			for j := range ref.k {
				k, tl := p.at(j)
				if !sameKT(k, tl, ref.k[j], ref.t[j]) {
					t.Fatalf("seed %d step %d (%s): connection %d has (%g, %g), want (%g, %g)", seed, step, op, j, k, tl, ref.k[j], ref.t[j])
				}
			}
			var e1, e2 state.Encoder
			p.write(&e1)
			e2.F64s(ref.k)
			e2.F64s(ref.t)
			if !bytes.Equal(e1.Bytes(), e2.Bytes()) {
				t.Fatalf("seed %d step %d (%s): encoding differs from the per-connection arrays", seed, step, op)
			}
			if !p.dense {
				for i := 1; i < len(p.start); i++ {
					if p.start[i] <= p.start[i-1] {
						t.Fatalf("seed %d step %d (%s): run starts not increasing: %v", seed, step, op, p.start)
					}
				}
			}
		}
		kvals := []float64{0, 0, 0, 1.5, 2, math.NaN()}
		for step := range 60 {
			n := len(ref.k)
			op := ""
			switch x := r.IntN(10); {
			case x < 3: // a Connect: connections with a few distinct Kplus values
				op = "push"
				m := r.IntN(50)
				kv := kvals[r.IntN(len(kvals))]
				bulk := r.IntN(4) == 0 // a deferred Connect with constant values: one run
				if bulk {
					op = "pushN"
					p.pushN(kv, 0, m)
				}
				for range m {
					if !bulk && r.IntN(20) == 0 {
						kv = r.Float64()
					}
					if !bulk {
						p.push(kv, 0)
					}
					ref.k, ref.t = append(ref.k, kv), append(ref.t, 0)
				}
				src = nil
			case x == 3 && n > 0: // a failed Connect
				op = "truncate"
				m := r.IntN(n + 1)
				p.truncate(m)
				ref.k, ref.t = ref.k[:m], ref.t[:m]
				src = nil
			case x == 4: // Prepare's sort: a random stable sort by random sources
				op = "permute"
				owner := make([]int, n)
				for j := range owner {
					owner[j] = r.IntN(1 + n/5)
				}
				perm := make([]int32, n)
				for j := range perm {
					perm[j] = int32(j)
				}
				slices.SortStableFunc(perm, func(a, b int32) int { return owner[a] - owner[b] })
				p.permute(perm)
				ref.k, ref.t = permuted(ref.k, perm), permuted(ref.t, perm)
				src = src[:0]
				for j := range n {
					if j == 0 || owner[perm[j]] != owner[perm[j-1]] {
						src = append(src, uint32(j))
					}
				}
				src = append(src, uint32(n))
			case x == 5 && src != nil:
				op = "sources"
				p.Sources(src)
			case x == 6 && n > 0:
				op = "set"
				j := r.IntN(n)
				kv := kvals[r.IntN(len(kvals))]
				p.set(j, kv)
				ref.k[j] = kv
			case x == 7 && src != nil && len(src) > 1: // a spike of one source: as Send updates it
				op = "spike"
				i := r.IntN(len(src) - 1)
				lo, hi := int(src[i]), int(src[i+1])
				tNew := float64(step)
				if p.dense {
					for j := lo; j < hi; j++ {
						p.k[j], p.t[j] = p.k[j]*0.5+1, tNew
					}
				} else {
					r0, r1 := p.split(lo), p.split(hi)
					for q := r0; q < r1; q++ {
						p.k[q], p.t[q] = p.k[q]*0.5+1, tNew
					}
				}
				for j := lo; j < hi; j++ {
					ref.k[j], ref.t[j] = ref.k[j]*0.5+1, tNew
				}
			case x == 8: // a checkpoint
				op = "read"
				var e state.Encoder
				p.write(&e)
				var q preTrace
				if err := q.read(state.NewDecoder(e.Bytes(), "test")); err != nil {
					t.Fatal(err)
				}
				p = q
			case x == 9 && n > 0: // re-sharding: connection by connection into a new store
				op = "append"
				var q preTrace
				for j := range n {
					q.push(p.at(j))
				}
				p = q
				src = nil
			}
			check(step, op)
		}
	}
}

// TestPreTraceRuns checks that one Connect of several sources takes one run, and one run per
// source once the sources are given and they have spiked; that a Kplus set on one connection is
// kept per connection and compresses again at the next Sources.
func TestPreTraceRuns(t *testing.T) {
	var p preTrace
	for range 4000 {
		p.push(0, 0)
	}
	if p.dense || len(p.start) != 1 {
		t.Fatalf("one Connect: dense %v, %d runs", p.dense, len(p.start))
	}
	src := []uint32{0, 1000, 2000, 3000, 4000}
	p.Sources(src)
	if p.WantSources() || len(p.start) != 4 {
		t.Fatalf("after Sources: %d runs (want 4), want sources %v", len(p.start), p.WantSources())
	}
	p.set(1500, 3)
	if !p.dense || !p.WantSources() {
		t.Fatalf("after set: dense %v, want sources %v", p.dense, p.WantSources())
	}
	p.Sources(src)
	if p.dense || len(p.start) != 6 {
		t.Fatalf("after set and Sources: dense %v, %d runs (want 6)", p.dense, len(p.start))
	}
	var q preTrace
	for i := range 4000 {
		q.push(float64(i), 0)
	}
	if !q.dense {
		t.Fatalf("distinct values: not dense")
	}
	q.Sources(src)
	if !q.dense {
		t.Fatalf("distinct values after Sources: not dense")
	}
}

// TestPreTraceRunsHint checks that the source's position given to runs is only a hint: every
// hint, right or wrong, gives the runs the search gives, with one run per source and with a
// source split into two runs (whose later sources' runs are no longer at their positions).
func TestPreTraceRunsHint(t *testing.T) {
	bounds := []uint32{0, 3, 5, 9, 10, 14} // five sources
	for _, split := range []bool{false, true} {
		build := func() *preTrace {
			var p preTrace
			p.pushN(0, 0, 14)
			p.Sources(bounds)
			if split {
				p.k[1] = 1
				p.split(4) // source 1, [3, 5), now holds two runs
			}
			return &p
		}
		for s := range len(bounds) - 1 {
			first, last := int(bounds[s]), int(bounds[s+1])
			want := build()
			w0, w1 := want.runs(first, last, -1)
			for hint := -1; hint <= len(bounds); hint++ {
				got := build()
				g0, g1 := got.runs(first, last, hint)
				if g0 != w0 || g1 != w1 || !slices.Equal(got.start, want.start) {
					t.Errorf("split %v, source %d, hint %d: runs [%d, %d) starts %v, want [%d, %d) starts %v",
						split, s, hint, g0, g1, got.start, w0, w1, want.start)
				}
			}
		}
	}
}
