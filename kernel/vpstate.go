package kernel

import (
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/record"
	"github.com/nest-mpi/nest-mpi/vp"
)

// nodeEntry locates a node: its model and, for neurons, the index on its VP (-1 when the VP is on
// another rank); for devices, the index into Kernel.devices.
type nodeEntry struct {
	model int32
	local int32
}

// nblock is a block of neurons of one base model on one VP, occupying VP-local indices
// [start, start+Len).
type nblock struct {
	start int
	base  string
	b     models.Block
	bufs  [numBufs]bool // input buffers the block reads
	// samplers lists the multimeter bindings that sample neurons of this block (built at Prepare).
	samplers []*mmBinding
}

// vpState is everything one virtual process owns. Only its worker thread touches it during a
// slice; between slices the main goroutine may.
type vpState struct {
	thread, vp int
	rng        *vp.Stream

	gids   []uint64 // VP-local neuron index -> node id
	blocks []*nblock
	arch   models.Archive // spike history and archiving parameters, per VP-local neuron

	in inputs
	// zero is a row of zeros (one per neuron) that blocks read, and zero again, for current
	// channels they declare but nothing writes into (the ring buffer is not made)
	zero []float64
	reg  []spikeRec // spikes emitted in the current slice, in (lag, node id) order

	stores []*connStore // by synapse id
	devs   []*devInst   // by device index
	// rowOff is delivery's scratch: the ring-buffer row of each delay of a store (deliverRows)
	rowOff []int64

	// connections from local neurons to spike recorders, in creation order, and the CSR index
	// from VP-local neuron to recorder built from them at Prepare
	recConns []recConn
	recStart []int32
	recDev   []int32

	step   models.Step
	vals   []float64        // scratch for a new connection's model parameters
	send   models.SendBatch // reused by every spike's delivery through a model's send rule
	screen []byte           // rows for the screen backend, printed by the main goroutine after each slice
	event  record.Event     // the event being recorded (reused)
	weight [1]float64       // a weight_recorder event's value

	// ranks that need the spikes of each local neuron: CSR over VP-local index (MPI only)
	destStart []int32
	destRanks []uint16

	err error // set by a block that cannot advance (NumericalInstability); stops the run

	spikes     int64 // spikes emitted by this VP's neurons (local_spike_counter)
	timers     vpTimers
	dmin, dmax int64 // extrema of the delays of connections made on this VP (steps; 0: none)

	// the fields above are written by this VP's thread while the others read theirs: the next
	// VP's state, perhaps allocated right after this one, starts on another cache line
	_ [64]byte
}

func newVPState(thread, vpID int, rng *vp.Stream) *vpState {
	return &vpState{thread: thread, vp: vpID, rng: rng}
}

// recPair pairs a VP-local neuron with an index (a device or a rank).
type recPair struct{ local, dev int32 }

// recConn is a connection from VP-local neuron local to the spike recorder with device index dev,
// with the synapse model, weight and packed delay it was made with (GetConnections reports them).
type recConn struct {
	local, dev int32
	syn        int32
	w          float64
	dr         uint32
}

// spikeRec is one spike in a register: the node id, the lag of the step in its slice, and the
// multiplicity.
type spikeRec struct {
	gid  uint64
	lag  int32
	mult uint32
}

// blockOf returns the block holding VP-local index i and the index within it.
func (v *vpState) blockOf(i int) (*nblock, int) {
	lo, hi := 0, len(v.blocks)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if v.blocks[mid].start <= i {
			lo = mid
		} else {
			hi = mid
		}
	}
	b := v.blocks[lo]
	return b, i - b.start
}

// Input buffers: ChanSpike splits into bufEx and bufIn; the other channels have one buffer each.
const (
	bufEx = iota
	bufIn
	bufCount
	bufI0
	bufI1
	numBufs
)

// bufsOf returns the buffers a channel writes to or a block reads from.
func bufsOf(c models.Channel) []int {
	switch c {
	case models.ChanSpike:
		return []int{bufEx, bufIn}
	case models.ChanCount:
		return []int{bufCount}
	case models.ChanI0:
		return []int{bufI0}
	case models.ChanI1:
		return []int{bufI1}
	}
	return nil
}

// inputs are the ring buffers of one VP: per buffer, slots × n values, slot-major, so that one
// step's inputs of a block are contiguous.
type inputs struct {
	n, slots int
	ch       [numBufs][]float64
}

// resize reshapes the buffers for n neurons and the given slot count, keeping the content of the
// neurons that already exist (spikes in flight survive new Creates between Simulate calls).
func (in *inputs) resize(n, slots int, used [numBufs]bool) {
	if n == in.n && slots == in.slots {
		for c := range in.ch {
			if used[c] && in.ch[c] == nil {
				in.ch[c] = make([]float64, n*slots)
			}
		}
		return
	}
	for c := range in.ch {
		if !used[c] && in.ch[c] == nil {
			continue
		}
		nb := make([]float64, n*slots)
		if old := in.ch[c]; old != nil && slots == in.slots {
			for s := 0; s < slots; s++ {
				copy(nb[s*n:s*n+in.n], old[s*in.n:(s+1)*in.n])
			}
		}
		in.ch[c] = nb
	}
	in.n, in.slots = n, slots
}
