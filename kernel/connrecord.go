package kernel

import (
	"math"
	"slices"
)

// connRecord is a list of connections (source, VP-local target, weight, delay word) in the order
// they were made, kept compactly until they are stored:
//   - a target is kept once per run of consecutive connections to it (rules that go target by
//     target, fixed_indegree and all_to_all, give runs of the in-degree), and per connection only
//     once runs turn out short (runTgt is then nil and tgt has every connection's);
//   - a weight or delay word is kept per connection only once one differs from the first
//     connection's (a constant syn_spec keeps one of each).
//
// hpc_benchmark's fixed_indegree calls keep 4 bytes a connection this way, against 16 as four
// plain columns.
type connRecord struct {
	src            []uint32
	tgt            []uint32 // per connection, when targets are not run-length coded
	runTgt, runEnd []uint32 // run-length coded targets: run r is runTgt[r] up to index runEnd[r]
	rle            bool
	w              []float64
	dr             []uint32
	w0             float64
	dr0            uint32
	varW, varDR    bool
}

// minRun is the mean run length of targets below which a record keeps a target per connection.
const minRun = 4

// newRecord returns an empty record for about n connections, coding targets in runs when
// runs is true.
func newRecord(n int, runs bool) connRecord {
	r := connRecord{src: make([]uint32, 0, n), rle: runs}
	if !runs {
		r.tgt = make([]uint32, 0, n)
	}
	return r
}

// add appends a connection.
func (r *connRecord) add(src, tgt uint32, w float64, dr uint32) {
	n := len(r.src)
	if n == 0 {
		r.w0, r.dr0, r.varW, r.varDR = w, dr, false, false
	}
	if r.varW || w != r.w0 {
		r.addWeight(n, w)
	}
	if r.varDR || dr != r.dr0 {
		r.addDR(n, dr)
	}
	r.src = append(r.src, src)
	if !r.rle {
		r.tgt = append(r.tgt, tgt)
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
	if len(r.src) == 0 || r.varW || r.varDR || w != r.w0 || dr != r.dr0 || !r.rle {
		for _, s := range srcs {
			r.add(uint32(s), tgt, w, dr)
			lo, hi = min(lo, uint32(s)), max(hi, uint32(s))
		}
		return lo, hi
	}
	for _, s := range srcs {
		r.src = append(r.src, uint32(s))
		lo, hi = min(lo, uint32(s)), max(hi, uint32(s))
	}
	if last := len(r.runTgt) - 1; r.runTgt[last] == tgt {
		r.runEnd[last] = uint32(len(r.src))
	} else {
		r.runTgt, r.runEnd = append(r.runTgt, tgt), append(r.runEnd, uint32(len(r.src)))
	}
	return lo, hi
}

// addWeight appends connection n's weight w, keeping a weight per connection from now on.
func (r *connRecord) addWeight(n int, w float64) {
	if !r.varW {
		r.varW, r.w = true, filled(r.w, n, cap(r.src), r.w0)
	}
	r.w = append(r.w, w)
}

// addDR appends connection n's delay word dr, keeping one per connection from now on.
func (r *connRecord) addDR(n int, dr uint32) {
	if !r.varDR {
		r.varDR, r.dr = true, filled(r.dr, n, cap(r.src), r.dr0)
	}
	r.dr = append(r.dr, dr)
}

// addRun starts a run of target tgt at connection n, or keeps a target per connection from now
// on if runs are short.
func (r *connRecord) addRun(n int, tgt uint32) {
	r.runTgt, r.runEnd = append(r.runTgt, tgt), append(r.runEnd, uint32(n+1))
	if n >= 1024 && len(r.runTgt)*minRun > n {
		r.expandTargets()
	}
}

// filled returns n copies of v, in buf when it has the room (else in a new slice with room for
// as many values as the record's sources).
func filled[T any](buf []T, n, room int, v T) []T {
	if cap(buf) < n+1 {
		buf = make([]T, 0, max(room, 2*n+1))
	}
	buf = buf[:n]
	for i := range buf {
		buf[i] = v
	}
	return buf
}

// part returns connections [from, to) as a record that shares r's arrays, with targets one per
// connection (written into buf if r codes them in runs).
func (r *connRecord) part(from, to int, buf []uint32) connRecord {
	q := connRecord{src: r.src[from:to], w0: r.w0, dr0: r.dr0, varW: r.varW, varDR: r.varDR}
	if r.varW {
		q.w = r.w[from:to]
	}
	if r.varDR {
		q.dr = r.dr[from:to]
	}
	if !r.rle {
		q.tgt = r.tgt[from:to]
		return q
	}
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

// expandTargets turns run-length coded targets into one per connection.
func (r *connRecord) expandTargets() {
	r.tgt = make([]uint32, 0, max(cap(r.src), len(r.src)))
	r.tgt = r.appendTargets(r.tgt)
	r.runTgt, r.runEnd, r.rle = nil, nil, false
}

// appendTargets appends every connection's target to dst.
func (r *connRecord) appendTargets(dst []uint32) []uint32 {
	if !r.rle {
		return append(dst, r.tgt...)
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

// weight and drWord return connection i's weight and delay word.
func (r *connRecord) weight(i int) float64 {
	if r.varW {
		return r.w[i]
	}
	return r.w0
}

func (r *connRecord) drWord(i int) uint32 {
	if r.varDR {
		return r.dr[i]
	}
	return r.dr0
}

// each calls f for every connection in order: its index, source and target.
func (r *connRecord) each(f func(i int, src, tgt uint32)) {
	if !r.rle {
		for i, s := range r.src {
			f(i, s, r.tgt[i])
		}
		return
	}
	from := 0
	for k, t := range r.runTgt {
		end := int(r.runEnd[k])
		for i := from; i < end; i++ {
			f(i, r.src[i], t)
		}
		from = end
	}
}

// appendRecord appends q's connections to r.
func (r *connRecord) appendRecord(q *connRecord) {
	q.each(func(i int, src, tgt uint32) { r.add(src, tgt, q.weight(i), q.drWord(i)) })
}

// bytes returns the memory the record holds.
func (r *connRecord) bytes() int {
	return 4*(cap(r.src)+cap(r.tgt)+cap(r.runTgt)+cap(r.runEnd)+cap(r.dr)) + 8*cap(r.w)
}
