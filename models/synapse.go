package models

import (
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// SynapseModel is a registered synapse model: its defaults (those of every new connection and the
// common properties shared by all its connections), documentation, and a factory for the stores of
// its per-connection state. CopyModel copies it; SetDefaults changes it in place, so that the
// stores made from it see new common properties at once.
//
// The kernel keeps what every connection has in its own compact layout (target, weight, and delay,
// input channel and receptor packed into 32 bits: 16 bytes, less for models without state, whose
// weights and delay words the kernel codes); whatever else a model needs per connection lives in
// its SynState, as arrays indexed like the kernel's.
type SynapseModel interface {
	Name() string
	// Copy returns an independent model under a new name, common properties included.
	Copy(name string) SynapseModel
	// Base returns the properties every synapse model has (weight and delay defaults, the
	// weight_recorder).
	Base() *SynBase
	// Defaults returns every default and common property, as GetDefaults reports them.
	Defaults() status.Dict
	// SetDefaults validates r and applies it, all or nothing; it reads only the keys it knows.
	// A weight_recorder value is a node id already.
	SetDefaults(r *status.Reader) error
	// CommonKeys are the keys settable only through SetDefaults and CopyModel.
	CommonKeys() []string
	// ConnKeys are the per-connection parameters a syn_spec may give besides weight, delay and
	// receptor_type, in the order their values are drawn for each new connection.
	ConnKeys() []string
	// ConnDefaults writes the defaults of ConnKeys into dst (len(dst) == len(ConnKeys())).
	ConnDefaults(dst []float64)
	Params() []ParamDoc
	Doc() string
	// SizeOf is the memory of one connection in bytes (the kernel's 16 and the model's state).
	SizeOf() int
	// NewState returns an empty store of per-connection state on one VP, or nil for a model that
	// has none and delivers its weight unchanged (static_synapse).
	NewState() SynState
	// NeedsHistory reports whether the send rule reads the target's spike history (STDP): the
	// kernel then registers every connection with the target's Archive.
	NeedsHistory() bool
}

// SynState is the per-connection state of one synapse model on one VP, as arrays; connection j is
// the j-th of the kernel's arrays for this model on this VP.
type SynState interface {
	Len() int
	// Add appends one connection with the values of ConnKeys (in that order) and its weight,
	// validating them (BadProperty naming the model, the key and the rule).
	Add(vals []float64, w float64) error
	// Truncate drops connections from index n on (a failed Connect).
	Truncate(n int)
	// Permute reorders the connections: new j is old perm[j].
	Permute(perm []int32)
	// Send applies the model's rule to the connections of one presynaptic spike (one call per
	// spike and store, never per connection) and writes the weight each delivers.
	Send(b *SendBatch)
	// Value returns a per-connection key of connection j, if the model has it.
	Value(j int, key string) (float64, bool)
	// Set validates (and with apply, applies) the per-connection keys of r to connection j, whose
	// weight becomes w; keys it does not know are left unread.
	Set(j int, r *status.Reader, w float64, apply bool) error
	// WriteState writes every connection's state; ReadState replaces the store with it.
	WriteState(e *state.Encoder)
	ReadState(d *state.Decoder) error
	// AppendFrom appends connection j of src (a state of the same model) exactly.
	AppendFrom(src SynState, j int)
}

// RunAdder is implemented by states that can append many connections with the same values
// at once: AddRun appends n connections with the values vals (checked before, as for Add) and
// reports true, or reports false, appending nothing, when a connection's state depends on its
// weight (the kernel then adds them one by one).
type RunAdder interface {
	AddRun(vals []float64, n int) bool
}

// SendBatch hands a synapse model one presynaptic spike and the connections of its source.
type SendBatch struct {
	// T is the spike's time stamp (ms).
	T float64
	// First and Last delimit the source's connections [First, Last) in the arrays below, which
	// are the kernel's whole arrays for this model on this VP.
	First, Last int
	// Source is the source's position among the store's sources (the index of its boundary in
	// what SourceAware.Sources was given), or −1 if not known: a hint that spares a search.
	Source int
	W      []float64 // weights; plastic models update them
	Tgt    []uint32  // VP-local target index
	DR     []uint32  // packed delay, channel and receptor (DRDelay); nil: all are DR0
	DR0    uint32
	// oneDR holds copies of DR0 for run while DR is nil (refilled when DR0 changes)
	oneDR []uint32
	// Out[j-First] receives the weight the spike carries through connection j.
	Out []float64
	// Grid converts delays in steps to ms.
	Grid clock.Grid
	// Arch is the spike history of the VP's neurons (NeedsHistory models).
	Arch *Archive
}

// run returns connections [lo, hi) of the batch: their delay words, weights, targets and the
// weights they deliver, sliced to one length.
func (b *SendBatch) run(lo, hi int) (dr []uint32, ws []float64, tgts []uint32, out []float64) {
	if b.DR != nil {
		dr = b.DR[lo:hi]
	} else {
		dr = b.oneWord(hi - lo)
	}
	return dr, b.W[lo:hi][:len(dr)], b.Tgt[lo:hi][:len(dr)], b.Out[lo-b.First : hi-b.First][:len(dr)]
}

// oneWord returns n copies of DR0, refilling oneDR when it is too short or holds another word.
func (b *SendBatch) oneWord(n int) []uint32 {
	if n == 0 {
		return nil
	}
	if len(b.oneDR) < n {
		b.oneDR = make([]uint32, n)
	} else if b.oneDR[0] == b.DR0 {
		return b.oneDR[:n]
	}
	for i := range b.oneDR {
		b.oneDR[i] = b.DR0
	}
	return b.oneDR[:n]
}

// stdpWindow holds the times an STDP send rule needs for one delay d (steps, and ms) of a spike
// at t after the previous one at tLast: the window [t1, t2) of postsynaptic spikes that
// facilitate, and the time tq of the postsynaptic trace that depresses.
type stdpWindow struct {
	steps         int64
	d, t1, t2, tq float64
}

// newStdpWindow returns a window for no delay yet.
func newStdpWindow() stdpWindow { return stdpWindow{steps: -1} }

// at updates the window for delay word x if its delay differs from the last one's.
func (w *stdpWindow) at(x uint32, g clock.Grid, tLast, t float64) {
	if ds := DRDelay(x); ds != w.steps {
		w.steps, w.d = ds, g.Ms(ds)
		w.t1, w.t2, w.tq = tLast-w.d+StdpEps, t-w.d+StdpEps, t-w.d
	}
}

// SynBase holds the properties every synapse model has.
type SynBase struct {
	// Weight and Delay are the defaults of new connections.
	Weight, Delay float64
	// WeightRecorder is the node id of the weight_recorder observing the model, or 0.
	WeightRecorder uint64
}

// read applies weight, delay and weight_recorder of r to b.
func (b *SynBase) read(r *status.Reader) error {
	if _, err := r.Float("weight", &b.Weight); err != nil {
		return err
	}
	if _, err := r.Float("delay", &b.Delay); err != nil {
		return err
	}
	var wr int64
	if ok, err := r.Int("weight_recorder", &wr); err != nil {
		return err
	} else if ok {
		b.WeightRecorder = uint64(wr)
	}
	return nil
}

// defaults writes the common keys of every synapse model into d.
func (b *SynBase) defaults(name string, sizeOf int) status.Dict {
	return status.Dict{"weight": b.Weight, "delay": b.Delay, "synapse_model": name,
		"has_delay": true, "requires_symmetric": false, "receptor_type": int64(0),
		"weight_recorder": int64(b.WeightRecorder), "sizeof": int64(sizeOf)}
}

// docs documents the keys of every synapse model.
func (b *SynBase) docs() []ParamDoc {
	return []ParamDoc{
		{Name: "weight", Default: b.Weight, Doc: "Synaptic weight (pA for current-based, nS for conductance-based, mV for delta synapses)"},
		{Name: "delay", Unit: "ms", Default: b.Delay, Doc: "Transmission delay"},
		{Name: "receptor_type", Default: int64(0), Doc: "Receptor port of the target"},
		{Name: "weight_recorder", Default: int64(0), Doc: "weight_recorder observing this model (SetDefaults/CopyModel only)"},
	}
}

// Packing of a connection's 32-bit delay word: delay in steps (bits 0-21), input channel (bits
// 22-25), receptor port (bits 26-31).
const (
	DelayBits     = 22
	DelayMask     = 1<<DelayBits - 1
	ChanShift     = 22
	ChanMask      = 0xF
	RportShift    = 26
	MaxRport      = 63
	MaxDelaySteps = DelayMask
)

// PackDR packs a delay (steps), an input channel and a receptor port.
func PackDR(delay int64, ch Channel, rport int) uint32 {
	return uint32(delay) | uint32(ch)<<ChanShift | uint32(rport)<<RportShift
}

// DRDelay returns the delay in steps of a packed word.
func DRDelay(dr uint32) int64 { return int64(dr & DelayMask) }

// DRChan returns the input channel of a packed word.
func DRChan(dr uint32) Channel { return Channel(dr >> ChanShift & ChanMask) }

// DRRport returns the receptor port of a packed word.
func DRRport(dr uint32) int64 { return int64(dr >> RportShift) }

// permuted returns xs reordered by perm (new i is old perm[i]).
// permutedInto gathers xs[perm[i]] into out[i] (out must not alias xs; its capacity suffices)
// and returns out[:len(xs)].
func permutedInto[T any](out, xs []T, perm []int32) []T {
	out = out[:len(xs)]
	for i, p := range perm {
		out[i] = xs[p]
	}
	return out
}

func permuted[T any](xs []T, perm []int32) []T {
	out := make([]T, len(xs))
	for i, p := range perm {
		out[i] = xs[p]
	}
	return out
}

// Builtin synapse models, with NEST's defaults. _hpc variants of NEST's hpc_benchmark are the
// same models under their names (our connections are compact already).
func BuiltinSynapses() []SynapseModel {
	out := []SynapseModel{NewStaticSynapse(), NewStdpSynapse(), NewStdpSynapseHom(), NewTsodyksSynapse(), NewTsodyks2Synapse(), NewStdpPlSynapseHom()}
	for _, m := range append([]SynapseModel(nil), out...) {
		out = append(out, m.Copy(m.Name()+"_hpc"))
	}
	return out
}
