package kernel

import (
	"math"
	"slices"
)

// connRecord is a list of connections (source, VP-local target, weight, delay word) in the order
// they were made, kept compactly until they are stored:
//
//   - a target is kept once per run of consecutive connections to it (rules that go target by
//     target, fixed_indegree and all_to_all, give runs of the in-degree), and per connection only
//     once runs turn out short (runTgt is then nil and tgt has every connection's);
//
//   - weights and delay words are dictionary-coded columns, as in a store (dictCol): nothing for
//     a value every connection shares, a byte for up to 256 distinct values;
//
//   - sources, and targets kept per connection, take two bytes each while a call's span fewer
//     than 65,536 (idCol).
//
// hpc_benchmark's fixed_indegree calls keep 2 bytes a connection this way, the microcircuit's
// fixed_total_number calls (normal weights and delays) 13, against 20 as plain columns.
type connRecord struct {
	src            idCol
	tgt            idCol    // per connection, when targets are not run-length coded
	runTgt, runEnd []uint32 // run-length coded targets: run r is runTgt[r] up to index runEnd[r]
	rle            bool
	tLo, tHi       uint32 // the targets' expected range
	w              weightCol
	dr             drCol
}

// minRun is the mean run length of targets below which a record keeps a target per connection.
const minRun = 4

// newRecord returns an empty record with room for n connections from sources in [sLo, sHi] to
// targets in [tLo, tHi] (others may come, at four bytes), coding targets in runs when runs is
// true.
func newRecord(n int, runs bool, sLo, sHi, tLo, tHi uint32) connRecord {
	r := connRecord{src: newIDCol(n, sLo, sHi), rle: runs, tLo: tLo, tHi: tHi,
		w: newDictCol[float64](false), dr: newDictCol[uint32](false)}
	r.w.reserve(n)
	r.dr.reserve(n)
	if !runs {
		r.tgt = newIDCol(n, tLo, tHi)
	}
	return r
}

// len is the number of connections.
func (r *connRecord) len() int { return r.src.len() }

// add appends a connection.
func (r *connRecord) add(src, tgt uint32, w float64, dr uint32) {
	n := r.len()
	r.w.add(w)
	r.dr.add(dr)
	r.src.add(src)
	if !r.rle {
		r.tgt.add(tgt)
		return
	}
	if last := len(r.runTgt) - 1; last >= 0 && r.runTgt[last] == tgt {
		r.runEnd[last]++
		return
	}
	r.addRun(n, tgt)
}

// addSources appends connections from each of srcs to tgt, with weight w and delay word dr,
// and returns the least and the largest source (MaxUint32 and 0 when srcs is empty).
func (r *connRecord) addSources(srcs []uint64, tgt uint32, w float64, dr uint32) (lo, hi uint32) {
	lo = math.MaxUint32
	if len(srcs) == 0 {
		return lo, 0
	}
	if !r.rle {
		for _, s := range srcs {
			r.add(uint32(s), tgt, w, dr)
			lo, hi = min(lo, uint32(s)), max(hi, uint32(s))
		}
		return lo, hi
	}
	n := r.len()
	r.w.addRun(w, len(srcs))
	r.dr.addRun(dr, len(srcs))
	for _, s := range srcs {
		r.src.add(uint32(s))
		lo, hi = min(lo, uint32(s)), max(hi, uint32(s))
	}
	if last := len(r.runTgt) - 1; last >= 0 && r.runTgt[last] == tgt {
		r.runEnd[last] = uint32(r.len())
	} else {
		r.addRun(n, tgt)
		r.runEnd[len(r.runEnd)-1] = uint32(r.len())
	}
	return lo, hi
}

// addRun starts a run of target tgt at connection n, or keeps a target per connection from now
// on if runs are short.
func (r *connRecord) addRun(n int, tgt uint32) {
	r.runTgt, r.runEnd = append(r.runTgt, tgt), append(r.runEnd, uint32(n+1))
	if n >= 1024 && len(r.runTgt)*minRun > n {
		r.expandTargets()
	}
}

// expandTargets turns run-length coded targets into one per connection.
func (r *connRecord) expandTargets() {
	r.tgt = newIDCol(max(cap(r.src.u16)+cap(r.src.u32), r.len()), r.tLo, r.tHi)
	for _, t := range r.appendTargets(nil) {
		r.tgt.add(t)
	}
	r.runTgt, r.runEnd, r.rle = nil, nil, false
}

// appendTargets appends every connection's target to dst.
func (r *connRecord) appendTargets(dst []uint32) []uint32 {
	if !r.rle {
		return r.tgt.part(0, r.tgt.len(), dst)
	}
	from := uint32(0)
	for k, t := range r.runTgt {
		for range r.runEnd[k] - from {
			dst = append(dst, t)
		}
		from = r.runEnd[k]
	}
	return dst
}

// each calls f for every connection in order: its index, source and target.
func (r *connRecord) each(f func(i int, src, tgt uint32)) {
	if !r.rle {
		for i := range r.len() {
			f(i, r.src.at(i), r.tgt.at(i))
		}
		return
	}
	from := 0
	for k, t := range r.runTgt {
		end := int(r.runEnd[k])
		for i := from; i < end; i++ {
			f(i, r.src.at(i), t)
		}
		from = end
	}
}

// appendRecord appends q's connections to r.
func (r *connRecord) appendRecord(q *connRecord) {
	q.each(func(i int, src, tgt uint32) { r.add(src, tgt, q.w.at(i), q.dr.at(i)) })
}

// bytes returns the memory the record holds.
func (r *connRecord) bytes() int {
	return r.src.bytes() + r.tgt.bytes() + 4*(cap(r.runTgt)+cap(r.runEnd)) + r.w.bytes() + r.dr.bytes()
}

// batch is connections [from, to) of a record as plain arrays, the form placeBatch sorts: the
// sources (shared with the record), a target each, and the weights and delay words, or the one
// value of each when all share it (varW, varDR false).
type batch struct {
	src, tgt    []uint32
	w           []float64
	dr          []uint32
	w0          float64
	dr0         uint32
	varW, varDR bool
	// drc and drDict: the delay words as the record's codes and its dictionary, in the place of
	// dr (varDR is then false)
	drc    []uint8
	drDict []uint32
}

// part returns connections [from, to) as a batch, written into b's buffers where the record
// does not hold them as plain arrays.
func (r *connRecord) part(from, to int, b *placeBatch) batch {
	q := batch{src: r.src.part(from, to, b.src[:0])}
	q.w, q.w0, q.varW = colPart(&r.w, from, to, b.w[:0])
	if r.dr.coded && r.dr.codes != nil {
		q.drc, q.drDict = r.dr.codes[from:to], r.dr.dict
	} else {
		q.dr, q.dr0, q.varDR = colPart(&r.dr, from, to, b.dr[:0])
	}
	if !r.rle {
		q.tgt = r.tgt.part(from, to, b.tgt[:0])
		return q
	}
	buf := b.tgt[:0]
	k, _ := slices.BinarySearch(r.runEnd, uint32(from+1)) // the run holding connection from
	for i := from; i < to; k++ {
		end := min(int(r.runEnd[k]), to)
		for ; i < end; i++ {
			buf = append(buf, r.runTgt[k])
		}
	}
	q.tgt = buf
	return q
}

// colPart returns values [from, to) of c: the one value when c is constant (vary false), else
// the values, shared with c when it is plain and decoded into buf when it is coded.
func colPart[T float64 | uint32](c *dictCol[T], from, to int, buf []T) (vs []T, v0 T, vary bool) {
	switch {
	case c.constant():
		return nil, c.dict[0], false
	case !c.coded:
		return c.plain[from:to], 0, true
	}
	for _, k := range c.codes[from:to] {
		buf = append(buf, c.dict[k])
	}
	return buf, 0, true
}

// idCol is a record's column of node ids or VP-local indices: two bytes each, as offsets from
// base, while the values span fewer than 65,536 (a Connect between populations of that size,
// on one VP), else four. A value outside the span turns the column wide.
type idCol struct {
	base   uint32
	narrow bool
	u16    []uint16
	u32    []uint32
}

// newIDCol returns an empty column with room for n values, narrow if [lo, hi] spans fewer than
// 65,536.
func newIDCol(n int, lo, hi uint32) idCol {
	if lo <= hi && hi-lo <= math.MaxUint16 {
		return idCol{base: lo, narrow: true, u16: make([]uint16, 0, n)}
	}
	return idCol{u32: make([]uint32, 0, n)}
}

func (c *idCol) len() int { return len(c.u16) + len(c.u32) }

// add appends v.
func (c *idCol) add(v uint32) {
	if !c.narrow {
		c.u32 = append(c.u32, v)
		return
	}
	if v-c.base > math.MaxUint16 { // outside the span (below base too: the difference wraps)
		c.widen()
		c.u32 = append(c.u32, v)
		return
	}
	c.u16 = append(c.u16, uint16(v-c.base))
}

// widen turns a narrow column wide.
func (c *idCol) widen() {
	wide := make([]uint32, len(c.u16), max(cap(c.u16), len(c.u16)+1))
	for i, o := range c.u16 {
		wide[i] = c.base + uint32(o)
	}
	*c = idCol{u32: wide}
}

// at returns value i.
func (c *idCol) at(i int) uint32 {
	if c.narrow {
		return c.base + uint32(c.u16[i])
	}
	return c.u32[i]
}

// part returns values [from, to): shared with a wide column, written into buf from a narrow one.
func (c *idCol) part(from, to int, buf []uint32) []uint32 {
	if !c.narrow {
		return c.u32[from:to]
	}
	for _, o := range c.u16[from:to] {
		buf = append(buf, c.base+uint32(o))
	}
	return buf
}

// count adds one to cnt[v-lo] for every value v.
func (c *idCol) count(cnt []uint32, lo uint32) {
	if !c.narrow {
		for _, v := range c.u32 {
			cnt[v-lo]++
		}
		return
	}
	for _, o := range c.u16 {
		cnt[c.base+uint32(o)-lo]++
	}
}

// bytes is the memory the column holds.
func (c *idCol) bytes() int { return 2*cap(c.u16) + 4*cap(c.u32) }
