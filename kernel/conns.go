package kernel

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models"
)

// Aliases of the connection word's packing, which models define (their send rules read delays).
const (
	delayMask     = models.DelayMask
	chanShift     = models.ChanShift
	chanMask      = models.ChanMask
	maxRport      = models.MaxRport
	maxDelaySteps = models.MaxDelaySteps
)

func packDR(delay int64, ch models.Channel, rport int) uint32 { return models.PackDR(delay, ch, rport) }
func drDelay(dr uint32) int64                                 { return models.DRDelay(dr) }
func drChan(dr uint32) models.Channel                         { return models.DRChan(dr) }
func drRport(dr uint32) int64                                 { return models.DRRport(dr) }

// connStore holds the connections of one synapse model whose targets live on one VP, as arrays.
// After Prepare the connections are sorted by source (stable, so creation order is kept per
// source) and indexed by srcIDs/srcStart: the connections of source srcIDs[i] are
// [srcStart[i], srcStart[i+1]). Connections made after that sit in an unsorted tail with their
// sources in tailSrc until the next Prepare. A connection costs 16 bytes here: target (4),
// weight (8), delay+channel+receptor (4); the model's own per-connection state is in st.
type connStore struct {
	syn *synModel
	tgt []uint32
	w   []float64
	dr  []uint32
	st  models.SynState // nil for models without state (static_synapse)

	srcIDs   []uint32
	srcStart []uint32
	tailSrc  []uint32
	// spikeOnly is set at Prepare when every connection ends in the sign-split spike channel.
	spikeOnly bool
}

func newConnStore(s *synModel) *connStore { return &connStore{syn: s, st: s.m.NewState()} }

func (c *connStore) len() int { return len(c.tgt) }

func (c *connStore) add(src uint32, tgt uint32, w float64, dr uint32) {
	c.tailSrc = append(c.tailSrc, src)
	c.tgt = append(c.tgt, tgt)
	c.w = append(c.w, w)
	c.dr = append(c.dr, dr)
}

// truncate drops connections from index n on (undoing a failed Connect); n must lie in the tail.
func (c *connStore) truncate(n int) {
	sorted := c.len() - len(c.tailSrc)
	c.tailSrc = c.tailSrc[:n-sorted]
	c.tgt, c.w, c.dr = c.tgt[:n], c.w[:n], c.dr[:n]
	if c.st != nil && c.st.Len() > n {
		c.st.Truncate(n)
	}
}

// sources returns the source of every connection, in storage order.
func (c *connStore) sources() []uint32 {
	out := make([]uint32, 0, c.len())
	for i, s := range c.srcIDs {
		for j := c.srcStart[i]; j < c.srcStart[i+1]; j++ {
			out = append(out, s)
		}
	}
	return append(out, c.tailSrc...)
}

// sortBySource merges the tail into the sorted part: a stable sort of all connections by source.
func (c *connStore) sortBySource() {
	if len(c.tailSrc) == 0 {
		return
	}
	src := c.sources()
	perm := stableOrderBySource(src)
	c.tgt = permute(c.tgt, perm)
	c.w = permute(c.w, perm)
	c.dr = permute(c.dr, perm)
	if c.st != nil {
		c.st.Permute(perm)
	}
	c.srcIDs, c.srcStart = c.srcIDs[:0], c.srcStart[:0]
	for i, p := range perm {
		s := src[p]
		if len(c.srcIDs) == 0 || c.srcIDs[len(c.srcIDs)-1] != s {
			c.srcIDs = append(c.srcIDs, s)
			c.srcStart = append(c.srcStart, uint32(i))
		}
	}
	c.srcStart = append(c.srcStart, uint32(len(perm)))
	c.tailSrc = nil
}

// stableOrderBySource returns the permutation that sorts src stably (a counting sort over the
// range of source ids: linear in the number of connections plus that range).
func stableOrderBySource(src []uint32) []int32 {
	lo, hi := uint32(math.MaxUint32), uint32(0)
	for _, s := range src {
		lo, hi = min(lo, s), max(hi, s)
	}
	perm := make([]int32, len(src))
	if len(src) == 0 {
		return perm
	}
	start := make([]int32, int(hi-lo)+2)
	for _, s := range src {
		start[s-lo+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	for i, s := range src {
		perm[start[s-lo]] = int32(i)
		start[s-lo]++
	}
	return perm
}

func permute[T any](xs []T, perm []int32) []T {
	out := make([]T, len(xs))
	for i, p := range perm {
		out[i] = xs[p]
	}
	return out
}

// rangeOf returns the connections of source gid: [first, last).
func (c *connStore) rangeOf(gid uint32) (int, int) {
	ids := c.srcIDs
	i, found := slices.BinarySearch(ids, gid)
	if !found {
		return 0, 0
	}
	return int(c.srcStart[i]), int(c.srcStart[i+1])
}
