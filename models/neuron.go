package models

import (
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// ParamDoc documents one parameter or state variable of a model (for `nest-mpi help MODEL`).
type ParamDoc struct {
	Name    string
	Unit    string
	Default any
	Doc     string
	// ReadOnly marks values that GetStatus reports but SetStatus refuses.
	ReadOnly bool
}

// Channel names an input buffer of a neuron. A connection is resolved to a channel when it is
// created; delivery then adds into that channel without asking the model again.
type Channel uint8

// The input channels. ChanSpike splits by sign: positive weights go to the excitatory buffer,
// the others to the inhibitory one, exactly as NEST's iaf models do.
const (
	ChanSpike   Channel = iota // weight × multiplicity into Ex (w > 0) or In (w <= 0)
	ChanCount                  // multiplicity into Count (weight ignored; parrot_neuron)
	ChanDiscard                // accepted and dropped (parrot_neuron receptor 1)
	ChanI0                     // current (weight × amplitude) into I0
	ChanI1                     // current into I1 (iaf_psc_exp receptor 1)
	NumChannels
)

// Event kinds a neuron may receive.
type EventKind uint8

// The event kinds.
const (
	SpikeEvent EventKind = iota
	CurrentEvent
)

// NeuronModel is a registered neuron model: its name, current defaults, documentation and a
// factory for blocks. CopyModel clones it; SetDefaults changes the defaults that later Creates use.
type NeuronModel interface {
	Name() string
	// Copy returns an independent model under a new name with the same current defaults.
	Copy(name string) NeuronModel
	// Defaults returns every parameter and the initial state, as GetDefaults reports them.
	Defaults() status.Dict
	// SetDefaults validates r and applies it to the defaults, all or nothing. It reads only the
	// keys it knows; the caller reports the rest.
	SetDefaults(r *status.Reader) error
	Params() []ParamDoc
	Recordables() []string
	Doc() string
	// Channel resolves an incoming event on receptor port rport to an input channel, or returns
	// an UnknownReceptorType/IllegalConnection error naming the model and the accepted ports.
	Channel(kind EventKind, rport int) (Channel, error)
	// Channels lists the input channels the model's blocks read.
	Channels() []Channel
	// NewBlock returns an empty block of this model type.
	NewBlock() Block
}

// Block is the population of one neuron model on one virtual process, stored as arrays. Neuron i of
// a block is the block's i-th neuron in creation (= node id) order.
type Block interface {
	Len() int
	// Append adds n neurons initialised from m's current defaults (m is a model of this type).
	Append(m NeuronModel, n int)
	// Get writes the parameters and state of neuron i into d.
	Get(i int, d status.Dict)
	// Set validates r and applies it to neuron i, all or nothing; unknown keys are left unread.
	Set(i int, r *status.Reader) error
	// Prepare recomputes the propagators of every neuron for the time grid g; called at every
	// Prepare (NEST's pre_run_hook).
	Prepare(g clock.Grid)
	// Update advances every neuron of the block by one step.
	Update(s *Step)
	// Sample returns recordable rec (an index into Recordables) of neuron i.
	Sample(rec int, i int) float64
	// WriteState writes the block's complete contents: every neuron's parameters and internal
	// state (everything Update reads that Prepare does not recompute), so that ReadState into a
	// fresh block of the same model continues bit for bit.
	WriteState(e *state.Encoder)
	// ReadState replaces the block's contents with what WriteState wrote; the block is unchanged
	// when it returns an error.
	ReadState(d *state.Decoder) error
	// AppendFrom appends neuron i of src (a block of the same model type) with its complete
	// parameters and internal state, exactly as they are: the appended neuron continues as the
	// original would.
	AppendFrom(src Block, i int)
}

// Spike is a spike emitted during a step: the block-local neuron index and its multiplicity.
type Spike struct {
	Index int32
	Mult  uint32
}

// Step is what the kernel hands a block for one update step. Each input slice holds this step's
// slot for the block's neurons (len = Block.Len()); Update must read and then zero every slot of the
// channels the model declares. Channels the model does not read are nil.
type Step struct {
	Ex, In, Count, I0, I1 []float64
	// CurrentsIdle is set when I0 and I1 hold zeros that nothing writes into during this
	// step (no connection or generator on the virtual process delivers currents): Update may
	// then skip reading and zeroing them, as long as what it computes is the same.
	CurrentsIdle bool
	// RNG is the VP-specific stream of the block's virtual process (escape noise).
	RNG *vp.Stream
	// H is the resolution in ms.
	H float64
	// Spikes collects the neurons that fired in this step, in increasing index order. Update
	// appends; the kernel empties it.
	Spikes []Spike
	// Err is set by Update when a neuron cannot be advanced (NumericalInstability naming the
	// model and the block-local index in Index); the kernel stops the run with it.
	Err error
	// ErrIndex is the block-local index of the neuron that set Err.
	ErrIndex int
}
