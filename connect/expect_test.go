package connect

import "testing"

func TestExpected(t *testing.T) {
	for _, c := range []struct {
		name                       string
		spec                       Spec
		nSrc, nLocal, nTgt, lo, hi int
	}{
		{"one_to_one", OneToOne(), 10, 3, 10, 3, 3},
		{"all_to_all", AllToAll(), 7, 3, 10, 21, 21},
		{"fixed_indegree", FixedIndegree(5), 100, 4, 10, 20, 20},
		{"fixed_total_number", FixedTotalNumber(1000), 100, 5, 10, 500, 600},
		{"no local targets", FixedIndegree(5), 100, 0, 10, 0, 0},
	} {
		if got := Expected(c.spec, c.nSrc, c.nLocal, c.nTgt); got < c.lo || got > c.hi {
			t.Errorf("%s: %d, want in [%d, %d]", c.name, got, c.lo, c.hi)
		}
	}
}
