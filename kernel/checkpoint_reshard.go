package kernel

import (
	"fmt"
	"slices"

	"github.com/nest-mpi/nest-mpi/checkpoint"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/record"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/vp"
)

// Restoring onto another number of virtual processes re-shards the state by node id: every
// neuron moves to the VP that owns it now (gid mod N_vp) with its complete state, its ring
// buffers, spike history and pending spikes; every connection moves to its target's VP (targets,
// weights, delays and the synapse model's state), generator targets and multimeter bindings
// likewise; recorders' events and counters go to VP (old VP mod N_vp). The random streams are
// those of the new layout, so the continuation is a valid one but not the one the stored run
// would have made.

// oldVP is a stored virtual process decoded for re-sharding.
type oldVP struct {
	st    *vpState
	srcOf [][]uint32 // per store (by synapse id), the source of every connection
}

// reshard fills this rank's VPs from a checkpoint written with oldN virtual processes.
func (k *Kernel) reshard(r *checkpoint.Reader, oldN int) error {
	olds, err := k.decodeOldVPs(r, oldN)
	if err != nil {
		return err
	}
	where := locateNeurons(olds)
	for _, st := range k.vps {
		k.moveNeurons(st, olds, where)
		for _, d := range k.devices {
			inst := &devInst{}
			if sp, ok := d.stimulator(); ok {
				inst.gen = sp.NewGenerator()
			}
			st.devs = append(st.devs, inst)
		}
	}
	for o, old := range olds {
		k.moveConnections(old, o)
		k.moveDevices(old, o)
		k.moveRecorderConns(old)
		k.moveSpikes(old, o)
	}
	k.note("the checkpoint was written with %d virtual processes and is restored onto %d: neurons and connections moved to their new virtual processes; the random streams now differ from the stored run's", oldN, k.layout.NumVPs())
	return nil
}

// decodeOldVPs reads every stored VP section (each rank reads all of them).
func (k *Kernel) decodeOldVPs(r *checkpoint.Reader, oldN int) ([]*oldVP, error) {
	olds := make([]*oldVP, oldN)
	for v := range oldN {
		name := fmt.Sprintf("vp-%d", v)
		data, err := r.Section(name)
		if err != nil {
			return nil, err
		}
		st := newVPState(v, v, &vp.Stream{})
		d := state.NewDecoder(data, "section "+name)
		if _, _, err := k.decodeVPState(d, st); err != nil {
			return nil, err
		}
		if err := d.Done(); err != nil {
			return nil, err
		}
		o := &oldVP{st: st, srcOf: make([][]uint32, len(st.stores))}
		for i, c := range st.stores {
			if c != nil {
				o.srcOf[i] = c.sources()
			}
		}
		olds[v] = o
	}
	return olds, nil
}

// neuronAt locates a stored neuron: its old VP and VP-local index.
type neuronAt struct{ vp, idx int }

func locateNeurons(olds []*oldVP) map[uint64]neuronAt {
	where := map[uint64]neuronAt{}
	for v, o := range olds {
		for i, g := range o.st.gids {
			where[g] = neuronAt{v, i}
		}
	}
	return where
}

// moveNeurons appends to st, in node id order, the neurons it owns now.
func (k *Kernel) moveNeurons(st *vpState, olds []*oldVP, where map[uint64]neuronAt) {
	for gid := uint64(1); gid < uint64(len(k.nodes)); gid++ {
		if k.layout.VPOf(gid) != st.vp || k.models.list[k.nodes[gid].model].neuron == nil {
			continue
		}
		at := where[gid]
		old := olds[at.vp].st
		ob, j := old.blockOf(at.idx)
		if len(st.blocks) == 0 || st.blocks[len(st.blocks)-1].base != ob.base {
			nb := &nblock{start: len(st.gids), base: ob.base, b: k.models.byName[ob.base].neuron.NewBlock(), bufs: ob.bufs}
			st.blocks = append(st.blocks, nb)
		}
		st.blocks[len(st.blocks)-1].b.AppendFrom(ob.b, j)
		st.gids = append(st.gids, gid)
		st.arch.AppendFrom(&old.arch, at.idx)
	}
	k.moveInputs(st, olds, where)
}

// moveInputs copies the ring buffers of st's neurons from their old VPs.
func (k *Kernel) moveInputs(st *vpState, olds []*oldVP, where map[uint64]neuronAt) {
	slots := olds[0].st.in.slots
	var used [numBufs]bool
	for _, o := range olds {
		for c, ch := range o.st.in.ch {
			used[c] = used[c] || ch != nil
		}
	}
	st.in = inputs{}
	st.in.resize(len(st.gids), slots, used)
	for i, gid := range st.gids {
		at := where[gid]
		in := &olds[at.vp].st.in
		for c, ch := range in.ch {
			if ch == nil {
				continue
			}
			for s := range slots {
				st.in.ch[c][s*st.in.n+i] = ch[s*in.n+at.idx]
			}
		}
	}
}

// newHome returns the local VP that owns neuron gid now and its index there (nil if on another
// rank).
func (k *Kernel) newHome(gid uint64) (*vpState, int) {
	v := k.layout.VPOf(gid)
	if !k.layout.IsLocalVP(v) {
		return nil, 0
	}
	return k.vps[k.layout.ThreadOfVP(v)], int(k.nodes[gid].local)
}

// moveConnections moves the connections stored on old VP o to their targets' VPs.
func (k *Kernel) moveConnections(old *oldVP, o int) {
	for id, c := range old.st.stores {
		if c == nil {
			continue
		}
		for j, src := range old.srcOf[id] {
			st, local := k.newHome(old.st.gids[c.tgt[j]])
			if st == nil {
				continue
			}
			dst := st.store(c.syn)
			if c.st != nil {
				dst.st.AppendFrom(c.st, j)
			}
			dr := c.dr.at(j)
			dst.add(src, uint32(local), c.w.at(j), dr)
			st.noteDelay(drDelay(dr))
			if c.syn.m.NeedsHistory() {
				st.arch.Register(local, k.grid.Ms(drDelay(dr)), 1)
			}
		}
	}
}

// moveDevices moves generator targets and multimeter bindings to their neurons' VPs; recorder
// events and counters, and generator states, go to VP (o mod N_vp).
func (k *Kernel) moveDevices(old *oldVP, o int) {
	keeper := k.layout.IsLocalVP(o % k.layout.NumVPs())
	for di, oi := range old.st.devs {
		for j, tgt := range oi.tgt {
			if st, local := k.newHome(old.st.gids[tgt]); st != nil {
				inst := st.devs[di]
				inst.tgt, inst.w, inst.dr = append(inst.tgt, uint32(local)), append(inst.w, oi.w[j]), append(inst.dr, oi.dr[j])
				st.noteDelay(drDelay(oi.dr[j]))
			}
		}
		for _, b := range oi.mm {
			if st, local := k.newHome(b.gid); st != nil {
				nb := *b
				nb.local = int32(local)
				st.devs[di].mm = append(st.devs[di].mm, &nb)
				st.noteDelay(drDelay(b.dr))
			}
		}
		if o == 0 && oi.gen != nil {
			k.copyGeneratorState(di, oi.gen)
		}
		if keeper {
			inst := k.vps[k.layout.ThreadOfVP(o%k.layout.NumVPs())].devs[di]
			inst.n += oi.n
			appendEvents(&inst.mem, &oi.mem)
		}
	}
}

// copyGeneratorState gives every local instance of generator di the stored state of one of its
// old instances (their states agree but for per-target values, which are redrawn).
func (k *Kernel) copyGeneratorState(di int, g models.Generator) {
	var e state.Encoder
	g.WriteState(&e)
	for _, st := range k.vps {
		if gen := st.devs[di].gen; gen != nil {
			_ = gen.ReadState(state.NewDecoder(slices.Clone(e.Bytes()), "generator"))
		}
	}
}

func appendEvents(dst, src *record.Events) {
	dst.Senders = append(dst.Senders, src.Senders...)
	dst.Targets = append(dst.Targets, src.Targets...)
	dst.Stamps = append(dst.Stamps, src.Stamps...)
	dst.Weights = append(dst.Weights, src.Weights...)
	dst.Rports = append(dst.Rports, src.Rports...)
	dst.Ports = append(dst.Ports, src.Ports...)
	dst.Values = append(dst.Values, src.Values...)
	if src.NVars > 0 {
		dst.NVars = src.NVars
	}
}

// moveRecorderConns moves the neuron -> spike_recorder connections to their sources' VPs.
func (k *Kernel) moveRecorderConns(old *oldVP) {
	for _, rc := range old.st.recConns {
		if st, local := k.newHome(old.st.gids[rc.local]); st != nil {
			nrc := rc
			nrc.local = int32(local)
			st.recConns = append(st.recConns, nrc)
			st.noteDelay(drDelay(rc.dr))
		}
	}
}

// moveSpikes moves the spikes of the current slice to their neurons' VPs, and old VP o's spike
// count to VP o mod N_vp.
func (k *Kernel) moveSpikes(old *oldVP, o int) {
	for _, s := range old.st.reg {
		if st, _ := k.newHome(s.gid); st != nil {
			st.reg = append(st.reg, s)
		}
	}
	for _, st := range k.vps {
		sortSpikes(st.reg)
	}
	if v := o % k.layout.NumVPs(); k.layout.IsLocalVP(v) {
		k.vps[k.layout.ThreadOfVP(v)].spikes += old.st.spikes
	}
}
