package kernel

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortBySource is the stable sort by source, for even and odd sizes, with and without an
// earlier sorted part.
func TestSortBySourceStable(t *testing.T) {
	for _, c := range []struct {
		name        string
		first, more int
		// coded: weights from three values and delay words from two, so the store codes both
		coded bool
	}{{"empty", 0, 0, false}, {"one", 1, 0, false}, {"odd", 1001, 0, false}, {"even", 1000, 0, false},
		{"sorted part and tail", 500, 333, false}, {"coded", 1001, 0, true}, {"coded, sorted part and tail", 500, 333, true}} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			s := &connStore{w: newDictCol[float64](!c.coded), dr: newDictCol[uint32](!c.coded)}
			type conn struct {
				src, tgt uint32
				w        float64
				dr       uint32
			}
			var all []conn
			add := func(n int) {
				for range n {
					cn := conn{src: 1 + rng.Uint32N(40), tgt: rng.Uint32N(100), w: rng.Float64(), dr: rng.Uint32()}
					if c.coded {
						cn.w, cn.dr = []float64{0.5, -2, 0.5e-3}[rng.IntN(3)], 7+rng.Uint32N(2)
					}
					all = append(all, cn)
					s.add(cn.src, cn.tgt, cn.w, cn.dr)
				}
			}
			add(c.first)
			s.sortBySource()
			add(c.more)
			s.sortBySource()
			want := slices.Clone(all)
			slices.SortStableFunc(want, func(a, b conn) int { return int(a.src) - int(b.src) })
			got := make([]conn, 0, len(want))
			src := s.sources()
			for i := range s.tgt {
				got = append(got, conn{src[i], s.tgt[i], s.w.at(i), s.dr.at(i)})
			}
			if !slices.Equal(got, want) {
				t.Errorf("sorted store differs from the stable sort (%d connections)", len(want))
			}
			if c.coded && len(want) > 1 && (s.w.bytesPer() != 1 || s.dr.bytesPer() != 1) {
				t.Errorf("coded store takes %d + %d bytes per weight and word, want 1 + 1", s.w.bytesPer(), s.dr.bytesPer())
			}
		})
	}
}
