package kernel

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models"
)

// deliverPlastic delivers spikes through STDP synapses and through synapses observed by a
// weight_recorder. For STDP the weight is updated first (NEST's stdp_synapse::send), then the
// spike is sent with the new weight and recorded.
func (k *Kernel) deliverPlastic(st *vpState, c *connStore, origin int64) {
	kind := c.syn.m.Kind()
	var wr *device
	var wrp *models.WeightRecorderParams
	if id := c.syn.m.WeightRecorder; id != 0 {
		if wr = k.deviceOf(id); wr != nil {
			wrp = wr.params.(*models.WeightRecorderParams)
		}
	}
	for _, sp := range k.pending {
		first, last := c.rangeOf(uint32(sp.gid))
		if first == last {
			continue
		}
		e := origin + int64(sp.lag)
		stamp := e + 1
		t := k.grid.Ms(stamp)
		m := float64(sp.mult)
		base := e % k.slots
		decay := kplusDecay{tLast: math.NaN()}
		for j := first; j < last; j++ {
			w := c.w[j]
			if kind != models.SynStatic {
				w = k.stdpSend(st, c, j, t, &decay)
			}
			k.addInput(st, c.tgt[j], c.dr[j], base, w*m, m)
			if wr != nil && stamp > wr.tMin && stamp <= wr.tMax {
				k.recordWeight(st, wr, wrp, sp.gid, st.gids[c.tgt[j]], stamp, w, drRport(c.dr[j]), int64(j))
			}
		}
	}
}

// stdpSend applies NEST's stdp_synapse update for a presynaptic spike at time t (ms) on connection
// j and returns the new weight. With d the (dendritic) delay, t_last the previous presynaptic
// spike and K+ the presynaptic trace:
//
//  1. facilitation by every postsynaptic spike t_post in (t_last − d, t − d]:
//     w ← facilitate(w, K+·exp((t_last − (t_post + d))/τ+));
//  2. depression by the postsynaptic trace just before t − d: w ← depress(w, K−(t − d));
//  3. K+ ← K+·exp((t_last − t)/τ+) + 1, t_last ← t.
func (k *Kernel) stdpSend(st *vpState, c *connStore, j int, t float64, decay *kplusDecay) float64 {
	p := &c.syn.m.Stdp
	if c.sp != nil {
		p = &c.sp[j]
	}
	d := k.grid.Ms(drDelay(c.dr[j]))
	tgt := int(c.tgt[j])
	a := &st.arch
	w, tLast, kplus := c.w[j], c.tlast[j], c.kplus[j]
	t1, t2 := tLast-d+stdpEps, t-d+stdpEps
	if a.post[tgt].lastT >= t1 { // some postsynaptic spikes may lie in the window
		w = facilitateFromHistory(a.hist[tgt], p, w, kplus, tLast, d, t1, t2)
	}
	w = p.Depress(w, a.kValue(tgt, t-d))
	c.w[j] = w
	if tLast != decay.tLast || p.TauPlus != decay.tauPlus {
		*decay = kplusDecay{tLast: tLast, tauPlus: p.TauPlus, factor: math.Exp((tLast - t) / p.TauPlus)}
	}
	c.kplus[j] = kplus*decay.factor + 1
	c.tlast[j] = t
	return w
}

// kplusDecay caches exp((t_last − t)/τ+) across the connections of one presynaptic spike: they
// usually share t_last, and then the factor is the same.
type kplusDecay struct{ tLast, tauPlus, factor float64 }

// facilitateFromHistory applies the facilitation of every history entry with t1 <= t_post < t2
// (found from the back, as NEST does, marking each as read) to w.
func facilitateFromHistory(hist []histEntry, p *models.StdpParams, w, kplus, tLast, d, t1, t2 float64) float64 {
	end := len(hist)
	for end > 0 && hist[end-1].t >= t2 {
		end--
	}
	begin := end
	for begin > 0 && hist[begin-1].t >= t1 {
		begin--
		hist[begin].access++
	}
	for _, he := range hist[begin:end] {
		w = p.Facilitate(w, kplus*math.Exp((tLast-(he.t+d))/p.TauPlus))
	}
	return w
}

// kValue returns the postsynaptic trace of neuron i at time t: from the latest history entry
// strictly before t (by more than stdp_eps), K−·exp((t_i − t)/τ−); 0 if there is none. As NEST's
// get_K_value it remembers the value, which the neuron reports as post_trace.
func (a *archive) kValue(i int, t float64) float64 {
	pt := &a.post[i]
	if t == pt.traceT { // same query since the history last changed (spikes of one step)
		return pt.trace
	}
	k := 0.0
	if t-pt.lastT > stdpEps { // the common case: the latest entry
		if pt.lastT > math.Inf(-1) {
			k = pt.lastK * math.Exp((pt.lastT-t)/pt.tauMinus)
		}
	} else {
		h := a.hist[i]
		for j := len(h) - 1; j >= 0; j-- {
			if t-h[j].t > stdpEps {
				k = h[j].kminus * math.Exp((h[j].t-t)/pt.tauMinus)
				break
			}
		}
	}
	pt.trace, pt.traceT = k, t
	return k
}

// registerSTDP counts an STDP connection with dendritic delay d (ms) onto neuron i.
func (a *archive) registerSTDP(i int, d float64) {
	a.nIncoming[i]++
	a.maxDelay[i] = math.Max(a.maxDelay[i], d)
}

// unregisterSTDP undoes registerSTDP for the connections of c from index n on.
func (a *archive) unregisterSTDP(c *connStore, n int) {
	if c.kplus == nil {
		return
	}
	for _, tgt := range c.tgt[n:] {
		a.nIncoming[tgt]--
	}
}

// recordWeight records one weight_recorder event if it passes the senders/targets filters.
func (k *Kernel) recordWeight(st *vpState, wr *device, p *models.WeightRecorderParams, src, tgt uint64, stamp int64, w float64, rport, port int64) {
	if len(p.Senders) > 0 && !slices.Contains(p.Senders, src) {
		return
	}
	if len(p.Targets) > 0 && !slices.Contains(p.Targets, tgt) {
		return
	}
	inst := st.devs[wr.idx]
	inst.ev.n++
	switch p.RecordTo {
	case "memory":
		ev := &inst.ev
		ev.senders = append(ev.senders, src)
		ev.targets = append(ev.targets, tgt)
		ev.stamps = append(ev.stamps, stamp)
		ev.weights = append(ev.weights, w)
		ev.rports = append(ev.rports, rport)
		ev.ports = append(ev.ports, port)
	case "ascii":
		inst.rowBuf = k.appendRow(inst.rowBuf[:0], &p.Recorder, src, stamp, []float64{w}, []int64{int64(tgt), rport, port})
		inst.file.w.Write(inst.rowBuf)
	case "screen":
		st.screen = k.appendRow(st.screen, &p.Recorder, src, stamp, []float64{w}, []int64{int64(tgt), rport, port})
	}
}
