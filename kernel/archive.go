package kernel

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// archParams are the archiving parameters every neuron has (NEST's ArchivingNode).
type archParams struct{ tauMinus, tauMinusTriplet float64 }

var archDefaults = archParams{tauMinus: 20, tauMinusTriplet: 110}

// read reads tau_minus and tau_minus_triplet from r, validating them.
func (p *archParams) read(r *status.Reader, model string) error {
	q := *p
	if _, err := r.Float("tau_minus", &q.tauMinus); err != nil {
		return err
	}
	if _, err := r.Float("tau_minus_triplet", &q.tauMinusTriplet); err != nil {
		return err
	}
	if q.tauMinus <= 0 || q.tauMinusTriplet <= 0 {
		return status.Errorf(status.BadProperty, "%s: all time constants must be strictly positive (tau_minus %g, tau_minus_triplet %g)", model, q.tauMinus, q.tauMinusTriplet)
	}
	*p = q
	return nil
}

// histEntry is one spike of a neuron's history: its time (ms), the postsynaptic traces just
// after it, and how many STDP connections have read it.
type histEntry struct {
	t, kminus, kminusTriplet float64
	access                   int32
}

// archive is the spike history of the neurons of one VP (NEST's ArchivingNode), as arrays indexed
// by VP-local neuron index.
type archive struct {
	p             []archParams
	lastSpike     []float64 // ms, -1 before the first spike
	kminus        []float64
	kminusTriplet []float64
	nIncoming     []int32     // number of STDP connections onto the neuron
	maxDelay      []float64   // largest dendritic delay of those connections (ms)
	post          []postTrace // what depression reads, kept together for one cache line per look-up
	hist          [][]histEntry
}

// postTrace is what an STDP depression needs of a neuron in the common case, in one place: the
// time and K− of its latest history entry (−Inf if none), τ−, and the last K− value computed
// (NEST's trace_, reported as post_trace) with the time it was computed for (NaN after a change
// of the history: the value is reused while neither changes).
type postTrace struct {
	lastT, lastK, tauMinus, trace, traceT float64
}

func (a *archive) grow(n int, p archParams) {
	for range n {
		a.p = append(a.p, p)
		a.lastSpike = append(a.lastSpike, -1)
		a.kminus = append(a.kminus, 0)
		a.kminusTriplet = append(a.kminusTriplet, 0)
		a.nIncoming = append(a.nIncoming, 0)
		a.maxDelay = append(a.maxDelay, 0)
		a.post = append(a.post, postTrace{lastT: math.Inf(-1), tauMinus: p.tauMinus, traceT: math.NaN()})
		a.hist = append(a.hist, nil)
	}
}

func (a *archive) get(i int, d status.Dict) {
	d["tau_minus"] = a.p[i].tauMinus
	d["tau_minus_triplet"] = a.p[i].tauMinusTriplet
	d["t_spike"] = a.lastSpike[i]
	d["post_trace"] = a.post[i].trace
}

// set applies tau_minus, tau_minus_triplet and clear (empties the history) to neuron i.
func (a *archive) set(i int, r *status.Reader, model string) error {
	p := a.p[i]
	if err := p.read(r, model); err != nil {
		return err
	}
	var clear bool
	if _, err := r.Bool("clear", &clear); err != nil {
		return err
	}
	a.p[i] = p
	a.post[i].tauMinus, a.post[i].traceT = p.tauMinus, math.NaN()
	if clear {
		a.hist[i] = a.hist[i][:0]
		a.kminus[i], a.kminusTriplet[i], a.lastSpike[i] = 0, 0, -1
		a.post[i].lastT, a.post[i].lastK = math.Inf(-1), 0
	}
	return nil
}

// recordSpike notes a spike of neuron i at time t (ms); with incoming STDP connections it also
// appends to the history (NEST's set_spiketime), dropping entries that every STDP connection has
// read and that no connection can need again.
func (a *archive) recordSpike(i int, t, minDelayMs float64) {
	if a.nIncoming[i] > 0 {
		h := a.hist[i]
		drop := 0
		for len(h)-drop > 1 && h[drop].access >= a.nIncoming[i] &&
			t-h[drop+1].t > a.maxDelay[i]+minDelayMs+stdpEps {
			drop++
		}
		if drop > 0 {
			h = append(h[:0], h[drop:]...)
		}
		p := a.p[i]
		a.kminus[i] = a.kminus[i]*math.Exp((a.lastSpike[i]-t)/p.tauMinus) + 1
		a.kminusTriplet[i] = a.kminusTriplet[i]*math.Exp((a.lastSpike[i]-t)/p.tauMinusTriplet) + 1
		a.hist[i] = append(h, histEntry{t: t, kminus: a.kminus[i], kminusTriplet: a.kminusTriplet[i]})
		a.post[i].lastT, a.post[i].lastK, a.post[i].traceT = t, a.kminus[i], math.NaN()
	}
	a.lastSpike[i] = t
}

// stdpEps is NEST's kernel stdp_eps (ms): the tolerance of history look-ups.
const stdpEps = 1e-6
