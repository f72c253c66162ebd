package kernel

import (
	"slices"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/record"
)

// deliverModel delivers spikes through the connections of a model with a send rule of its own,
// or through connections observed by a weight_recorder: for each spike the model's rule runs once
// over the source's connections (NEST's Connector<ConnectionT>::send), then each connection's
// weight goes into its target's ring buffer and, when observed, to the weight_recorder. A state
// that shares values between the connections of a source (models.SourceAware) first receives the
// store's source boundaries when it asks for them.
func (k *Kernel) deliverModel(st *vpState, c *connStore, origin int64) {
	var wr *device
	var wrp *models.WeightRecorderParams
	if id := c.syn.m.Base().WeightRecorder; id != 0 {
		if wr = k.deviceOf(id); wr != nil {
			wrp = wr.params.(*models.WeightRecorderParams)
		}
	}
	c.plainColumns() // a model's send rule reads weights and delays as arrays
	if sa, ok := c.st.(models.SourceAware); ok && sa.WantSources() {
		sa.Sources(c.srcStart)
	}
	b := &st.send
	b.W, b.Tgt, b.DR, b.DR0, b.Grid, b.Arch = c.w.plain, c.tgt, c.dr.plain, 0, k.grid, &st.arch
	oneDR := c.dr.constant() // the store is not empty: its one word is dict[0]
	if oneDR {
		b.DR, b.DR0 = nil, c.dr.dict[0]
	}
	for _, sp := range k.pending {
		src, first, last := c.sourceRun(uint32(sp.gid))
		if first == last {
			continue
		}
		e := origin + int64(sp.lag)
		stamp := e + 1
		b.T, b.First, b.Last, b.Source = k.grid.Ms(stamp), first, last, src
		if cap(b.Out) < last-first {
			b.Out = make([]float64, last-first, 2*(last-first))
		}
		b.Out = b.Out[:last-first]
		if c.st != nil {
			c.st.Send(b)
		} else {
			copy(b.Out, c.w.plain[first:last])
		}
		m := float64(sp.mult)
		base := e % k.slots
		// The weight_recorder's time window and senders filter are the same for the whole batch.
		rec := wr != nil && stamp > wr.tMin && stamp <= wr.tMax &&
			(len(wrp.Senders) == 0 || slices.Contains(wrp.Senders, sp.gid))
		if c.spikeOnly && !rec { // the common case: as deliverStatic's, with the weights of b.Out
			out := weightCol{plain: b.Out}
			ex, in, n := st.in.ch[bufEx], st.in.ch[bufIn], int64(st.in.n)
			if oneDR { // one delay: the spike's row once
				slot := ringSlot(base, b.DR0, k.slots)
				deliverOneSlot(row(ex, slot, n), row(in, slot, n), c.tgt[first:last], &out, 0, m)
				continue
			}
			deliverSlots(ex, in, c.tgt[first:last], c.dr.plain[first:last], &out, 0, base, k.slots, n, m)
			continue
		}
		for j := first; j < last; j++ {
			w, dr := b.Out[j-first], c.dr.at(j)
			k.addInput(st, c.tgt[j], dr, base, w*m, m)
			if rec {
				k.recordWeight(st, wr, wrp, sp.gid, st.gids[c.tgt[j]], stamp, w, drRport(dr), int64(j))
			}
		}
	}
}

// recordWeight records one weight_recorder event of a sender that passed the senders filter if
// it passes the targets filter.
func (k *Kernel) recordWeight(st *vpState, wr *device, p *models.WeightRecorderParams, src, tgt uint64, stamp int64, w float64, rport, port int64) {
	if len(p.Targets) > 0 && !slices.Contains(p.Targets, tgt) {
		return
	}
	inst := st.devs[wr.idx]
	inst.n++
	ev := &st.event
	st.weight[0] = w
	*ev = record.Event{Sender: src, Target: tgt, Stamp: stamp, Values: st.weight[:], Rport: rport, Port: port}
	inst.backend.Write(ev)
}
