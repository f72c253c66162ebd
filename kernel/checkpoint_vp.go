package kernel

import (
	"fmt"

	"github.com/nest-mpi/nest-mpi/models/record"
	"github.com/nest-mpi/nest-mpi/models/state"
)

// encodeVP writes the "vp-<v>" section of one virtual process.
func (k *Kernel) encodeVP(e *state.Encoder, st *vpState) error {
	st.placeAllPending()
	e.Grow(vpStateSize(st))
	e.Int(st.vp)
	rng, ts := st.rng.State(), k.streams.ThreadSync[st.thread].State()
	e.U64s(rng[:])
	e.U64s(ts[:])
	e.U64s(st.gids)
	e.Int(len(st.blocks))
	for _, b := range st.blocks {
		e.Int(b.start)
		e.String(b.base)
		mark := e.BeginRaw()
		b.b.WriteState(e)
		e.EndRaw(mark)
	}
	st.arch.WriteState(e)
	encodeInputs(e, &st.in)
	encodeSpikes(e, st.reg)
	e.Int(len(st.stores))
	for _, c := range st.stores {
		e.Bool(c != nil)
		if c != nil {
			encodeStore(e, c, k.writeVersion())
		}
	}
	e.Int(len(st.devs))
	for _, inst := range st.devs {
		encodeDevInst(e, inst)
	}
	e.Int(len(st.recConns))
	for _, rc := range st.recConns {
		e.I64(int64(rc.local))
		e.I64(int64(rc.dev))
		e.I64(int64(rc.syn))
		e.F64(rc.w)
		e.U64(uint64(rc.dr))
	}
	e.I64(st.dmin)
	e.I64(st.dmax)
	e.I64(st.spikes)
	return nil
}

func encodeInputs(e *state.Encoder, in *inputs) {
	e.Int(in.n)
	e.Int(in.slots)
	for _, ch := range in.ch {
		e.Bool(ch != nil)
		if ch != nil {
			e.F64s(ch)
		}
	}
}

func encodeStore(e *state.Encoder, c *connStore, version int) {
	e.Int(c.syn.id)
	e.U32s(c.tgt)
	if version >= 2 {
		c.w.encodeCoded(e)
		if version == 2 && c.st != nil { // version 2 kept these delays plain
			c.dr.encodePlain(e)
		} else {
			c.dr.encodeCoded(e)
		}
	} else {
		c.w.encode(e)
		c.dr.encode(e)
	}
	e.U32s(c.srcIDs)
	e.U32s(c.srcStart)
	e.U32s(c.tailSrc)
	e.Bool(c.spikeOnly)
	e.Bool(c.st != nil)
	if c.st != nil {
		mark := e.BeginRaw()
		c.st.WriteState(e)
		e.EndRaw(mark)
	}
}

func encodeDevInst(e *state.Encoder, inst *devInst) {
	e.U32s(inst.tgt)
	e.F64s(inst.w)
	e.U32s(inst.dr)
	e.Bool(inst.gen != nil)
	if inst.gen != nil {
		mark := e.BeginRaw()
		inst.gen.WriteState(e)
		e.EndRaw(mark)
	}
	e.I64(inst.n)
	m := &inst.mem
	e.U64s(m.Senders)
	e.U64s(m.Targets)
	e.I64s(m.Stamps)
	e.F64s(m.Weights)
	e.I64s(m.Rports)
	e.I64s(m.Ports)
	e.F64s(m.Values)
	e.Int(m.NVars)
	e.Int(len(inst.mm))
	for _, b := range inst.mm {
		e.I64(int64(b.local))
		e.U64(b.gid)
		e.Ints(b.rec)
		e.I64(b.next)
		e.Int(b.syn)
		e.F64(b.w)
		e.U64(uint64(b.dr))
		e.I64s(b.stamps)
		e.F64s(b.vals)
	}
}

// decodeVP restores one virtual process from its section into st (a fresh VP of the same id),
// with its random streams.
func (k *Kernel) decodeVP(d *state.Decoder, st *vpState) error {
	rng, ts, err := k.decodeVPState(d, st)
	if err != nil {
		return err
	}
	st.rng.SetState(rng)
	k.streams.ThreadSync[st.thread].SetState(ts)
	return nil
}

// decodeVPState restores everything of one virtual process but its random streams, whose states
// it returns (the VP-specific and the thread-synchronised one).
func (k *Kernel) decodeVPState(d *state.Decoder, st *vpState) (rng, ts [4]uint64, err error) {
	if v := d.Int(); d.Err() == nil && v != st.vp {
		d.Fail("section of VP %d read for VP %d", v, st.vp)
	}
	r, t := d.U64s(), d.U64s()
	st.gids = d.U64s()
	if d.Err() == nil && (len(r) != 4 || len(t) != 4) {
		d.Fail("random stream states")
	}
	if err := d.Err(); err != nil {
		return rng, ts, err
	}
	rng, ts = [4]uint64(r), [4]uint64(t)
	return rng, ts, k.decodeVPBody(d, st)
}

func (k *Kernel) decodeVPBody(d *state.Decoder, st *vpState) error {
	if err := k.decodeBlocks(d, st); err != nil {
		return err
	}
	if err := st.arch.ReadState(d); err != nil {
		return err
	}
	decodeInputs(d, &st.in)
	st.reg = decodeSpikes(d)
	if err := k.decodeStores(d, st); err != nil {
		return err
	}
	if err := k.decodeDevInsts(d, st); err != nil {
		return err
	}
	nr := d.Int()
	for i := 0; i < nr && d.Err() == nil; i++ {
		rc := recConn{local: int32(d.I64()), dev: int32(d.I64()), syn: int32(d.I64()), w: d.F64(), dr: uint32(d.U64())}
		if int(rc.local) >= len(st.gids) || int(rc.dev) >= len(k.devices) || int(rc.syn) >= len(k.syns) {
			d.Fail("recorder connection out of range")
		}
		st.recConns = append(st.recConns, rc)
	}
	st.dmin, st.dmax, st.spikes = d.I64(), d.I64(), d.I64()
	return d.Err()
}

func (k *Kernel) decodeBlocks(d *state.Decoder, st *vpState) error {
	nb := d.Int()
	for i := 0; i < nb && d.Err() == nil; i++ {
		start, base := d.Int(), d.String()
		raw := d.Raw()
		if d.Err() != nil {
			break
		}
		e, ok := k.models.lookup(base)
		if !ok || e.neuron == nil {
			d.Fail("block of unknown neuron model %q", base)
			break
		}
		b := &nblock{start: start, base: base, b: e.neuron.NewBlock()}
		for _, c := range e.neuron.Channels() {
			for _, bi := range bufsOf(c) {
				b.bufs[bi] = true
			}
		}
		bd := state.NewDecoder(raw, fmt.Sprintf("vp-%d %s block", st.vp, base))
		if err := b.b.ReadState(bd); err != nil {
			return err
		}
		if err := bd.Done(); err != nil {
			return err
		}
		st.blocks = append(st.blocks, b)
	}
	return d.Err()
}

func decodeInputs(d *state.Decoder, in *inputs) {
	in.n, in.slots = d.Int(), d.Int()
	for c := range in.ch {
		if d.Bool() {
			in.ch[c] = d.F64s()
			d.LenIs("ring buffer", len(in.ch[c]), in.n*in.slots)
		}
	}
}

func (k *Kernel) decodeStores(d *state.Decoder, st *vpState) error {
	ns := d.Int()
	for i := 0; i < ns && d.Err() == nil; i++ {
		if !d.Bool() {
			st.stores = append(st.stores, nil)
			continue
		}
		id := d.Int()
		if d.Err() != nil || id != i || id >= len(k.syns) {
			d.Fail("store of synapse model %d at position %d", id, i)
			break
		}
		c := newConnStore(k.syns[id])
		c.tgt = d.U32s()
		if k.stateVersion >= 2 {
			c.w, c.dr = decodeCoded(d, "weights", d.F64s), decodeCoded(d, "delays", d.U32s)
		} else {
			ws, drs := d.F64s(), d.U32s()
			c.w, c.dr = columnOf(ws, c.st != nil), columnOf(drs, c.st != nil)
		}
		c.srcIDs, c.srcStart, c.tailSrc = d.U32s(), d.U32s(), d.U32s()
		c.spikeOnly = d.Bool()
		d.LenIs("weights", c.w.len(), len(c.tgt))
		d.LenIs("delays", c.dr.len(), len(c.tgt))
		if c.st != nil && (c.w.coded || c.dr.coded && k.stateVersion < 3) {
			d.Fail("coded columns in the store of %s, whose connections have state", k.syns[id].m.Name())
		}
		hasState := d.Bool()
		if d.Err() == nil && hasState != (c.st != nil) {
			d.Fail("synapse model %s state presence", k.syns[id].m.Name())
		}
		if hasState && d.Err() == nil {
			raw := d.Raw()
			sd := state.NewDecoder(raw, fmt.Sprintf("vp-%d %s connections", st.vp, k.syns[id].m.Name()))
			if err := c.st.ReadState(sd); err != nil {
				return err
			}
			if err := sd.Done(); err != nil {
				return err
			}
			d.LenIs(k.syns[id].m.Name()+" state", c.st.Len(), len(c.tgt))
		}
		st.stores = append(st.stores, c)
	}
	return d.Err()
}

func (k *Kernel) decodeDevInsts(d *state.Decoder, st *vpState) error {
	nd := d.Int()
	if d.Err() == nil && nd != len(k.devices) {
		d.Fail("%d device instances for %d devices", nd, len(k.devices))
	}
	for i := 0; i < nd && d.Err() == nil; i++ {
		dev := k.devices[i]
		inst := &devInst{tgt: d.U32s(), w: d.F64s(), dr: d.U32s()}
		if sp, ok := dev.stimulator(); ok {
			inst.gen = sp.NewGenerator()
		}
		hasGen := d.Bool()
		if d.Err() == nil && hasGen != (inst.gen != nil) {
			d.Fail("device %d generator state presence", dev.gid)
		}
		if hasGen && d.Err() == nil {
			gd := state.NewDecoder(d.Raw(), fmt.Sprintf("vp-%d node %d", st.vp, dev.gid))
			if err := inst.gen.ReadState(gd); err != nil {
				return err
			}
			if err := gd.Done(); err != nil {
				return err
			}
		}
		inst.n = d.I64()
		inst.mem = record.Events{Senders: d.U64s(), Targets: d.U64s(), Stamps: d.I64s(), Weights: d.F64s(),
			Rports: d.I64s(), Ports: d.I64s(), Values: d.F64s(), NVars: d.Int()}
		nm := d.Int()
		for j := 0; j < nm && d.Err() == nil; j++ {
			b := &mmBinding{dev: dev, local: int32(d.I64()), gid: d.U64(), rec: d.Ints(), next: d.I64(),
				syn: d.Int(), w: d.F64(), dr: uint32(d.U64()), stamps: d.I64s(), vals: d.F64s()}
			inst.mm = append(inst.mm, b)
		}
		st.devs = append(st.devs, inst)
	}
	return d.Err()
}

// vpStateSize estimates the bytes of a VP's section (to reserve them at once).
func vpStateSize(st *vpState) int {
	n := 1 << 20
	for _, c := range st.stores {
		if c != nil {
			n += c.len() * c.syn.m.SizeOf()
		}
	}
	for _, ch := range st.in.ch {
		n += 8 * len(ch)
	}
	return n + 256*len(st.gids)
}
