package kernel

import (
	"math"
	"slices"
	"unsafe"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/state"
)

// maxCodes is the number of distinct values a dictionary-coded column can hold (its codes are
// bytes).
const maxCodes = 256

// dictCol is a per-connection column of a connection store: weights (float64) or delay-and-
// channel words (uint32). The values of a column are mostly a few: one weight per Connect call
// (J, −g·J), delays on the step grid. So a store of a model without per-connection state keeps
// them dictionary-coded: the distinct values (compared bit for bit, so that −0 and +0 stay apart)
// in dict, and one byte per connection in codes, or no byte at all while every value is dict[0].
// A 257th distinct value, or a store whose model reads and writes the columns as arrays (plastic
// synapses), keeps them plain: one value per connection. Either way at(i) is the exact value that
// was added or set.
type dictCol[T float64 | uint32] struct {
	plain []T     // the values, when not coded
	coded bool    // dictionary-coded: dict, codes and n hold the column
	dict  []T     // distinct values in order of first appearance
	codes []uint8 // value i is dict[codes[i]]; nil while every value is dict[0]
	n     int     // length of a coded column
	last  uint8   // code of the last value added (most additions repeat it)
	want  int     // capacity reserved for a coded column whose codes are not yet allocated
	// index finds a value's code once the dictionary outgrows a linear search: an open-addressing
	// table of 1 + code (0: empty) by the value's bits
	index []uint16
}

// indexBits is the size of a dictionary's index (1 << indexBits slots, at most a quarter full),
// linearSearch the dictionary size up to which it is searched without one.
const (
	indexBits    = 10
	linearSearch = 8
)

// slotOf is the first index slot of a value with the given bits (Fibonacci hashing).
func slotOf(bits uint64) int { return int((bits * 0x9e3779b97f4a7c15) >> (64 - indexBits)) }

// weightCol is a store's weight column, drCol its column of packed delay, channel and receptor
// words.
type (
	weightCol = dictCol[float64]
	drCol     = dictCol[uint32]
)

// newDictCol returns an empty column, coded unless plain is set.
func newDictCol[T float64 | uint32](plain bool) dictCol[T] { return dictCol[T]{coded: !plain} }

func (c *dictCol[T]) len() int {
	if c.coded {
		return c.n
	}
	return len(c.plain)
}

// constant reports whether every value is dict[0] (no codes are stored).
func (c *dictCol[T]) constant() bool { return c.coded && c.codes == nil }

// at returns value i.
func (c *dictCol[T]) at(i int) T {
	if !c.coded {
		return c.plain[i]
	}
	if c.codes == nil {
		return c.dict[0]
	}
	return c.dict[c.codes[i]]
}

// bitsOf is the identity of a value: its float64 bits (exact for uint32 too).
func bitsOf[T float64 | uint32](v T) uint64 { return math.Float64bits(float64(v)) }

// code returns the dictionary code of v, adding v to the dictionary if there is room; ok is
// false when the dictionary is full.
func (c *dictCol[T]) code(v T) (code uint8, ok bool) {
	bits := bitsOf(v)
	if len(c.dict) > 0 && bitsOf(c.dict[c.last]) == bits {
		return c.last, true
	}
	if c.index == nil {
		for k, d := range c.dict {
			if bitsOf(d) == bits {
				return uint8(k), true
			}
		}
	} else {
		mask := len(c.index) - 1
		for s := slotOf(bits); c.index[s] != 0; s = (s + 1) & mask {
			if k := c.index[s] - 1; bitsOf(c.dict[k]) == bits {
				return uint8(k), true
			}
		}
	}
	if len(c.dict) == maxCodes {
		return 0, false
	}
	c.dict = append(c.dict, v)
	switch {
	case c.index != nil:
		c.indexCode(len(c.dict) - 1)
	case len(c.dict) > linearSearch:
		c.buildIndex()
	}
	return uint8(len(c.dict) - 1), true
}

// buildIndex enters every code of the dictionary into a new index.
func (c *dictCol[T]) buildIndex() {
	c.index = make([]uint16, 1<<indexBits)
	for k := range c.dict {
		c.indexCode(k)
	}
}

// indexCode enters code k into the index.
func (c *dictCol[T]) indexCode(k int) {
	mask := len(c.index) - 1
	s := slotOf(bitsOf(c.dict[k]))
	for c.index[s] != 0 {
		s = (s + 1) & mask
	}
	c.index[s] = uint16(k + 1)
}

// add appends v.
func (c *dictCol[T]) add(v T) {
	if !c.coded {
		c.plain = append(c.plain, v)
		return
	}
	k, ok := c.code(v)
	if !ok {
		c.decode()
		c.plain = append(c.plain, v)
		return
	}
	c.last = k
	if c.codes == nil {
		if k == 0 {
			c.n++
			return
		}
		c.allocCodes()
	}
	c.codes = append(c.codes, k)
	c.n++
}

// bytes is the memory the column holds.
func (c *dictCol[T]) bytes() int {
	var v T
	size := int(unsafe.Sizeof(v))
	return size*(cap(c.plain)+cap(c.dict)) + cap(c.codes) + 2*cap(c.index)
}

// addRun appends n copies of v.
func (c *dictCol[T]) addRun(v T, n int) {
	if c.coded && c.codes == nil && len(c.dict) > 0 && bitsOf(c.dict[0]) == bitsOf(v) {
		c.n += n // a constant column stays constant
		return
	}
	for range n {
		c.add(v)
	}
}

// allocCodes gives a constant column its codes (zeros), with the capacity reserved so far.
func (c *dictCol[T]) allocCodes() {
	c.codes = make([]uint8, c.n, max(c.want, c.n+1))
}

// set replaces value i.
func (c *dictCol[T]) set(i int, v T) {
	if !c.coded {
		c.plain[i] = v
		return
	}
	k, ok := c.code(v)
	if !ok {
		c.decode()
		c.plain[i] = v
		return
	}
	if c.codes == nil {
		if k == 0 {
			return
		}
		c.allocCodes()
	}
	c.codes[i] = k
}

// decode turns a coded column into a plain one (keeping the capacity reserved).
func (c *dictCol[T]) decode() {
	if !c.coded {
		return
	}
	size := max(c.n, c.want, cap(c.codes))
	var plain []T
	switch {
	case len(c.dict) == 0: // no value was set yet: the column's pages stay untouched
		plain = make([]T, c.n, size)
	case c.codes == nil: // one value: every page is written now, in order
		plain = hugeMake[T](c.n, size)
		v := c.dict[0]
		for i := range plain {
			plain[i] = v
		}
	default:
		plain = make([]T, c.n, size)
		for i, k := range c.codes[:c.n] {
			plain[i] = c.dict[k]
		}
	}
	*c = dictCol[T]{plain: plain}
}

// decodeFor makes the column plain before the pending records are placed into it if one of them
// holds plain values (more than 256 distinct: the column would turn plain as they are placed):
// decoded while no value is set, its pages are touched only as the values are written, so that
// the records placed before give their memory back first.
func (c *dictCol[T]) decodeFor(pending []*pendingConns, plain func(*pendingConns) bool) {
	if c.coded && slices.ContainsFunc(pending, plain) {
		c.decode()
	}
}

// reserve makes room for n more values.
func (c *dictCol[T]) reserve(n int) {
	switch {
	case !c.coded:
		c.plain = slices.Grow(c.plain, n)
	case c.codes != nil:
		c.codes = slices.Grow(c.codes, n)
	default:
		c.want = max(c.want, c.n+n)
	}
}

// capLeft is the room left for values without growing.
func (c *dictCol[T]) capLeft() int {
	switch {
	case !c.coded:
		return cap(c.plain) - len(c.plain)
	case c.codes != nil:
		return cap(c.codes) - len(c.codes)
	}
	return math.MaxInt
}

// truncate keeps the first n values.
func (c *dictCol[T]) truncate(n int) {
	if !c.coded {
		c.plain = c.plain[:n]
		return
	}
	c.n = n
	if c.codes != nil {
		c.codes = c.codes[:n]
	}
}

// bytesPer is the memory a connection's value takes.
func (c *dictCol[T]) bytesPer() int {
	switch {
	case !c.coded:
		var v T
		return int(unsafe.Sizeof(v))
	case c.codes != nil:
		return 1
	}
	return 0
}

// permute reorders the column to value perm[j] at j, with scratch (len(perm) uint32) as
// working memory; perm has one spare element (see permuteWeights).
func (c *dictCol[T]) permute(perm []int32, scratch []uint32) {
	switch {
	case c.codes != nil:
		permuteCodes(c.codes, perm, scratch)
	case c.coded:
	default:
		switch plain := any(c.plain).(type) {
		case []float64:
			permuteWeights(plain, perm, scratch)
		case []uint32:
			out := gather32(plain, perm, scratch)
			copy(plain, out)
		}
	}
}

// encode writes the column as the plain array it stands for (checkpoint state version 1); a
// coded column is expanded first.
func (c *dictCol[T]) encode(e *state.Encoder) {
	switch plain := any(c.values()).(type) {
	case []float64:
		e.F64s(plain)
	case []uint32:
		e.U32s(plain)
	}
}

// columnOf returns a column holding the values plain, coded like one built by add unless
// keepPlain is set (a column read from a checkpoint).
func columnOf[T float64 | uint32](plain []T, keepPlain bool) dictCol[T] {
	if keepPlain {
		return dictCol[T]{plain: plain}
	}
	c := newDictCol[T](false)
	c.reserve(len(plain))
	for _, v := range plain {
		c.add(v)
		if !c.coded {
			return dictCol[T]{plain: plain}
		}
	}
	return c
}

// channelMask returns the channels the store's connections end in, bit c for channel c.
func (c *connStore) channelMask() uint8 {
	if c.dr.coded {
		return channelsOf(c.dr.dict)
	}
	return channelsOf(c.dr.plain)
}

// channelsOf returns the channels of delay words, bit c for channel c.
func channelsOf(drs []uint32) uint8 {
	var m uint8
	for _, dr := range drs {
		m |= 1 << drChan(dr)
	}
	return m
}

// onlySpike reports whether a channel mask holds no channel but the sign-split spike channel.
func onlySpike(m uint8) bool { return m&^(1<<models.ChanSpike) == 0 }

// noteSourceWeights sets srcCode after a sort: for each source, the weight code that all of its
// connections share, or −1. Delivery then adds one value per spike without reading codes.
func (c *connStore) noteSourceWeights() {
	c.srcCode = c.srcCode[:0]
	if !c.w.coded || c.w.codes == nil || len(c.srcIDs) == 0 {
		return
	}
	for i := range c.srcIDs {
		codes := c.w.codes[c.srcStart[i]:c.srcStart[i+1]]
		code := int16(codes[0])
		if slices.ContainsFunc(codes[1:], func(k uint8) bool { return k != codes[0] }) {
			code = -1
		}
		c.srcCode = append(c.srcCode, code)
	}
}

// sourceRange returns the connections of source gid, [first, last), and the weight code they
// share (−1: none or not known).
func (c *connStore) sourceRange(gid uint32) (first, last int, code int16) {
	i, first, last := c.sourceRun(gid)
	code = -1
	if i >= 0 && i < len(c.srcCode) {
		code = c.srcCode[i]
	}
	return first, last, code
}

// relayout returns the column at length total for a store that places new connections among
// its old ones: the old values of each source ids[i], [start[i], start[i+1]), move to
// next[ids[i]-lo] (moveBlocks), in the old coding; the other places are filled by fillRun and
// copyRun (a constant column leaves them at dict[0] until then).
func (c dictCol[T]) relayout(total int, ids, start, next []uint32, lo uint32) dictCol[T] {
	switch {
	case !c.coded:
		plain := make([]T, total)
		moveBlocks(plain, c.plain, ids, start, next, lo)
		return dictCol[T]{plain: plain}
	case c.codes != nil:
		codes := make([]uint8, total)
		moveBlocks(codes, c.codes, ids, start, next, lo)
		c.codes = codes
	}
	c.n, c.want = total, 0
	return c
}

// holdsOnly reports whether the column is coded with every value v (bit for bit), so that
// fillRun with v changes nothing.
func (c *dictCol[T]) holdsOnly(v T) bool {
	return c.constant() && len(c.dict) > 0 && bitsOf(c.dict[0]) == bitsOf(v)
}

// fillRun sets the values [j, j+n) to v.
func (c *dictCol[T]) fillRun(j, n int, v T) {
	if c.coded {
		k, ok := c.code(v)
		switch {
		case !ok:
			c.decode()
		case c.codes == nil && k == 0:
			return
		default:
			if c.codes == nil {
				c.allocCodes()
			}
			run := c.codes[j : j+n]
			for i := range run {
				run[i] = k
			}
			return
		}
	}
	run := c.plain[j : j+n]
	for i := range run {
		run[i] = v
	}
}

// copyRun sets the values from j on to vs (one copy once the column is plain).
func (c *dictCol[T]) copyRun(j int, vs []T) {
	for i, v := range vs {
		if !c.coded {
			copy(c.plain[j+i:], vs[i:])
			return
		}
		c.set(j+i, v)
	}
}

// values returns every value in storage order (the plain array, or a new one for a coded column).
func (c *dictCol[T]) values() []T {
	if !c.coded {
		return c.plain
	}
	out := make([]T, c.n)
	for i := range out {
		out[i] = c.at(i)
	}
	return out
}

// encodeCoded writes the column in its coding (checkpoint state version 2): whether it is coded;
// plain: the values; coded: the dictionary, the length, whether there are codes, and the codes.
func (c *dictCol[T]) encodeCoded(e *state.Encoder) {
	e.Bool(c.coded)
	if !c.coded {
		c.encode(e)
		return
	}
	switch dict := any(c.dict).(type) {
	case []float64:
		e.F64s(dict)
	case []uint32:
		e.U32s(dict)
	}
	e.Int(c.n)
	e.Bool(c.codes != nil)
	if c.codes != nil {
		e.Raw(c.codes)
	}
}

// encodePlain writes the column as encodeCoded writes a plain one.
func (c *dictCol[T]) encodePlain(e *state.Encoder) {
	e.Bool(false)
	c.encode(e)
}

// decodeCoded reads a column written by encodeCoded; values reads an array of T. A coded
// column must have at most 256 distinct values, at least one when it is not empty, and codes
// within its dictionary and as many as its length.
func decodeCoded[T float64 | uint32](d *state.Decoder, what string, values func() []T) dictCol[T] {
	if !d.Bool() {
		return dictCol[T]{plain: values()}
	}
	c := dictCol[T]{coded: true, dict: values(), n: d.Int()}
	if d.Bool() {
		c.codes = d.Raw()
		d.LenIs(what+" codes", len(c.codes), c.n)
	}
	switch {
	case d.Err() != nil:
	case len(c.dict) > maxCodes || c.n < 0 || (c.n > 0 && len(c.dict) == 0):
		d.Fail("%s: a coded column of %d values with %d distinct ones", what, c.n, len(c.dict))
	case slices.ContainsFunc(c.codes, func(k uint8) bool { return int(k) >= len(c.dict) }):
		d.Fail("%s: a code beyond the %d distinct values", what, len(c.dict))
	}
	if len(c.dict) > linearSearch {
		c.buildIndex()
	}
	return c
}
