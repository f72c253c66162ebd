package kernel

import (
	"fmt"
	"time"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// stateVersion is the version of the kernel's section layout inside a checkpoint: 3 writes a
// store's weight and delay columns in their coding (dictCol.encodeCoded), the delays of a model
// with per-connection state too; 2 wrote that model's delays plain; 1 wrote every column plain.
// All three are read, and a restored kernel stores in the version it read.
const stateVersion = 3

// writeVersion is the state version Store writes.
func (k *Kernel) writeVersion() int {
	if k.stateVersion != 0 {
		return k.stateVersion
	}
	return stateVersion
}

// encodeGlobal writes the "kernel" section.
func (k *Kernel) encodeGlobal(e *state.Encoder) error {
	e.Int(k.writeVersion())
	e.F64(k.grid.TicsPerMs)
	e.I64(k.grid.TicsPerStep)
	e.Int(k.threads)
	e.U64(uint64(k.seed))
	e.String(k.dataPath)
	e.String(k.dataPrefix)
	for _, b := range []bool{k.overwrite, k.printTime, k.dictMissIsError, k.userDelays, k.defaultsChanged, k.simulated} {
		e.Bool(b)
	}
	for _, v := range []int64{k.userMin, k.userMax, k.clock, k.from, k.minDelay, k.maxDelay, k.slots, int64(k.timers.simulate)} {
		e.I64(v)
	}
	rs := k.streams.RankSync.State()
	e.U64s(rs[:])
	if err := k.encodeModels(e); err != nil {
		return err
	}
	e.Int(len(k.nodes) - 1)
	for _, n := range k.nodes[1:] {
		e.I64(int64(n.model))
	}
	e.Int(len(k.devices))
	for _, d := range k.devices {
		e.U64(d.gid)
		e.Int(d.model.id)
		p := Params{}
		d.params.Get(p)
		if err := e.Dict(p); err != nil {
			return fmt.Errorf("node %d: %w", d.gid, err)
		}
		e.Int(d.synID)
		e.Bool(d.connected)
	}
	return nil
}

// encodeModels writes the neuron/device and synapse model tables with their current defaults.
func (k *Kernel) encodeModels(e *state.Encoder) error {
	e.Int(len(k.models.list))
	for _, m := range k.models.list {
		e.String(m.name)
		e.String(m.base)
		var d Params
		if m.neuron != nil {
			d = m.neuron.Defaults()
			e.F64(m.arch.TauMinus)
			e.F64(m.arch.TauMinusTriplet)
		} else {
			d = m.device.Defaults()
		}
		if err := e.Dict(d); err != nil {
			return fmt.Errorf("model %s: %w", m.name, err)
		}
	}
	e.Int(len(k.syns))
	for _, s := range k.syns {
		e.String(s.m.Name())
		e.String(s.base)
		if err := e.Dict(s.m.Defaults()); err != nil {
			return fmt.Errorf("model %s: %w", s.m.Name(), err)
		}
	}
	return nil
}

// decodeGlobal restores the "kernel" section into k (a fresh kernel); threads is the thread
// count to use (0: the stored one).
func (k *Kernel) decodeGlobal(d *state.Decoder, threads int) error {
	k.stateVersion = d.Int()
	if d.Err() == nil && (k.stateVersion < 1 || k.stateVersion > stateVersion) {
		d.Fail("kernel state version %d, this program reads 1 to %d", k.stateVersion, stateVersion)
	}
	k.grid = clock.Grid{TicsPerMs: d.F64(), TicsPerStep: d.I64()}
	stored := d.Int()
	seed := d.U64()
	k.dataPath, k.dataPrefix = d.String(), d.String()
	k.overwrite, k.printTime, k.dictMissIsError = d.Bool(), d.Bool(), d.Bool()
	k.userDelays, k.defaultsChanged, k.simulated = d.Bool(), d.Bool(), d.Bool()
	k.userMin, k.userMax, k.clock, k.from = d.I64(), d.I64(), d.I64(), d.I64()
	k.minDelay, k.maxDelay, k.slots = d.I64(), d.I64(), d.I64()
	k.timers.simulate = time.Duration(d.I64())
	rs := d.U64s()
	if err := d.Err(); err != nil {
		return err
	}
	if len(rs) != 4 || seed == 0 || seed >= 1<<32 || k.grid.TicsPerStep < 1 || stored < 1 {
		d.Fail("kernel settings out of range")
		return d.Err()
	}
	if threads <= 0 {
		threads = stored
	}
	k.threads, k.seed = threads, uint32(seed)
	k.setLayout()
	k.streams.RankSync.SetState([4]uint64(rs))
	if err := k.decodeModels(d); err != nil {
		return err
	}
	return k.decodeNodes(d)
}

// decodeModels rebuilds the model tables: built-in models get their stored defaults, copies are
// made from their base again.
func (k *Kernel) decodeModels(d *state.Decoder) error {
	n := d.Int()
	for i := 0; i < n && d.Err() == nil; i++ {
		name, base := d.String(), d.String()
		var arch models.ArchParams
		e, builtin := k.models.lookup(name)
		isNeuron := false
		if b, ok := k.models.lookup(base); ok && b.neuron != nil {
			isNeuron = true
			arch = models.ArchParams{TauMinus: d.F64(), TauMinusTriplet: d.F64()}
		}
		defaults := d.Dict()
		if d.Err() != nil {
			break
		}
		if !builtin {
			if err := k.CopyModel(base, name, nil); err != nil {
				return fmt.Errorf("model %s (copy of %s): %w", name, base, err)
			}
			e, _ = k.models.lookup(name)
		}
		if e.id != i {
			return status.Errorf(status.BadProperty, "checkpoint: model %s is number %d here, %d in the checkpoint", name, e.id, i)
		}
		if err := k.applyStoredDefaults(e, defaults, isNeuron); err != nil {
			return fmt.Errorf("model %s: %w", name, err)
		}
		if isNeuron {
			e.arch = arch
		}
	}
	ns := d.Int()
	for i := 0; i < ns && d.Err() == nil; i++ {
		name, base := d.String(), d.String()
		defaults := d.Dict()
		if d.Err() != nil {
			break
		}
		s, err := k.synByName(name)
		if err != nil {
			if err := k.CopyModel(base, name, nil); err != nil {
				return fmt.Errorf("synapse model %s (copy of %s): %w", name, base, err)
			}
			s, _ = k.synByName(name)
		}
		if s.id != i {
			return status.Errorf(status.BadProperty, "checkpoint: synapse model %s is number %d here, %d in the checkpoint", name, s.id, i)
		}
		if err := s.m.SetDefaults(status.NewReader(defaults, name)); err != nil {
			return fmt.Errorf("synapse model %s: %w", name, err)
		}
	}
	return d.Err()
}

// applyStoredDefaults sets a model's defaults from what Defaults wrote (keys a model reports but
// does not set, such as recordables, are left unread).
func (k *Kernel) applyStoredDefaults(e *modelEntry, defaults Params, isNeuron bool) error {
	r := status.NewReader(defaults, e.name)
	if isNeuron {
		return e.neuron.SetDefaults(r)
	}
	return e.device.SetDefaults(r, k.grid)
}

// decodeNodes rebuilds the node table and the devices (their instances come with the VPs).
func (k *Kernel) decodeNodes(d *state.Decoder) error {
	n := d.Int()
	if n < 0 || n > d.Remaining()/8 {
		d.Fail("%d nodes", n)
		return d.Err()
	}
	k.nodes = make([]nodeEntry, 1, n+1)
	local := make([]int32, k.layout.NumVPs())
	for id := uint64(1); id <= uint64(n); id++ {
		m := d.I64()
		if m < 0 || int(m) >= len(k.models.list) {
			d.Fail("node %d has model %d", id, m)
			return d.Err()
		}
		ne := nodeEntry{model: int32(m), local: -1}
		if k.models.list[m].neuron != nil {
			vp := k.layout.VPOf(id)
			if k.layout.IsLocalVP(vp) {
				ne.local = local[vp]
			}
			local[vp]++
		}
		k.nodes = append(k.nodes, ne)
	}
	nd := d.Int()
	for i := 0; i < nd && d.Err() == nil; i++ {
		gid, mid := d.U64(), d.Int()
		p := d.Dict()
		synID, connected := d.Int(), d.Bool()
		if d.Err() != nil {
			break
		}
		if gid == 0 || gid > uint64(n) || mid < 0 || mid >= len(k.models.list) || k.models.list[mid].device == nil || synID < -1 || synID >= len(k.syns) {
			d.Fail("device %d out of range", gid)
			break
		}
		e := k.models.list[mid]
		params := e.device.NewParams()
		if err := params.Set(status.NewReader(p, e.name), k.grid, e.name); err != nil {
			return fmt.Errorf("node %d: %w", gid, err)
		}
		dev := &device{gid: gid, idx: len(k.devices), model: e, kind: e.device.Kind(), params: params, synID: synID, connected: connected}
		k.devices = append(k.devices, dev)
		k.nodes[gid].local = int32(dev.idx)
	}
	return d.Err()
}
