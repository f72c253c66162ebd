package models

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models/state"
)

// SourceAware is a SynState that keeps state shared by the connections of one source: before it
// delivers through a store sorted by source, the kernel hands the state the store's source
// boundaries (the connections of the i-th source are [start[i], start[i+1]), the last element
// is the number of connections) whenever WantSources reports that they may have changed since.
// The state is correct without them, only slower.
type SourceAware interface {
	WantSources() bool
	Sources(start []uint32)
}

// preTrace is the presynaptic state of the STDP connections of one store on one VP: the trace K+
// and the time t_last of the last presynaptic spike, per connection. Both follow the spikes of
// the source, so the connections of one source made together hold the same values: preTrace
// keeps them run-length encoded, one (K+, t_last) per run of consecutive connections with equal
// values (compared bit for bit), and once the kernel has given the source boundaries (Sources)
// every source starts a run, so that a spike updates one value per run instead of one per
// connection. Where values differ connection by connection (Kplus drawn at random, set on single
// connections) runs do not pay and it keeps one value per connection (dense) until a later
// Sources finds that they compress again. The encoding never changes a value, only where it is
// kept.
type preTrace struct {
	n int // connections
	// runs: run r covers [start[r], start[r+1]) (the last run ends at n), with K+ k[r] and
	// t_last t[r]. dense: start is nil and k, t have one element per connection.
	start []uint32
	k, t  []float64
	dense bool
	// fixed keeps the values dense for good (stdp_synapse, whose K+ decays with a time constant
	// of each connection's own).
	fixed bool
	// want asks for Sources: the runs may straddle source boundaries, or dense values may
	// compress.
	want bool
}

// maxRunFrac: runs are kept while there are at most n/maxRunFrac of them (a run costs 16 bytes
// and an index, a dense connection 16 bytes).
const maxRunFrac = 4

// sameKT reports whether two (K+, t_last) pairs are bit for bit equal.
func sameKT(k1, t1, k2, t2 float64) bool {
	return math.Float64bits(k1) == math.Float64bits(k2) && math.Float64bits(t1) == math.Float64bits(t2)
}

func (p *preTrace) len() int { return p.n }

// run returns the run holding connection j (runs mode).
func (p *preTrace) run(j int) int {
	r, found := slices.BinarySearch(p.start, uint32(j))
	if !found {
		r--
	}
	return r
}

// end returns the end of run r (runs mode).
func (p *preTrace) end(r int) int {
	if r+1 < len(p.start) {
		return int(p.start[r+1])
	}
	return p.n
}

// at returns K+ and t_last of connection j.
func (p *preTrace) at(j int) (float64, float64) {
	if p.dense {
		return p.k[j], p.t[j]
	}
	r := p.run(j)
	return p.k[r], p.t[r]
}

// pushN appends n connections with K+ k and t_last t: as n calls of push.
func (p *preTrace) pushN(k, t float64, n int) {
	if n <= 0 {
		return
	}
	if p.dense || p.fixed {
		for range n {
			p.push(k, t)
		}
		return
	}
	p.push(k, t)
	p.n += n - 1 // the run push continued or began holds them all
}

// push appends a connection with K+ k and t_last t.
func (p *preTrace) push(k, t float64) {
	if p.dense || p.fixed {
		p.dense = true
		p.k, p.t = append(p.k, k), append(p.t, t)
		p.n++
		return
	}
	if r := len(p.start) - 1; r < 0 || !sameKT(p.k[r], p.t[r], k, t) {
		p.start = append(p.start, uint32(p.n))
		p.k, p.t = append(p.k, k), append(p.t, t)
	}
	p.n++
	if p.n >= 1024 && len(p.start) > p.n/2 {
		p.densify()
	}
	p.want = true
}

// densify switches to one value per connection.
func (p *preTrace) densify() {
	if p.dense {
		return
	}
	k, t := make([]float64, p.n), make([]float64, p.n)
	for r := range p.start {
		for j := int(p.start[r]); j < p.end(r); j++ {
			k[j], t[j] = p.k[r], p.t[r]
		}
	}
	p.start, p.k, p.t, p.dense = nil, k, t, true
}

// grow reserves room for n more connections where they are kept per connection.
func (p *preTrace) grow(n int) {
	if p.dense || p.fixed {
		p.k, p.t = slices.Grow(p.k, n), slices.Grow(p.t, n)
	}
}

// truncate drops connections from index n on.
func (p *preTrace) truncate(n int) {
	if p.dense {
		p.k, p.t = p.k[:n], p.t[:n]
	} else {
		r, _ := slices.BinarySearch(p.start, uint32(n)) // the runs that start before n
		p.start, p.k, p.t = p.start[:r], p.k[:r], p.t[:r]
	}
	p.n = n
}

// permute reorders the connections: new j is old perm[j]. Dense values are gathered through one
// scratch array; runs through the run index of every old connection (4 bytes a connection, for
// the time of the call), which a store of one run does without.
func (p *preTrace) permute(perm []int32) {
	p.want = !p.fixed
	if p.dense {
		var scratch []float64
		p.k, scratch = permuted(p.k, perm), p.k
		p.t = permutedInto(scratch, p.t, perm)
		return
	}
	if len(p.start) <= 1 {
		return
	}
	id := make([]int32, p.n)
	for r := range p.start {
		for j := int(p.start[r]); j < p.end(r); j++ {
			id[j] = int32(r)
		}
	}
	var start []uint32
	var k, t []float64
	last := int32(-1)
	for j, o := range perm {
		r := id[o]
		if r == last {
			continue
		}
		if n := len(start) - 1; n < 0 || !sameKT(k[n], t[n], p.k[r], p.t[r]) {
			start = append(start, uint32(j))
			k, t = append(k, p.k[r]), append(t, p.t[r])
		}
		last = r
	}
	p.start, p.k, p.t = start, k, t
}

// set gives connection j the trace value k (its t_last unchanged).
func (p *preTrace) set(j int, k float64) {
	kj, tj := p.at(j)
	if sameKT(kj, tj, k, tj) {
		return
	}
	p.densify()
	p.k[j] = k
	p.want = !p.fixed
}

// WantSources implements SourceAware.
func (p *preTrace) WantSources() bool { return p.want }

// Sources implements SourceAware: every source starts a run from now on, and adjacent runs of
// one source with equal values merge; dense values become runs if that takes at most
// n/maxRunFrac of them. A boundary list that does not cover the store (connections not yet
// sorted) is ignored.
func (p *preTrace) Sources(src []uint32) {
	if p.fixed || len(src) == 0 || int(src[len(src)-1]) != p.n {
		return
	}
	p.want = false
	nseg := len(p.start)
	if p.dense {
		nseg = p.n
	}
	var start []uint32
	var k, t []float64
	emit := func(at int, kv, tv float64) {
		start = append(start, uint32(at))
		k, t = append(k, kv), append(t, tv)
	}
	si := 0
	for i := range nseg {
		lo, hi := i, i+1
		if !p.dense {
			lo, hi = int(p.start[i]), p.end(i)
		}
		kv, tv := p.k[i], p.t[i]
		for si < len(src) && int(src[si]) < lo {
			si++
		}
		isSrc := si < len(src) && int(src[si]) == lo
		if n := len(start) - 1; n < 0 || isSrc || !sameKT(k[n], t[n], kv, tv) {
			emit(lo, kv, tv)
		}
		for si < len(src) && int(src[si]) <= lo {
			si++
		}
		for si < len(src) && int(src[si]) < hi {
			emit(int(src[si]), kv, tv)
			si++
		}
		if p.dense && len(start) > p.n/maxRunFrac {
			return // stays dense
		}
	}
	p.start, p.k, p.t, p.dense = start, k, t, false
}

// runs returns the runs [r0, r1) that hold connections [first, last) (a run per connection when
// dense).
func (p *preTrace) runs(first, last, src int) (r0, r1 int) {
	if p.dense {
		return first, last
	}
	if src >= 0 && src < len(p.start) && int(p.start[src]) == first && p.end(src) == last {
		return src, src + 1 // one run per source up to this one: the run is the source's
	}
	return p.split(first), p.split(last)
}

// bounds returns the connections [lo, hi) of run r.
func (p *preTrace) bounds(r int) (lo, hi int) {
	if p.dense {
		return r, r + 1
	}
	return int(p.start[r]), p.end(r)
}

// split makes a run start at connection j (j <= n) and returns its index (the number of runs
// for j == n). After Sources every source's first connection starts a run already.
func (p *preTrace) split(j int) int {
	if j >= p.n {
		return len(p.start)
	}
	r := p.run(j)
	if int(p.start[r]) == j {
		return r
	}
	p.start = slices.Insert(p.start, r+1, uint32(j))
	p.k = slices.Insert(p.k, r+1, p.k[r])
	p.t = slices.Insert(p.t, r+1, p.t[r])
	return r + 1
}

// write writes K+ and then t_last of every connection, as two float64 arrays (Encoder.F64s):
// the encoding does not show in a checkpoint.
func (p *preTrace) write(e *state.Encoder) {
	if p.dense {
		e.F64s(p.k)
		e.F64s(p.t)
		return
	}
	e.Grow(2 * (8 + 8*p.n))
	for _, col := range [][]float64{p.k, p.t} {
		e.Int(p.n)
		for r := range p.start {
			for range p.end(r) - int(p.start[r]) {
				e.F64(col[r])
			}
		}
	}
}

// read replaces the values with what write wrote; p is unchanged on error.
func (p *preTrace) read(d *state.Decoder) error {
	k, t := d.F64s(), d.F64s()
	d.LenIs("t_lastspike", len(t), len(k))
	if err := d.Err(); err != nil {
		return err
	}
	q := preTrace{n: len(k), k: k, t: t, dense: true, fixed: p.fixed, want: !p.fixed}
	if !q.fixed {
		q.compress()
	}
	*p = q
	return nil
}

// compress turns dense values into runs if that takes at most n/maxRunFrac of them.
func (p *preTrace) compress() {
	runs := 0
	for j := range p.n {
		if j == 0 || !sameKT(p.k[j-1], p.t[j-1], p.k[j], p.t[j]) {
			runs++
			if runs > p.n/maxRunFrac {
				return
			}
		}
	}
	var start []uint32
	var k, t []float64
	for j := range p.n {
		if j == 0 || !sameKT(p.k[j-1], p.t[j-1], p.k[j], p.t[j]) {
			start = append(start, uint32(j))
			k, t = append(k, p.k[j]), append(t, p.t[j])
		}
	}
	p.start, p.k, p.t, p.dense = start, k, t, false
}
