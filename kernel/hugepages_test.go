package kernel

import "testing"

// TestHugeMake checks that hugeMake makes what make makes, below and above the size from which
// it advises huge pages: the length, the capacity and zeros.
func TestHugeMake(t *testing.T) {
	for _, tc := range []struct{ n, c int }{{0, 0}, {3, 5}, {hugeMin / 8, hugeMin / 8}, {hugeMin/8 + 1, hugeMin / 4}} {
		s := hugeMake[float64](tc.n, tc.c)
		if len(s) != tc.n || cap(s) != tc.c {
			t.Errorf("hugeMake(%d, %d): len %d, cap %d", tc.n, tc.c, len(s), cap(s))
		}
		for i, v := range s[:tc.c] {
			if v != 0 {
				t.Fatalf("hugeMake(%d, %d): element %d is %g", tc.n, tc.c, i, v)
			}
		}
	}
}
