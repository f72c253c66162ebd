package models

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// ArchParams are the archiving parameters every neuron has (NEST's ArchivingNode): the time
// constants of the postsynaptic traces K− and K−triplet that STDP rules read.
type ArchParams struct{ TauMinus, TauMinusTriplet float64 }

// DefaultArchParams are NEST's defaults.
var DefaultArchParams = ArchParams{TauMinus: 20, TauMinusTriplet: 110}

// Read reads tau_minus and tau_minus_triplet from r, validating them; p is unchanged on error.
func (p *ArchParams) Read(r *status.Reader, model string) error {
	q := *p
	if _, err := r.Float("tau_minus", &q.TauMinus); err != nil {
		return err
	}
	if _, err := r.Float("tau_minus_triplet", &q.TauMinusTriplet); err != nil {
		return err
	}
	if q.TauMinus <= 0 || q.TauMinusTriplet <= 0 {
		return status.Errorf(status.BadProperty, "%s: all time constants must be strictly positive (tau_minus %g, tau_minus_triplet %g)", model, q.TauMinus, q.TauMinusTriplet)
	}
	*p = q
	return nil
}

// HistEntry is one spike of a neuron's history: its time (ms), the postsynaptic traces just
// after it, and how many STDP connections have read it.
type HistEntry struct {
	T, Kminus, KminusTriplet float64
	Access                   int32
}

// Archive is the spike history of the neurons of one VP (NEST's ArchivingNode), as arrays indexed
// by VP-local neuron index. The kernel records every spike into it; synapse models that need the
// postsynaptic history (NeedsHistory) read it in their send rule.
type Archive struct {
	p             []ArchParams
	lastSpike     []float64 // ms, -1 before the first spike
	kminus        []float64
	kminusTriplet []float64
	nIncoming     []int32       // number of history-reading connections onto the neuron
	maxDelay      []float64     // largest dendritic delay of those connections (ms)
	post          []postTrace   // what an STDP look-up reads first: one cache line per neuron
	hist          [][]HistEntry // the spike histories
	kd            gridDecay     // K−'s decay over grid lags (Prepare)
}

// recent is the number of latest history entries whose times postTrace holds.
const recent = 5 // Recent's sums are written out for 5

// postTrace is what an STDP rule needs of a neuron per look-up, in one 128-byte record (two cache
// lines, fetched together): the times of its latest history entries (oldest first, −Inf where
// there are fewer), the K− of the two latest, τ−, the reads of those entries that are not yet
// counted in their Access, and the last K− value computed (NEST's trace_, reported as post_trace)
// with the time it was computed for.
//
// The reads are kept as differences: a read of the entries [b, e) adds 1 to diff[b] and −1 to
// diff[e], so that entry k has sum(diff[:k+1]) reads not yet counted. Recent counts a read with
// two additions whatever the number of entries; countReads adds them to the history.
type postTrace struct {
	ts                     [recent]float64
	lastK, prevK, tauMinus float64
	diff                   [recent + 1]int32
	trace, traceT          float64
	_                      [24]byte
}

// lastT is the time of the latest history entry (−Inf if none).
func (pt *postTrace) lastT() float64 { return pt.ts[recent-1] }

// StdpEps is NEST's kernel stdp_eps (ms): the tolerance of history look-ups.
const StdpEps = 1e-6

// Len returns the number of neurons.
func (a *Archive) Len() int { return len(a.p) }

// Grow appends n neurons with parameters p and an empty history.
func (a *Archive) Grow(n int, p ArchParams) {
	for range n {
		a.p = append(a.p, p)
		a.lastSpike = append(a.lastSpike, -1)
		a.kminus = append(a.kminus, 0)
		a.kminusTriplet = append(a.kminusTriplet, 0)
		a.nIncoming = append(a.nIncoming, 0)
		a.maxDelay = append(a.maxDelay, 0)
		a.post = append(a.post, emptyPostTrace(p))
		a.hist = append(a.hist, nil)
	}
}

// emptyPostTrace is the look-up record of a neuron with parameters p and no history.
func emptyPostTrace(p ArchParams) postTrace {
	pt := postTrace{tauMinus: p.TauMinus, traceT: math.NaN()}
	for k := range pt.ts {
		pt.ts[k] = math.Inf(-1)
	}
	return pt
}

// Prepare readies the archive for a simulation on grid g: the look-up of K− tabulates its decay
// over lags of whole steps (gridDecay) for the τ− of the first neuron; other τ− compute the same
// values on the spot.
func (a *Archive) Prepare(g clock.Grid) {
	if len(a.p) > 0 {
		a.kd.use(g.H(), a.p[0].TauMinus)
	}
}

// Params returns the archiving parameters of neuron i.
func (a *Archive) Params(i int) ArchParams { return a.p[i] }

// Get writes the archiving status of neuron i into d.
func (a *Archive) Get(i int, d status.Dict) {
	d["tau_minus"] = a.p[i].TauMinus
	d["tau_minus_triplet"] = a.p[i].TauMinusTriplet
	d["t_spike"] = a.lastSpike[i]
	d["post_trace"] = a.post[i].trace
}

// Set applies tau_minus, tau_minus_triplet and clear (empties the history) to neuron i.
func (a *Archive) Set(i int, r *status.Reader, model string) error {
	p := a.p[i]
	if err := p.Read(r, model); err != nil {
		return err
	}
	var clear bool
	if _, err := r.Bool("clear", &clear); err != nil {
		return err
	}
	a.p[i] = p
	a.post[i].tauMinus, a.post[i].traceT = p.TauMinus, math.NaN()
	if clear {
		a.hist[i] = a.hist[i][:0]
		a.kminus[i], a.kminusTriplet[i], a.lastSpike[i] = 0, 0, -1
		trace := a.post[i].trace // as NEST's clear_history, which keeps post_trace
		a.post[i] = emptyPostTrace(p)
		a.post[i].trace = trace
	}
	return nil
}

// Register counts a history-reading connection with dendritic delay d (ms) onto neuron i.
func (a *Archive) Register(i int, d float64) {
	a.nIncoming[i]++
	a.maxDelay[i] = math.Max(a.maxDelay[i], d)
}

// Unregister undoes Register for one connection onto neuron i (a failed Connect).
func (a *Archive) Unregister(i int) { a.nIncoming[i]-- }

// RecordSpike notes a spike of neuron i at time t (ms); with incoming history-reading connections
// it also appends to the history (NEST's set_spiketime), dropping entries that every such
// connection has read and that no connection can need again:
//
//	K− ← K−·exp((t_last − t)/τ−) + 1,   K−triplet likewise with τ−triplet.
func (a *Archive) RecordSpike(i int, t, minDelayMs float64) {
	if a.nIncoming[i] > 0 {
		a.countReads(i)
		h := a.hist[i]
		drop := 0
		for len(h)-drop > 1 && h[drop].Access >= a.nIncoming[i] &&
			t-h[drop+1].T > a.maxDelay[i]+minDelayMs+StdpEps {
			drop++
		}
		if drop > 0 {
			h = append(h[:0], h[drop:]...)
		}
		p := a.p[i]
		a.kminus[i] = a.kminus[i]*math.Exp((a.lastSpike[i]-t)/p.TauMinus) + 1
		a.kminusTriplet[i] = a.kminusTriplet[i]*math.Exp((a.lastSpike[i]-t)/p.TauMinusTriplet) + 1
		a.hist[i] = append(h, HistEntry{T: t, Kminus: a.kminus[i], KminusTriplet: a.kminusTriplet[i]})
		a.syncRecent(i)
		a.post[i].traceT = math.NaN()
	}
	a.lastSpike[i] = t
}

// countReads adds the reads that Recent counted in neuron i's record to the Access of their
// entries.
func (a *Archive) countReads(i int) {
	pt := &a.post[i]
	addReads(a.hist[i], pt)
	pt.diff = [recent + 1]int32{}
}

// addReads adds the reads that pt counted to the entries of h, pt's history.
func addReads(h []HistEntry, pt *postTrace) {
	var r int32
	for k, d := range pt.diff[:recent] {
		r += d
		if j := len(h) - recent + k; j >= 0 {
			h[j].Access += r
		}
	}
}

// before is 1 if t < b, else 0, without a branch for times t (never NaN): the sign bit of t − b
// (+0 when they are equal).
func before(t, b float64) int { return int(math.Float64bits(t-b) >> 63) }

// HistWindow is what Window found: the times (oldest first) of the entries when the record holds
// them all, else the entries themselves in Hist.
type HistWindow struct {
	T    []float64
	Hist []HistEntry
}

// Window returns the entries of neuron i with t1 <= t < t2 (ms), as NEST's get_history finds
// them, marking each as read by one more connection: from the neuron's record when it holds them
// (Recent), else from the history.
func (a *Archive) Window(i int, t1, t2 float64) HistWindow {
	if ts, begin, end := a.Recent(i, t1, t2); begin > 0 {
		return HistWindow{T: ts[begin:end]}
	}
	return HistWindow{Hist: a.History(i, t1, t2)}
}

// Recent looks up the entries of neuron i with t1 <= t < t2 (ms) in its record: they are
// ts[begin:end] when begin > 0 (an entry before t1, or the lack of one, bounds the window), and
// are then counted as read by one more connection. When begin is 0 the window may reach beyond
// the record, nothing is counted, and Window or History answers.
//
// The times ascend, so begin is the number of times before t1 and end the number before t2. They
// are counted without branches: the sign bit of t − t1 is set exactly when t < t1 (no time is
// NaN, and t − t1 is +0 when they are equal).
func (a *Archive) Recent(i int, t1, t2 float64) (ts *[recent]float64, begin, end int) {
	pt := &a.post[i]
	ts = &pt.ts
	begin = before(ts[0], t1) + before(ts[1], t1) + before(ts[2], t1) + before(ts[3], t1) + before(ts[4], t1)
	end = before(ts[0], t2) + before(ts[1], t2) + before(ts[2], t2) + before(ts[3], t2) + before(ts[4], t2)
	if begin > 0 {
		pt.diff[begin]++
		pt.diff[end]--
	}
	return &pt.ts, begin, end
}

// History returns the entries of neuron i with t1 <= t < t2, found from the back as NEST's
// get_history does, marking each as read by one more connection.
func (a *Archive) History(i int, t1, t2 float64) []HistEntry {
	hist := a.hist[i]
	end := len(hist)
	for end > 0 && hist[end-1].T >= t2 {
		end--
	}
	begin := end
	for begin > 0 && hist[begin-1].T >= t1 {
		begin--
		hist[begin].Access++
	}
	return hist[begin:end]
}

// KValue returns the postsynaptic trace of neuron i at time t: from the latest history entry
// strictly before t (by more than stdp_eps), K−·exp((t_i − t)/τ−) (the decay over the lag in whole
// steps, gridDecay); 0 if there is none. As NEST's get_K_value it remembers the value, which the
// neuron reports as post_trace. The common case (the latest entry) is inlined.
func (a *Archive) KValue(i int, t float64) float64 {
	pt := &a.post[i]
	if lag := t - pt.ts[recent-1]; lag > StdpEps && pt.tauMinus == a.kd.tau {
		k := pt.lastK * a.kd.at(lag) // none: lastK = 0 and the decay over +Inf 0
		pt.trace, pt.traceT = k, t
		return k
	}
	return a.kValue(i, t)
}

// kValue is KValue for every case: a query that the latest entry does not answer, or a τ− that
// is not the table's.
func (a *Archive) kValue(i int, t float64) float64 {
	pt := &a.post[i]
	k := 0.0
	switch last, prev := pt.ts[recent-1], pt.ts[recent-2]; {
	case t-last > StdpEps:
		k = pt.lastK * a.kd.atTau(t-last, pt.tauMinus)
	case t-prev > StdpEps:
		k = pt.prevK * a.kd.atTau(t-prev, pt.tauMinus)
	default:
		h := a.hist[i]
		for j := len(h) - 1; j >= 0; j-- {
			if t-h[j].T > StdpEps {
				k = h[j].Kminus * a.kd.atTau(t-h[j].T, pt.tauMinus)
				break
			}
		}
	}
	pt.trace, pt.traceT = k, t
	return k
}

// WriteState writes the complete archive: parameters, traces, counters and histories (the read
// counts of the record included in their entries' Access).
func (a *Archive) WriteState(e *state.Encoder) {
	n := len(a.p)
	e.Int(n)
	for i := range n {
		e.F64(a.p[i].TauMinus)
		e.F64(a.p[i].TauMinusTriplet)
		pt := a.post[i]
		for _, v := range []float64{a.lastSpike[i], a.kminus[i], a.kminusTriplet[i], a.maxDelay[i], pt.lastT(), pt.lastK, pt.trace, pt.traceT} {
			e.F64(v)
		}
		e.I64(int64(a.nIncoming[i]))
		h := a.histRead(i)
		e.Int(len(h))
		for _, h := range h {
			e.F64(h.T)
			e.F64(h.Kminus)
			e.F64(h.KminusTriplet)
			e.I64(int64(h.Access))
		}
	}
}

// histRead returns a copy of neuron i's history with the record's read counts in Access.
func (a *Archive) histRead(i int) []HistEntry {
	h := slices.Clone(a.hist[i])
	addReads(h, &a.post[i])
	return h
}

// syncRecent sets neuron i's record from its history: the times of the latest entries and the
// K− of the two latest.
func (a *Archive) syncRecent(i int) {
	pt, h := &a.post[i], a.hist[i]
	for k := range pt.ts {
		pt.ts[k] = math.Inf(-1)
		if j := len(h) - recent + k; j >= 0 {
			pt.ts[k] = h[j].T
		}
	}
	pt.lastK, pt.prevK = 0, 0
	if n := len(h); n > 0 {
		pt.lastK = h[n-1].Kminus
		if n > 1 {
			pt.prevK = h[n-2].Kminus
		}
	}
}

// ReadState replaces the archive with what WriteState wrote; it is unchanged on error (Prepare
// follows before a simulation).
func (a *Archive) ReadState(d *state.Decoder) error {
	var b Archive
	n := d.Int()
	if n < 0 || n > d.Remaining()/8 {
		d.Fail("archive of %d neurons", n)
		return d.Err()
	}
	for i := 0; i < n && d.Err() == nil; i++ {
		p := ArchParams{TauMinus: d.F64(), TauMinusTriplet: d.F64()}
		b.Grow(1, p)
		b.lastSpike[i], b.kminus[i], b.kminusTriplet[i], b.maxDelay[i] = d.F64(), d.F64(), d.F64(), d.F64()
		lastT, lastK := d.F64(), d.F64()
		b.post[i].trace, b.post[i].traceT = d.F64(), d.F64()
		b.nIncoming[i] = int32(d.I64())
		m := d.Int()
		if m < 0 || m > d.Remaining()/32 {
			d.Fail("history of %d entries", m)
			break
		}
		for range m {
			b.hist[i] = append(b.hist[i], HistEntry{T: d.F64(), Kminus: d.F64(), KminusTriplet: d.F64(), Access: int32(d.I64())})
		}
		b.syncRecent(i)
		if math.Float64bits(b.post[i].lastT()) != math.Float64bits(lastT) || math.Float64bits(b.post[i].lastK) != math.Float64bits(lastK) {
			d.Fail("history of neuron %d ends at %g ms with K− %g, its latest entry is at %g ms with K− %g", i, b.post[i].lastT(), b.post[i].lastK, lastT, lastK)
			break
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	b.kd = a.kd
	*a = b
	return nil
}

// AppendFrom appends neuron i of src with its parameters, traces and history (each entry's read
// count included). The count of history-reading connections starts at zero: the connections
// register again where they are stored now.
func (a *Archive) AppendFrom(src *Archive, i int) {
	a.Grow(1, src.p[i])
	j := len(a.p) - 1
	a.lastSpike[j], a.kminus[j], a.kminusTriplet[j] = src.lastSpike[i], src.kminus[i], src.kminusTriplet[i]
	a.post[j] = src.post[i]
	a.post[j].diff = [recent + 1]int32{}
	a.hist[j] = src.histRead(i)
}
