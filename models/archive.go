package models

import (
	"math"

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
	nIncoming     []int32     // number of history-reading connections onto the neuron
	maxDelay      []float64   // largest dendritic delay of those connections (ms)
	post          []postTrace // what depression reads, and the history, together: one cache line per look-up
	ge            gridExp     // K−'s exponentials, tabulated for the τ− of the first neuron asked
}

// postTrace is what an STDP rule needs of a neuron per look-up, in one 64-byte record: the time
// and K− of its latest history entry and the time of the one before (−Inf if none), the last K−
// value computed (NEST's trace_, reported as post_trace) with the time it was computed for (NaN
// after a change of the history: the value is reused while neither changes), and the history
// itself. A window that holds only the latest entry (the common case) is answered from the
// record alone (OnlyLatest).
type postTrace struct {
	lastT, lastK, prevT, trace, traceT float64
	hist                               []HistEntry // the spike history (64 bytes in all)
}

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
		a.post = append(a.post, postTrace{lastT: math.Inf(-1), prevT: math.Inf(-1), traceT: math.NaN()})
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
	a.post[i].traceT = math.NaN()
	if clear {
		a.post[i].hist = a.post[i].hist[:0]
		a.kminus[i], a.kminusTriplet[i], a.lastSpike[i] = 0, 0, -1
		a.post[i].lastT, a.post[i].lastK, a.post[i].prevT = math.Inf(-1), 0, math.Inf(-1)
	}
	return nil
}

// Register counts n history-reading connections with dendritic delay d (ms) onto neuron i.
func (a *Archive) Register(i int, d float64, n int) {
	a.nIncoming[i] += int32(n)
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
		h := a.post[i].hist
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
		a.post[i].hist = append(h, HistEntry{T: t, Kminus: a.kminus[i], KminusTriplet: a.kminusTriplet[i]})
		pt := &a.post[i]
		pt.prevT, pt.lastT, pt.lastK, pt.traceT = pt.lastT, t, a.kminus[i], math.NaN()
	}
	a.lastSpike[i] = t
}

// LastHistT returns the time of neuron i's latest history entry (−Inf if none): no entry can lie
// in a window that starts after it.
func (a *Archive) LastHistT(i int) float64 { return a.post[i].lastT }

// OnlyLatest reports whether neuron i's latest history entry is the only one with t1 <= t < t2
// (its time is then LastHistT) and if so marks it as read by one more connection, as History
// would: the history itself is only written, not read.
func (a *Archive) OnlyLatest(i int, t1, t2 float64) bool {
	pt := &a.post[i]
	if pt.lastT >= t1 && pt.lastT < t2 && pt.prevT < t1 {
		pt.hist[len(pt.hist)-1].Access++
		return true
	}
	return false
}

// History returns the entries of neuron i with t1 <= t < t2, found from the back as NEST's
// get_history does, marking each as read by one more connection.
func (a *Archive) History(i int, t1, t2 float64) []HistEntry {
	hist := a.post[i].hist
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

// KValue returns the postsynaptic trace of neuron i at time t (ms, on the grid of resolution h):
// from the latest history entry strictly before t (by more than stdp_eps), K−·exp((t_i − t)/τ−);
// 0 if there is none. As NEST's get_K_value it remembers the value, which the neuron reports as
// post_trace.
func (a *Archive) KValue(i int, t, h float64) float64 {
	pt := &a.post[i]
	if t == pt.traceT { // same query since the history last changed (spikes of one step); inlined
		return pt.trace
	}
	return a.kValue(i, t, h)
}

// kValue is KValue for a new query. The exponential is read from the table in place (one call
// fewer per plastic event than a helper the inliner refuses).
func (a *Archive) kValue(i int, t, h float64) float64 {
	pt := &a.post[i]
	kAt, tAt := pt.lastK, pt.lastT // the latest entry before t (−Inf: none)
	if t-pt.lastT <= StdpEps {
		kAt, tAt = 0, math.Inf(-1)
		hist := a.post[i].hist
		for j := len(hist) - 1; j >= 0; j-- {
			if t-hist[j].T > StdpEps {
				kAt, tAt = hist[j].Kminus, hist[j].T
				break
			}
		}
	}
	k := 0.0
	if tAt > math.Inf(-1) {
		tau := a.p[i].TauMinus
		if !a.ge.ready(h) {
			a.ge.prepare(h, tau)
		}
		e, ok := 0.0, false
		if tau == a.ge.tau {
			e, ok = a.ge.lookup(tAt - t)
		}
		if !ok {
			e = a.ge.off(tAt-t, tau)
		}
		k = kAt * e
	}
	pt.trace, pt.traceT = k, t
	return k
}

// WriteState writes the complete archive: parameters, traces, counters and histories.
func (a *Archive) WriteState(e *state.Encoder) {
	n := len(a.p)
	e.Int(n)
	for i := range n {
		e.F64(a.p[i].TauMinus)
		e.F64(a.p[i].TauMinusTriplet)
		pt := a.post[i]
		for _, v := range []float64{a.lastSpike[i], a.kminus[i], a.kminusTriplet[i], a.maxDelay[i], pt.lastT, pt.lastK, pt.trace, pt.traceT} {
			e.F64(v)
		}
		e.I64(int64(a.nIncoming[i]))
		e.Int(len(a.post[i].hist))
		for _, h := range a.post[i].hist {
			e.F64(h.T)
			e.F64(h.Kminus)
			e.F64(h.KminusTriplet)
			e.I64(int64(h.Access))
		}
	}
}

// ReadState replaces the archive with what WriteState wrote; it is unchanged on error.
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
		b.post[i] = postTrace{lastT: d.F64(), lastK: d.F64(), prevT: math.Inf(-1), trace: d.F64(), traceT: d.F64()}
		b.nIncoming[i] = int32(d.I64())
		m := d.Int()
		if m < 0 || m > d.Remaining()/32 {
			d.Fail("history of %d entries", m)
			break
		}
		for range m {
			b.post[i].hist = append(b.post[i].hist, HistEntry{T: d.F64(), Kminus: d.F64(), KminusTriplet: d.F64(), Access: int32(d.I64())})
		}
		if m >= 2 {
			b.post[i].prevT = b.post[i].hist[m-2].T
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
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
	a.post[j].hist = append([]HistEntry(nil), src.post[i].hist...)
}
