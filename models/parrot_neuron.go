package models

import (
	"fmt"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// ParrotNeuron is the model parrot_neuron: it repeats every spike that arrives on receptor 0, with
// its multiplicity, in the step it arrives, so the delay from input to output is the connection
// delay. Weights are ignored. Spikes on receptor 1 are accepted but not repeated (they still count
// for STDP at the synapse). It has no parameters and no state beyond what the kernel keeps for
// every neuron (spike history: tau_minus, tau_minus_triplet, t_spike, post_trace).
type ParrotNeuron struct {
	name string
}

// NewParrotNeuron returns the model.
func NewParrotNeuron() NeuronModel { return &ParrotNeuron{name: "parrot_neuron"} }

// Name implements NeuronModel.
func (m *ParrotNeuron) Name() string { return m.name }

// Copy implements NeuronModel.
func (m *ParrotNeuron) Copy(name string) NeuronModel { c := *m; c.name = name; return &c }

// Defaults implements NeuronModel: the parrot has no parameters of its own.
func (m *ParrotNeuron) Defaults() status.Dict { return status.Dict{} }

// SetDefaults implements NeuronModel: there is nothing to read.
func (m *ParrotNeuron) SetDefaults(r *status.Reader) error { return nil }

// Params implements NeuronModel.
func (m *ParrotNeuron) Params() []ParamDoc { return nil }

// Recordables implements NeuronModel: none.
func (m *ParrotNeuron) Recordables() []string { return nil }

// Doc implements NeuronModel.
func (m *ParrotNeuron) Doc() string {
	return "Neuron that repeats incoming spikes. Every spike arriving on receptor 0 is sent on in the step " +
		"it arrives, with its multiplicity and irrespective of the weight, so the delay from input to output " +
		"is the delay of the incoming connection. Spikes arriving on receptor 1 are not repeated (use it to " +
		"connect a plastic synapse without feedback). Current input is not accepted."
}

// Channel implements NeuronModel: spikes on receptor 0 are counted, on receptor 1 dropped;
// current input is an IllegalConnection.
func (m *ParrotNeuron) Channel(kind EventKind, rport int) (Channel, error) {
	if kind != SpikeEvent {
		return 0, status.Errorf(status.IllegalConnection,
			"%s: does not accept %s events (it only repeats spikes); connect current sources to another neuron model",
			m.name, kindName(kind))
	}
	switch rport {
	case 0:
		return ChanCount, nil
	case 1:
		return ChanDiscard, nil
	}
	return 0, status.Errorf(status.UnknownReceptorType,
		"%s: receptor type %d does not accept spike events; receptor types are 0 (spikes are repeated) "+
			"and 1 (spikes are accepted but not repeated)", m.name, rport)
}

// Channels implements NeuronModel. Receptor 1 (ChanDiscard) has no buffer.
func (m *ParrotNeuron) Channels() []Channel { return []Channel{ChanCount} }

// NewBlock implements NeuronModel.
func (m *ParrotNeuron) NewBlock() Block { return &parrotBlock{} }

// parrotBlock holds the parrot neurons of one VP. They have no state: the input slot Count is
// the whole story.
type parrotBlock struct {
	n int
}

func (b *parrotBlock) Len() int { return b.n }

func (b *parrotBlock) Append(m NeuronModel, n int) { b.n += n }

func (b *parrotBlock) Get(i int, d status.Dict) {}

func (b *parrotBlock) Set(i int, r *status.Reader) error { return nil }

func (b *parrotBlock) Prepare(g clock.Grid) {}

// Update emits, for every neuron whose Count slot holds n > 0 spikes (the summed multiplicities of
// the spikes that arrive in this step on receptor 0), one spike of multiplicity n, and zeros the
// slots.
func (b *parrotBlock) Update(s *Step) {
	count := s.Count[:b.n]
	for i, c := range count {
		if c != 0 {
			// NEST truncates the count to an unsigned integer and repeats only if it is positive.
			if c >= 1 {
				s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: uint32(c)})
			}
			count[i] = 0
		}
	}
}

// Sample implements Block; the parrot has no recordables, so the kernel never calls it.
func (b *parrotBlock) Sample(rec int, i int) float64 {
	panic("models: parrot_neuron has no recordables")
}

// WriteState writes the neuron count, the parrot's whole state.
func (b *parrotBlock) WriteState(e *state.Encoder) { writeHeader(e, "parrot_neuron", b.n) }

// ReadState implements Block.
func (b *parrotBlock) ReadState(d *state.Decoder) error {
	n := readHeader(d, "parrot_neuron")
	if err := d.Err(); err != nil {
		return fmt.Errorf("reading the state of a parrot_neuron block: %w", err)
	}
	b.n = n
	return nil
}

// AppendFrom implements Block: a parrot neuron has no state, so this adds one neuron.
func (b *parrotBlock) AppendFrom(src Block, i int) {
	if s := sameBlock(b, src); i < 0 || i >= s.n {
		panic(fmt.Sprintf("models: AppendFrom of parrot_neuron %d of %d", i, s.n))
	}
	b.n++
}
