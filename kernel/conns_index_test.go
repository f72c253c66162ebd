package kernel

import (
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
