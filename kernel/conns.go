package kernel

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"unsafe"

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
// sources in tailSrc until the next Prepare; in stores of models without per-connection state,
// connections between neurons are instead deferred (pending: counted when Connect runs, stored
// straight into source order at the next Prepare or when the store is read). A connection costs
// 5 to 16 bytes here: target (4), weight (8, or 1 or 0 when the column is dictionary-coded: see
// dictCol), delay+channel+receptor word (4, or 1 or 0 when coded); the model's own per-connection
// state is in st, and a model with state keeps both columns plain (its send rule reads and
// writes them as arrays).
type connStore struct {
	syn *synModel
	tgt []uint32
	w   weightCol
	dr  drCol
	st  models.SynState // nil for models without state (static_synapse)

	srcIDs   []uint32
	srcStart []uint32
	tailSrc  []uint32
	// pending holds Connect calls between neurons whose connections were drawn and kept but not
	// yet stored (models without per-connection state, and calls with constant values into
	// models with it; see placePending), in creation order, after the tail.
	pending []*pendingConns
	// pendVals are the parameter values of the pending calls into a model with per-connection
	// state (all the same): the state is made from them when the calls are placed
	pendVals []float64
	// spikeOnly is set at Prepare when every connection ends in the sign-split spike channel.
	spikeOnly bool
	// chans has bit c set when some connection ends in channel c (set at Prepare after
	// connections changed, or when not yet known: chansKnown)
	chans      uint8
	chansKnown bool
	// srcCode is set at Prepare for coded weights: per source (as srcIDs), the code all of its
	// connections share, or −1 (see noteSourceWeights); empty when not known.
	srcCode []int16
}

func newConnStore(s *synModel) *connStore {
	st := s.m.NewState()
	// A model with per-connection state gets plain weights (its send rule changes them one by
	// one); delay words stay coded until a send rule needs them as an array (plainColumns).
	return &connStore{syn: s, st: st, w: newDictCol[float64](st != nil), dr: newDictCol[uint32](false)}
}

func (c *connStore) len() int { return len(c.tgt) }

func (c *connStore) add(src uint32, tgt uint32, w float64, dr uint32) {
	c.tailSrc = append(c.tailSrc, src)
	c.tgt = append(c.tgt, tgt)
	c.w.add(w)
	c.dr.add(dr)
}

// plainColumns decodes the weight column into an array, and the delay column unless it holds
// one word (for a send rule, and for static synapses with a weight recorder).
func (c *connStore) plainColumns() {
	c.w.decode()
	if !c.dr.constant() { // one word stays coded: a send rule gets it as SendBatch.DR0
		c.dr.decode()
	}
}

// reserve makes room for n more connections, so that building them neither grows nor copies the
// arrays (state of models that can reserve too: SynState with Grow). A store that must move is
// moved one column at a time, each old column collected before the next is copied (its pages
// are reused): the move then needs the largest column (8 bytes a connection) on top of the
// store, not a second store.
func (c *connStore) reserve(n int) {
	if n <= 0 || cap(c.tgt)-len(c.tgt) >= n && c.w.capLeft() >= n && c.dr.capLeft() >= n && cap(c.tailSrc)-len(c.tailSrc) >= n {
		if g, ok := c.st.(interface{ Grow(n int) }); ok && n > 0 {
			g.Grow(n)
		}
		return
	}
	big := len(c.tgt) >= bigStore
	release := func() {
		if big { // the old column is garbage: collect it, so that the next copy can reuse its pages
			runtime.GC()
		}
	}
	c.tailSrc = slices.Grow(c.tailSrc, n)
	release()
	c.tgt = slices.Grow(c.tgt, n)
	release()
	c.w.reserve(n)
	release()
	c.dr.reserve(n)
	release()
	if g, ok := c.st.(interface{ Grow(n int) }); ok {
		g.Grow(n)
		release()
	}
}

// bigStore is the number of connections from which a store's old arrays are collected at once
// when they are replaced (16 bytes a connection: 64 MB).
const bigStore = 4 << 20

// truncate drops connections from index n on (undoing a failed Connect); n must lie in the tail.
func (c *connStore) truncate(n int) {
	sorted := c.len() - len(c.tailSrc)
	c.tailSrc = c.tailSrc[:n-sorted]
	c.tgt = c.tgt[:n]
	c.w.truncate(n)
	c.dr.truncate(n)
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
// A counting sort over the range of source ids gives every connection its final position
// dest[i] = (connections of smaller sources) + (earlier connections of the same source), written
// over the tail's source array; its inverse perm (perm[dest[i]] = i) gathers each array,
// out[j] = x[perm[j]], reading at random but independently (many loads in flight) and writing in
// sequence. The gathers reuse memory: the dest array, free once perm is built, receives the
// targets; the old targets' array the delays; the weights are gathered into that array and into
// the consumed front of perm (permuteWeights). The sort thus needs 4 bytes per connection besides
// the tail's sources, not a second copy of the store.
func (c *connStore) sortBySource() {
	c.sortTail()
	c.placePending()
}

// sortTail merges the unsorted tail into the sorted part (see sortBySource).
func (c *connStore) sortTail() {
	if len(c.tailSrc) == 0 {
		return
	}
	src := c.tailSrc
	if len(c.srcIDs) > 0 { // connections made after an earlier sort: all sources, in storage order
		src = c.sources()
	}
	c.tailSrc = nil
	dest := c.indexBySource(src)
	n := len(dest)
	perm := make([]int32, n+1)[:n] // one spare element for permuteWeights
	for i, d := range dest {
		perm[d] = int32(i)
	}
	if c.st != nil {
		c.st.Permute(perm)
	}
	scratch := dest
	c.tgt, scratch = gather32(c.tgt, perm, scratch), c.tgt
	if !c.dr.coded {
		c.dr.plain, scratch = gather32(c.dr.plain, perm, scratch), c.dr.plain
	} else {
		c.dr.permute(perm, scratch)
	}
	c.w.permute(perm, scratch)
}

// permuteCodes reorders codes to codes[perm[j]] in place, gathering them into scratch's memory
// (at least len(codes)/4 uint32) and copying them back.
func permuteCodes(codes []uint8, perm []int32, scratch []uint32) {
	if len(codes) == 0 {
		return
	}
	out := unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(scratch))), len(codes))
	for j, p := range perm[:len(codes)] {
		out[j] = codes[p]
	}
	copy(codes, out)
}

// gather32 writes x[perm[j]] to out[j] and returns out[:len(x)].
func gather32(x []uint32, perm []int32, out []uint32) []uint32 {
	out = out[:len(x)]
	for j, p := range perm[:len(x)] {
		out[j] = x[p]
	}
	return out
}

// permuteWeights reorders w to w[perm[j]] in place with the help of scratch (at least len(w)
// uint32) and of perm itself (capacity at least len(w)+1): the first h = n/2 weights are gathered
// into scratch, the others into perm's own memory, where the weight for position j ≥ h occupies
// perm's elements 2(j−h) and 2(j−h)+1, both at most j (perm[j] is read before the write), so
// only elements already used are overwritten. Both halves are then copied back into w.
func permuteWeights(w []float64, perm []int32, scratch []uint32) {
	n := len(w)
	if n == 0 {
		return
	}
	h := n / 2
	lo := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(scratch))), h)
	for j, p := range perm[:h] {
		lo[j] = w[p]
	}
	full := perm[:n+1]
	hi := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(full))), n-h)
	for j := h; j < n; j++ {
		p := full[j]
		hi[j-h] = w[p]
	}
	copy(w[:h], lo)
	copy(w[h:], hi)
}

// indexBySource rebuilds srcIDs and srcStart for the sources src (storage order) and turns src
// into the destination of every connection under the stable sort by source (in place).
func (c *connStore) indexBySource(src []uint32) []uint32 {
	lo, hi := uint32(math.MaxUint32), uint32(0)
	for _, s := range src {
		lo, hi = min(lo, s), max(hi, s)
	}
	c.srcIDs, c.srcStart = c.srcIDs[:0], c.srcStart[:0]
	if len(src) == 0 {
		return src
	}
	next := make([]uint32, int(hi-lo)+1) // counts, then the next free position of each source
	for _, s := range src {
		next[s-lo]++
	}
	pos := uint32(0)
	for v, n := range next {
		if n > 0 {
			c.srcIDs = append(c.srcIDs, lo+uint32(v))
			c.srcStart = append(c.srcStart, pos)
		}
		next[v], pos = pos, pos+n
	}
	c.srcStart = append(c.srcStart, pos)
	for i, s := range src {
		src[i] = next[s-lo]
		next[s-lo]++
	}
	return src
}

// rangeOf returns the connections of source gid: [first, last).
func (c *connStore) rangeOf(gid uint32) (int, int) {
	_, first, last := c.sourceRun(gid)
	return first, last
}

// sourceRun returns source gid's position among the store's sources and its connections
// [first, last); src is −1 and the range empty when the store has none of gid's.
func (c *connStore) sourceRun(gid uint32) (src, first, last int) {
	i, found := c.sourceIndex(gid)
	if !found {
		return -1, 0, 0
	}
	return i, int(c.srcStart[i]), int(c.srcStart[i+1])
}

// sourceIndex returns the position of source gid in srcIDs (sorted, distinct), and whether it
// is there. When the sources are a contiguous range of ids (the last minus the first is their
// count less one: the common case of a population projecting onto every VP), the position is
// gid minus the first; otherwise a binary search finds it.
func (c *connStore) sourceIndex(gid uint32) (int, bool) {
	ids := c.srcIDs
	n := len(ids)
	if n == 0 {
		return 0, false
	}
	if lo := ids[0]; int(ids[n-1]-lo) == n-1 {
		i := int(gid - lo) // wraps to a large value below lo
		return i, gid >= lo && i < n
	}
	return slices.BinarySearch(ids, gid)
}

// placePending stores the connections of the pending Connect calls (see pendingConns). Their
// counts per source are known, so each column is allocated once at its final size and every
// connection is written straight to its place in source order: the connections of a source
// keep their creation order (the sorted part's first, then each call's in turn), exactly what
// the stable sort by source would give, without a tail of sources, a permutation or a copy per
// call. The sorted part, if any, is moved into the new columns one column at a time.
func (c *connStore) placePending() {
	if len(c.pending) == 0 {
		return
	}
	lo, hi := uint32(math.MaxUint32), uint32(0)
	if n := len(c.srcIDs); n > 0 {
		lo, hi = c.srcIDs[0], c.srcIDs[n-1]
	}
	total := len(c.tgt)
	for _, p := range c.pending {
		p.countExplicit()
		if n := len(p.ids); n > 0 {
			lo, hi = min(lo, p.ids[0]), max(hi, p.ids[n-1])
		}
		total += p.n
	}
	if total == len(c.tgt) {
		c.pending = nil
		return
	}
	next := make([]uint32, int(hi-lo)+1) // counts, then the next free position of each source
	for i, s := range c.srcIDs {
		next[s-lo] += c.srcStart[i+1] - c.srcStart[i]
	}
	for _, p := range c.pending {
		for i, s := range p.ids {
			next[s-lo] += p.cnt[i]
		}
	}
	ids := make([]uint32, 0, len(next))
	for v, n := range next {
		if n > 0 {
			ids = append(ids, lo+uint32(v))
		}
	}
	ids = slices.Clip(ids)
	start := make([]uint32, 0, len(ids)+1)
	pos := uint32(0)
	for v, n := range next {
		if n > 0 {
			start = append(start, pos)
		}
		next[v], pos = pos, pos+n
	}
	start = append(start, pos)

	big := len(c.tgt) >= bigStore
	oldIDs, oldStart := c.srcIDs, c.srcStart
	// Every page of the target column is written early (each batch holds runs of most
	// sources), so huge pages cost no memory here and spare a page walk per run (NOTES §38i).
	tgt := hugeMake[uint32](total, total)
	moveBlocks(tgt, c.tgt, oldIDs, oldStart, next, lo)
	c.tgt = nil
	if big {
		runtime.GC()
	}
	c.dr = c.dr.relayout(total, oldIDs, oldStart, next, lo)
	if big {
		runtime.GC()
	}
	// A model with state keeps plain weights. Placed into an empty store with one initial
	// weight, they are kept coded meanwhile (one value, no memory) and written once at the end,
	// in order, instead of run by run at scattered places.
	fillLater := !c.w.coded && len(oldIDs) == 0 && oneWeight(c.pending)
	if fillLater {
		c.w = newDictCol[float64](false)
	}
	c.w = c.w.relayout(total, oldIDs, oldStart, next, lo)
	for i, s := range oldIDs {
		next[s-lo] += oldStart[i+1] - oldStart[i]
	}
	c.tgt = tgt
	c.srcIDs, c.srcStart = ids, start
	c.w.decodeFor(c.pending, func(p *pendingConns) bool { return !p.x.w.coded })
	c.dr.decodeFor(c.pending, func(p *pendingConns) bool { return !p.x.dr.coded })
	var b placeBatch
	kept := 0
	for _, p := range c.pending {
		kept += p.x.bytes()
	}
	freed, every := 0, max(minReturn, kept/32)
	for _, p := range c.pending {
		freed += p.x.bytes()
		p.place(c, next, lo, &b)
		if freed >= every {
			// give the records placed so far back to the system: the store's pages are
			// touched only as they are written, so the peak stays near the records' size
			debug.FreeOSMemory()
			freed = 0
		}
	}
	c.pending = nil
	if fillLater {
		c.w.decode()
	}
	c.makeState(total)
}

// oneWeight reports whether every pending call gave all its connections one weight, the same
// bits for all calls.
func oneWeight(pending []*pendingConns) bool {
	if len(pending) == 0 || !pending[0].x.w.constant() || len(pending[0].x.w.dict) == 0 {
		return false
	}
	for _, p := range pending {
		if !p.x.w.holdsOnly(pending[0].x.w.dict[0]) {
			return false
		}
	}
	return true
}

// makeState gives the connections of a store of a model with per-connection state, placed from
// pending calls into an empty store, their state, in store order (the calls' values were checked
// when they were made).
func (c *connStore) makeState(total int) {
	if c.st == nil || c.st.Len() == total {
		return
	}
	if g, ok := c.st.(interface{ Grow(n int) }); ok {
		g.Grow(total - c.st.Len())
	}
	if ra, ok := c.st.(models.RunAdder); ok && ra.AddRun(c.pendVals, total-c.st.Len()) {
		c.pendVals = nil
		return
	}
	for j := c.st.Len(); j < total; j++ {
		if err := c.st.Add(c.pendVals, c.w.at(j)); err != nil {
			panic(fmt.Sprintf("kernel: the state of a connection checked at Connect: %v", err))
		}
	}
	c.pendVals = nil
}

// minReturn is the least size of placed records (connRecord) from which placePending returns
// their memory to the system (else every 1/32 of the store's records).
const minReturn = 16 << 20

// moveBlocks copies the connections of each source ids[i], old[start[i]:start[i+1]], to
// new[next[ids[i]-lo]:].
func moveBlocks[T any](new, old []T, ids, start, next []uint32, lo uint32) {
	for i, s := range ids {
		copy(new[next[s-lo]:], old[start[i]:start[i+1]])
	}
}

// pendingLen returns the number of connections of the pending Connect calls.
func (c *connStore) pendingLen() int {
	n := 0
	for _, p := range c.pending {
		n += p.n
	}
	return n
}
