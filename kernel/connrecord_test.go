package kernel

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestConnRecord: a record gives back every connection as added, in order, whether its targets
// stay run-length coded (long runs) or are expanded (short runs), with constant or varying
// weights and delay words, and after appending one record to another.
func TestConnRecord(t *testing.T) {
	type conn struct {
		src, tgt uint32
		w        float64
		dr       uint32
	}
	r := rand.New(rand.NewPCG(3, 4))
	gen := func(n, run int, varW, varDR bool) []conn {
		cs := make([]conn, n)
		for i := range cs {
			cs[i] = conn{src: r.Uint32N(1000), tgt: uint32(i / run), w: 1.5, dr: 15}
			if varW && i > n/2 {
				cs[i].w = r.Float64()
			}
			if varDR && i > n/3 {
				cs[i].dr = r.Uint32N(40)
			}
		}
		return cs
	}
	cases := []struct {
		name      string
		n, run    int
		varW, dr  bool
		wantRuns  bool
		appendRec bool
	}{
		{"long runs, constant", 5000, 100, false, false, true, false},
		{"long runs, varying weights", 5000, 100, true, false, true, false},
		{"short runs, varying delays", 5000, 1, false, true, false, false},
		{"short runs after long ones", 3000, 2, true, true, false, false},
		{"appended", 4000, 50, true, true, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := gen(c.n, c.run, c.varW, c.dr)
			if c.name == "short runs after long ones" {
				cs = append(gen(1500, 300, false, false), cs...)
			}
			rec := newRecord(10, true, 0, 999, 0, 1<<20)
			if c.appendRec {
				q := newRecord(10, true, 0, 500, 0, 1<<20) // sources beyond 500 widen its column
				for _, x := range cs[len(cs)/2:] {
					q.add(x.src, x.tgt, x.w, x.dr)
				}
				for _, x := range cs[:len(cs)/2] {
					rec.add(x.src, x.tgt, x.w, x.dr)
				}
				rec.appendRecord(&q)
			} else {
				for _, x := range cs {
					rec.add(x.src, x.tgt, x.w, x.dr)
				}
			}
			if c.appendRec && !rec.src.narrow {
				t.Error("sources in [0, 999] are kept in four bytes")
			}
			if rec.rle != c.wantRuns {
				t.Errorf("run-length coded %v, want %v", rec.rle, c.wantRuns)
			}
			var got []conn
			rec.each(func(i int, src, tgt uint32) { got = append(got, conn{src, tgt, rec.w.at(i), rec.dr.at(i)}) })
			if !slices.Equal(got, cs) {
				t.Fatalf("the record gives back %d connections that differ from the %d added", len(got), len(cs))
			}
			tg := rec.appendTargets(nil)
			for i, x := range cs {
				if tg[i] != x.tgt {
					t.Fatalf("target %d: %d, want %d", i, tg[i], x.tgt)
				}
			}
			for _, span := range [][2]int{{0, len(cs)}, {0, 1}, {1, 777}, {99, 101}, {len(cs) - 3, len(cs)}} {
				var b placeBatch
				b.reset(0, 1000, len(cs))
				part := rec.part(span[0], span[1], &b)
				for i := range part.src {
					x := cs[span[0]+i]
					if got := (conn{part.src[i], part.tgt[i], part.weight(i), part.drWord(i)}); got != x {
						t.Fatalf("part %v, connection %d: %+v, want %+v", span, i, got, x)
					}
				}
			}
		})
	}
}

// TestIDCol: a column gives back its values, narrow while they stay in the span it was made
// for, wide after one outside it (above or below), and counts them.
func TestIDCol(t *testing.T) {
	cases := []struct {
		name       string
		lo, hi     uint32
		vals       []uint32
		wantNarrow bool
	}{
		{"narrow", 1000, 1000 + 65535, []uint32{1000, 1000 + 65535, 5000, 1001}, true},
		{"wide span", 0, 70000, []uint32{3, 69999, 0}, false},
		{"above the span", 10, 20, []uint32{10, 20, 65546 + 10, 15}, false},
		{"below the span", 10, 20, []uint32{10, 9, 20}, false},
		{"empty span", 1, 0, []uint32{7}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			col := newIDCol(2, c.lo, c.hi)
			for _, v := range c.vals {
				col.add(v)
			}
			if col.narrow != c.wantNarrow {
				t.Errorf("narrow %v, want %v", col.narrow, c.wantNarrow)
			}
			if got := col.part(0, col.len(), nil); !slices.Equal(got, c.vals) {
				t.Errorf("values %v, want %v", got, c.vals)
			}
			lo, hi := slices.Min(c.vals), slices.Max(c.vals)
			cnt := make([]uint32, hi-lo+1)
			col.count(cnt, lo)
			for _, v := range c.vals {
				cnt[v-lo]--
			}
			if slices.ContainsFunc(cnt, func(n uint32) bool { return n != 0 }) {
				t.Error("count differs from the values")
			}
		})
	}
}

// weight and drWord return connection i's weight and delay word.
func (q *batch) weight(i int) float64 {
	if q.varW {
		return q.w[i]
	}
	return q.w0
}

func (q *batch) drWord(i int) uint32 {
	switch {
	case q.drc != nil:
		return q.drDict[q.drc[i]]
	case q.varDR:
		return q.dr[i]
	}
	return q.dr0
}
