package kernel

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSourceIndex checks the direct look-up of contiguous sources against a binary search, at
// and around both ends, for contiguous, gapped and empty source lists.
func TestSourceIndex(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []uint32
	}{
		{"empty", nil},
		{"one", []uint32{7}},
		{"contiguous", []uint32{3, 4, 5, 6, 7, 8}},
		{"from zero", []uint32{0, 1, 2}},
		{"gap", []uint32{3, 4, 6, 7, 8, 9}},
		{"sparse", []uint32{1, 100, 1 << 20}},
		{"top of range", []uint32{1<<32 - 3, 1<<32 - 2, 1<<32 - 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &connStore{srcIDs: tc.ids}
			probe := []uint32{0, 1, 2, 1<<32 - 1, 1 << 31}
			for _, id := range tc.ids {
				probe = append(probe, id-1, id, id+1)
			}
			for _, gid := range probe {
				i, found := c.sourceIndex(gid)
				wi, wfound := slices.BinarySearch(tc.ids, gid)
				if found != wfound || (found && i != wi) {
					t.Errorf("gid %d: got (%d, %v), want (%d, %v)", gid, i, found, wi, wfound)
				}
			}
		})
	}
}

// TestInRuns checks the early-stopping scan against the count it stands for: runs of 8 or
// more sources on average.
func TestInRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 70 {
		for _, spread := range []int{1, 2, 5, 50} {
			src := make([]uint32, n)
			for i := range src {
				src[i] = uint32(i / spread)
				if r.IntN(10) == 0 {
					src[i] = uint32(r.IntN(100))
				}
			}
			changes := 0
			for i := 1; i < n; i++ {
				if src[i] != src[i-1] {
					changes++
				}
			}
			if got, want := inRuns(src), changes*8 <= n; got != want {
				t.Errorf("%v: inRuns %v, want %v (%d changes)", src, got, want, changes)
			}
		}
	}
}
