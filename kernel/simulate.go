package kernel

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/record"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Simulate runs the network for t ms: Prepare, Run(t), Cleanup. Time continues from the previous
// call; any blocking of a run into calls gives the same result as one call.
func (k *Kernel) Simulate(t float64) error {
	if err := k.Prepare(); err != nil {
		return err
	}
	runErr := k.Run(t)
	cleanErr := k.Cleanup()
	if runErr != nil {
		return runErr
	}
	return cleanErr
}

// Prepare readies the kernel for Run: it fixes min_delay and max_delay, sorts connections, sizes
// ring buffers, computes propagators and opens recorder files.
func (k *Kernel) Prepare() error {
	if err := k.usable("Prepare"); err != nil {
		return err
	}
	if k.prepared {
		return status.Errorf(status.KernelException, "Prepare called twice; call Cleanup first")
	}
	defer k.timers.since(&k.timers.prepare, time.Now())
	if err := k.fixDelays(); err != nil {
		return err
	}
	now := k.clock + k.from
	if err := k.prepareDevices(now); err != nil {
		return err
	}
	sorted := k.connChanged
	err := k.pool.Run(func(t int) { k.prepareVP(k.vps[t], now) })
	if err != nil {
		return status.Errorf(status.InternalError, "Prepare: %v", err)
	}
	if sorted { // give back what building and sorting the connections needed
		runtime.GC()
		debug.FreeOSMemory()
	}
	if k.comm.Size() > 1 && k.connChanged {
		if err := k.buildPresynaptic(); err != nil {
			return status.Errorf(status.InternalError, "Prepare: exchanging presynaptic tables: %v", err)
		}
	}
	k.connChanged = false
	if err := k.enrollRecorders(); err != nil {
		return err
	}
	k.prepared = true
	return nil
}

// fixDelays computes min_delay and max_delay over all connections of all ranks (frozen once the
// network was simulated, or as set by the user).
func (k *Kernel) fixDelays() error {
	if k.simulated {
		return nil
	}
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, st := range k.vps {
		if st.dmax > 0 {
			lo, hi = min(lo, st.dmin), max(hi, st.dmax)
		}
	}
	buf := []int64{-lo, hi}
	if err := k.comm.AllreduceInt64(buf, buf, comm.Max); err != nil {
		return status.Errorf(status.InternalError, "agreeing on delays: %v", err)
	}
	lo, hi = -buf[0], buf[1]
	switch {
	case k.userDelays:
		k.minDelay, k.maxDelay = k.userMin, k.userMax
	case hi == 0:
		k.minDelay, k.maxDelay = 1, 1
	default:
		k.minDelay, k.maxDelay = lo, hi
	}
	k.slots = k.minDelay + k.maxDelay
	return nil
}

func (k *Kernel) prepareVP(st *vpState, now int64) {
	var used [numBufs]bool
	for _, b := range st.blocks {
		b.b.Prepare(k.grid)
		b.samplers = b.samplers[:0]
		for i, u := range b.bufs {
			used[i] = used[i] || u
		}
	}
	for _, c := range st.stores {
		if c != nil {
			c.sortBySource()
		}
	}
	// The current buffers are made only when something writes into them: without current
	// inputs, the blocks read a row of zeros instead of slots × n values.
	written := k.channelsWritten(st)
	for _, b := range [...]struct {
		buf int
		ch  models.Channel
	}{{bufI0, models.ChanI0}, {bufI1, models.ChanI1}} {
		used[b.buf] = used[b.buf] && written&(1<<b.ch) != 0
	}
	st.in.resize(len(st.gids), int(k.slots), used)
	st.zero = slices.Grow(st.zero[:0], len(st.gids))[:len(st.gids)]
	clear(st.zero)
	for _, c := range st.stores {
		// It scans every connection: only after connections changed (or a weight was set:
		// that empties srcCode).
		if c != nil && (k.connChanged || len(c.srcCode) == 0) {
			c.noteSourceWeights()
		}
	}
	st.buildRecorderIndex()
	for _, inst := range st.devs {
		inst.oneTarget = inst.spikeOnly && len(inst.w) > 0 && allEqualBits(inst.w) && !slices.ContainsFunc(inst.dr, func(dr uint32) bool { return dr != inst.dr[0] })
		for _, m := range inst.mm {
			m.init(k.grid, now)
			b, j := st.blockOf(int(m.local))
			m.blk, m.j = b, j
			b.samplers = append(b.samplers, m)
		}
	}
}

// channelsWritten returns the channels that st's connections and generators write into, bit c
// for channel c. It sets each store's channel mask (scanning every connection: only after
// connections changed, or when not known since a restore) and each generator's spikeOnly.
func (k *Kernel) channelsWritten(st *vpState) uint8 {
	var m uint8
	for _, c := range st.stores {
		if c == nil {
			continue
		}
		if k.connChanged || !c.chansKnown {
			c.chans, c.chansKnown = c.channelMask(), true
			c.spikeOnly = onlySpike(c.chans)
		}
		m |= c.chans
	}
	for _, inst := range st.devs {
		dm := channelsOf(inst.dr)
		inst.spikeOnly = onlySpike(dm)
		m |= dm
	}
	return m
}

// buildRecorderIndex builds the CSR index from VP-local neuron to the spike recorders attached to
// it, keeping connection order.
func (st *vpState) buildRecorderIndex() {
	n := len(st.gids)
	st.recStart = make([]int32, n+1)
	for _, p := range st.recConns {
		st.recStart[p.local+1]++
	}
	for i := 0; i < n; i++ {
		st.recStart[i+1] += st.recStart[i]
	}
	st.recDev = make([]int32, len(st.recConns))
	fill := make([]int32, n)
	for _, p := range st.recConns {
		st.recDev[st.recStart[p.local]+fill[p.local]] = p.dev
		fill[p.local]++
	}
}

// prepareDevices fixes the recorders' windows and readies every generator instance for the run.
func (k *Kernel) prepareDevices(now int64) error {
	for _, d := range k.devices {
		if rp := recorderParams(d); rp != nil {
			d.tMin, d.tMax = rp.Window.Steps(k.grid)
			if mp, ok := d.params.(*models.MultimeterParams); ok {
				d.ivSteps = k.grid.Steps(mp.Interval)
			}
			continue
		}
		for _, st := range k.vps {
			if err := st.devs[d.idx].gen.Prepare(d.params, k.grid, now); err != nil {
				return fmt.Errorf("node %d: %w", d.gid, err)
			}
		}
	}
	return nil
}

// Run advances the simulation by t ms (after Prepare).
func (k *Kernel) Run(t float64) error {
	if err := k.usable("Run"); err != nil {
		return err
	}
	if !k.prepared {
		return status.Errorf(status.KernelException, "Run called without Prepare")
	}
	h := k.grid.H()
	if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 || (t > 0 && t < h) {
		return status.Errorf(status.KernelException, "Simulate: the time must be 0 or at least the resolution (%g ms) and finite, got %g ms", h, t)
	}
	toDo := k.grid.Steps(t)
	if toDo == 0 {
		return nil
	}
	if toDo >= clock.Infinite-(k.clock+k.from) {
		return status.Errorf(status.KernelException, "Simulate: OverflowError: the simulation time %g ms exceeds the largest time the kernel can handle (%g ms from now)", t, k.grid.Ms(clock.Infinite-1-(k.clock+k.from)))
	}
	if toDo%k.minDelay != 0 {
		fmt.Fprintf(k.log, "Warning: Simulate: the simulation time %g ms is not a multiple of min_delay (%g ms); the last slice is completed by the next call\n", t, k.grid.Ms(k.minDelay))
	}
	k.simulated = true
	start := time.Now()
	total := toDo
	t0 := k.clock + k.from
	for toDo > 0 {
		to := min(k.minDelay, k.from+toDo)
		if err := k.updateSlice(to); err != nil {
			k.broken = err
			return err
		}
		toDo -= to - k.from
		if to == k.minDelay {
			if err := k.exchangeSpikes(); err != nil {
				k.broken = err
				return err
			}
			k.clock += k.minDelay
			k.from = 0
			if k.comm.Size() == 1 && k.stopRequested() {
				k.stopAgreed = true
			}
			if k.stopAgreed && toDo > 0 {
				k.stopAgreed = false
				k.flushScreen()
				k.timers.simulate += time.Since(start)
				return fmt.Errorf("Simulate stopped at %g ms: %w", k.Time(), ErrInterrupted)
			}
			k.stopAgreed = false
		} else {
			k.from = to
		}
		k.flushScreen()
		if k.printTime && (toDo == 0 || time.Since(k.lastPrint) > progressEvery) {
			k.printProgress(t0, total, start)
			k.lastPrint = time.Now()
		}
	}
	if k.printTime {
		fmt.Fprintln(k.out)
	}
	k.timers.simulate += time.Since(start)
	return nil
}

// Cleanup ends a Prepare ... Run sequence: it flushes recorder files.
func (k *Kernel) Cleanup() error {
	if !k.prepared {
		return status.Errorf(status.KernelException, "Cleanup called without Prepare")
	}
	k.prepared = false
	return k.flushFiles()
}

// progressEvery is the interval of print_time's progress line (NEST prints it every slice; on a
// terminal the line overwrites itself, so the rate only matters in logs).
const progressEvery = 200 * time.Millisecond

func (k *Kernel) printProgress(t0, total int64, start time.Time) {
	done := k.clock + k.from - t0
	wall := time.Since(start).Seconds()
	rtf := 0.0
	if done > 0 {
		rtf = wall / (k.grid.Ms(done) / 1000)
	}
	fmt.Fprintf(k.out, "\r[ %3d%% ] Model time: %.1f ms, Real-time factor: %.4f", 100*done/total, k.grid.Ms(k.clock+k.from), rtf)
}

// updateSlice runs the steps [from, to) of the current slice on every VP.
func (k *Kernel) updateSlice(to int64) error {
	k.sliceTo = to
	if err := k.pool.Run(k.updateVPFunc); err != nil {
		return status.Errorf(status.InternalError, "Simulate: the update of the network failed at %g ms: %v", k.grid.Ms(k.clock+k.from), err)
	}
	for _, st := range k.vps { // the first VP's error, the same for every scheduling
		if st.err != nil {
			return fmt.Errorf("Simulate: %w", st.err)
		}
	}
	return nil
}

func (k *Kernel) updateVP(t int) {
	st := k.vps[t]
	t0 := time.Now()
	if k.from == 0 && k.clock > 0 {
		k.commitSamples(st)
		k.deliver(st)
	}
	t1 := time.Now()
	for lag := k.from; lag < k.sliceTo && st.err == nil; lag++ {
		s := k.clock + lag
		k.updateDevices(st, s)
		k.updateNeurons(st, s, int32(lag))
	}
	st.timers.deliver += t1.Sub(t0)
	st.timers.update += time.Since(t1)
}

// updateNeurons advances every block of st by the step s.
func (k *Kernel) updateNeurons(st *vpState, s int64, lag int32) {
	n := st.in.n
	off := int(s%k.slots) * n
	step := &st.step
	step.RNG, step.H = st.rng, k.grid.H()
	for _, b := range st.blocks {
		lo, hi := off+b.start, off+b.start+b.b.Len()
		step.Ex, step.In = sub(st.in.ch[bufEx], lo, hi), sub(st.in.ch[bufIn], lo, hi)
		step.Count = sub(st.in.ch[bufCount], lo, hi)
		step.I0, step.I1 = st.currents(bufI0, b, lo, hi), st.currents(bufI1, b, lo, hi)
		step.CurrentsIdle = st.in.ch[bufI0] == nil && st.in.ch[bufI1] == nil
		step.Spikes = step.Spikes[:0]
		b.b.Update(step)
		if step.Err != nil {
			st.err = fmt.Errorf("node %d at %g ms: %w", st.gids[b.start+step.ErrIndex], k.grid.Ms(s), step.Err)
			step.Err = nil
			return
		}
		for _, sp := range step.Spikes {
			k.emit(st, b.start+int(sp.Index), s, lag, sp.Mult)
		}
		for _, m := range b.samplers {
			if s >= m.next {
				m.sample(s)
			}
		}
	}
}

// currents returns block b's slice of current buffer c for the slot at lo: the ring buffer's,
// or the row of zeros when b reads the channel but nothing writes into it.
func (st *vpState) currents(c int, b *nblock, lo, hi int) []float64 {
	if !b.bufs[c] {
		return nil
	}
	if st.in.ch[c] == nil {
		n := hi - lo
		return st.zero[b.start : b.start+n : b.start+n]
	}
	return st.in.ch[c][lo:hi:hi]
}

// ringSlot returns the ring-buffer slot that a connection with delay word dr reaches from base,
// the slot of the sending step, in a ring of S slots.
func ringSlot(base int64, dr uint32, S int64) int64 {
	slot := base + int64(dr&delayMask)
	if slot >= S {
		slot -= S
	}
	return slot
}

// row returns a slot's row of a ring buffer of n neurons.
func row(buf []float64, slot, n int64) []float64 { return buf[slot*n : (slot+1)*n] }

func sub(buf []float64, lo, hi int) []float64 {
	if buf == nil {
		return nil
	}
	return buf[lo:hi:hi]
}

// emit registers a spike of VP-local neuron i in step s: for the exchange, for the spike
// recorders attached to it, and in its spike history.
func (k *Kernel) emit(st *vpState, i int, s int64, lag int32, mult uint32) {
	gid := st.gids[i]
	st.reg = append(st.reg, spikeRec{gid: gid, lag: lag, mult: mult})
	stamp := s + 1
	for _, di := range st.recDev[st.recStart[i]:st.recStart[i+1]] {
		d := k.devices[di]
		if stamp > d.tMin && stamp <= d.tMax {
			for range mult {
				k.recordSpike(st, d, gid, stamp)
			}
		}
	}
	t := k.grid.Ms(stamp)
	minD := k.grid.Ms(k.minDelay)
	for range mult {
		st.arch.RecordSpike(i, t, minD)
	}
}

// recordSpike records one spike event in a spike recorder instance.
func (k *Kernel) recordSpike(st *vpState, d *device, gid uint64, stamp int64) {
	inst := st.devs[d.idx]
	inst.n++
	ev := &st.event
	*ev = record.Event{Sender: gid, Stamp: stamp}
	inst.backend.Write(ev)
}

// flushScreen prints the screen backend rows of every VP, thread by thread.
func (k *Kernel) flushScreen() {
	for _, st := range k.vps {
		if len(st.screen) > 0 {
			k.out.Write(st.screen)
			st.screen = st.screen[:0]
		}
	}
}

// updateDevices advances the generators of st by the step s and adds what they send into the
// ring buffers of their targets on st. An event sent in step s reaches a target over delay d in
// the slot of step s + d.
func (k *Kernel) updateDevices(st *vpState, s int64) {
	base := s % k.slots
	for _, inst := range st.devs {
		if inst.gen == nil || len(inst.tgt) == 0 {
			continue
		}
		em := &inst.emit
		inst.gen.Update(s, st.rng, len(inst.tgt), em)
		for _, p := range em.All {
			for i, tgt := range inst.tgt {
				k.addInput(st, tgt, inst.dr[i], base, inst.w[i]*p.Value*p.Mult, p.Mult)
			}
		}
		if inst.spikeOnly {
			k.addSpikeEach(st, inst, base, em.Each)
		} else {
			for i, v := range em.Each {
				if v != 0 {
					k.addInput(st, inst.tgt[i], inst.dr[i], base, inst.w[i]*v, v)
				}
			}
		}
		em.All, em.Each = em.All[:0], nil
	}
}

// addSpikeEach adds a generator's per-target values through spike-channel connections without
// a branch on the value: weight × value goes to the buffer of the weight's sign (the sign of the
// product whenever it is not zero), and adding a zero product changes no buffer.
func (k *Kernel) addSpikeEach(st *vpState, inst *devInst, base int64, each []float64) {
	n, S := int64(st.in.n), k.slots
	ex, in := st.in.ch[bufEx], st.in.ch[bufIn]
	if inst.oneTarget && len(each) > 0 { // one weight, one slot
		slot := ringSlot(base, inst.dr[0], S)
		w, buf := inst.w[0], row(in, slot, n)
		if w > 0 {
			buf = row(ex, slot, n)
		}
		for i, tgt := range inst.tgt[:len(each)] {
			buf[tgt] += w * each[i]
		}
		return
	}
	tgt, w, dr := inst.tgt[:len(each)], inst.w[:len(each)], inst.dr[:len(each)]
	for i, v := range each {
		idx := ringSlot(base, dr[i], S)*n + int64(tgt[i])
		if w[i] > 0 {
			ex[idx] += w[i] * v
		} else {
			in[idx] += w[i] * v
		}
	}
}

// allEqualBits reports whether every element of xs has the bits of xs[0].
func allEqualBits(xs []float64) bool {
	return !slices.ContainsFunc(xs, func(x float64) bool { return math.Float64bits(x) != math.Float64bits(xs[0]) })
}

// addInput adds a weighted event to the ring buffer of VP-local neuron tgt for the step whose
// slot is base + delay (base = slot of the sending step); count is what a counting channel
// receives (the multiplicity).
func (k *Kernel) addInput(st *vpState, tgt uint32, dr uint32, base int64, wv, count float64) {
	idx := int(ringSlot(base, dr, k.slots))*st.in.n + int(tgt)
	switch drChan(dr) {
	case models.ChanSpike:
		if wv > 0 {
			st.in.ch[bufEx][idx] += wv
		} else {
			st.in.ch[bufIn][idx] += wv
		}
	case models.ChanCount:
		st.in.ch[bufCount][idx] += count
	case models.ChanI0:
		st.in.ch[bufI0][idx] += wv
	case models.ChanI1:
		st.in.ch[bufI1][idx] += wv
	}
}

// deliver adds the spikes of the previous slice (k.pending, ordered by lag, then source) to the
// ring buffers of st's neurons, through st's connections.
func (k *Kernel) deliver(st *vpState) {
	origin := k.clock - k.minDelay
	for _, c := range st.stores {
		if c == nil || c.len() == 0 {
			continue
		}
		if c.st == nil && c.syn.m.Base().WeightRecorder == 0 {
			k.deliverStatic(st, c, origin)
		} else {
			k.deliverModel(st, c, origin)
		}
	}
}

// deliverStatic is the hot loop of static synapses: for every spike, walk the contiguous
// connections of its source and add weight × multiplicity into the target's slot.
func (k *Kernel) deliverStatic(st *vpState, c *connStore, origin int64) {
	if !c.spikeOnly {
		k.deliverChannels(st, c, origin)
		return
	}
	n, S := int64(st.in.n), k.slots
	ex, in := st.in.ch[bufEx], st.in.ch[bufIn]
	rows, rowsBase := st.rowOff, int64(-1)
	for _, sp := range k.pending {
		first, last, code := c.sourceRange(uint32(sp.gid))
		if first == last {
			continue
		}
		base := (origin + int64(sp.lag)) % S
		m := float64(sp.mult)
		tgts := c.tgt[first:last]
		switch {
		case c.dr.constant(): // one delay: the spike's slot once
			slot := ringSlot(base, c.dr.dict[0], S)
			if code >= 0 { // and one weight: one value into one row
				deliverOneSlotOneWeight(row(ex, slot, n), row(in, slot, n), tgts, c.w.dict[code]*m)
				continue
			}
			deliverOneSlot(row(ex, slot, n), row(in, slot, n), tgts, &c.w, first, m)
		case c.dr.coded: // a few delays: each one's row once per lag (the spikes come by lag)
			if base != rowsBase {
				rows = rowOffsets(rows[:0], c.dr.dict, base, S, n)
				rowsBase = base
			}
			deliverRows(ex, in, tgts, c.dr.codes[first:last], rows, &c.w, first, m)
		default:
			deliverSlots(ex, in, tgts, c.dr.plain[first:last], &c.w, first, base, S, n, m)
		}
	}
	st.rowOff = rows
}

// deliverChannels is deliverStatic for stores with connections into other channels than the
// sign-split spike channel (counting inputs: parrots, recorders of spike counts).
func (k *Kernel) deliverChannels(st *vpState, c *connStore, origin int64) {
	n, S := int64(st.in.n), k.slots
	ex, in, cnt := st.in.ch[bufEx], st.in.ch[bufIn], st.in.ch[bufCount]
	for _, sp := range k.pending {
		first, last := c.rangeOf(uint32(sp.gid))
		base := (origin + int64(sp.lag)) % S
		m := float64(sp.mult)
		for j := first; j < last; j++ {
			dr := c.dr.at(j)
			idx := ringSlot(base, dr, S)*n + int64(c.tgt[j])
			switch models.Channel(dr >> chanShift & chanMask) {
			case models.ChanSpike:
				if v := c.w.at(j) * m; v > 0 {
					ex[idx] += v
				} else {
					in[idx] += v
				}
			case models.ChanCount:
				cnt[idx] += m
			}
		}
	}
}

// deliverSlots delivers one spike through spike-channel connections with their own delay words:
// connection j has target tgts[j], word drs[j] and weight w.at(first+j). Each loop below is one
// coding of the weights: plain, one weight, dictionary codes.
func deliverSlots(ex, in []float64, tgts []uint32, drs []uint32, w *weightCol, first int, base, S, n int64, m float64) {
	drs = drs[:len(tgts)]
	slot := func(j int) int64 { return ringSlot(base, drs[j], S) * n }
	switch {
	case !w.coded:
		ws := w.plain[first : first+len(tgts)]
		for j, tgt := range tgts {
			idx := slot(j) + int64(tgt)
			if v := ws[j] * m; v > 0 {
				ex[idx] += v
			} else {
				in[idx] += v
			}
		}
	case w.codes == nil:
		v, buf := w.dict[0]*m, in
		if v > 0 {
			buf = ex
		}
		for j, tgt := range tgts {
			buf[slot(j)+int64(tgt)] += v
		}
	default:
		codes := w.codes[first : first+len(tgts)]
		for j, tgt := range tgts {
			idx := slot(j) + int64(tgt)
			if v := w.dict[codes[j]] * m; v > 0 {
				ex[idx] += v
			} else {
				in[idx] += v
			}
		}
	}
}

// rowOffsets appends, for each delay word of dict, the offset of the ring-buffer row its spikes
// reach from slot base: ((base + delay) mod S)·n.
func rowOffsets(rows []int64, dict []uint32, base, S, n int64) []int64 {
	for _, dr := range dict {
		rows = append(rows, ringSlot(base, dr, S)*n)
	}
	return rows
}

// deliverRows is deliverSlots for dictionary-coded delay words: connection j reaches row
// rows[codes[j]].
func deliverRows(ex, in []float64, tgts []uint32, codes []uint8, rows []int64, w *weightCol, first int, m float64) {
	codes = codes[:len(tgts)]
	switch {
	case !w.coded:
		ws := w.plain[first : first+len(tgts)]
		for j, tgt := range tgts {
			idx := rows[codes[j]] + int64(tgt)
			if v := ws[j] * m; v > 0 {
				ex[idx] += v
			} else {
				in[idx] += v
			}
		}
	case w.codes == nil:
		v, buf := w.dict[0]*m, in
		if v > 0 {
			buf = ex
		}
		for j, tgt := range tgts {
			buf[rows[codes[j]]+int64(tgt)] += v
		}
	default:
		wcodes := w.codes[first : first+len(tgts)]
		for j, tgt := range tgts {
			idx := rows[codes[j]] + int64(tgt)
			if v := w.dict[wcodes[j]] * m; v > 0 {
				ex[idx] += v
			} else {
				in[idx] += v
			}
		}
	}
}

// deliverOneSlotOneWeight delivers v = weight × multiplicity to each target's entry of the
// arrival row: the buffer of v's sign (ex for v > 0, else in).
func deliverOneSlotOneWeight(ex, in []float64, tgts []uint32, v float64) {
	buf := in
	if v > 0 {
		buf = ex
	}
	for _, tgt := range tgts {
		buf[tgt] += v
	}
}

// deliverOneSlot delivers one spike through spike-channel connections that share one delay:
// ex and in are the sign-split buffers of the spike's arrival slot.
func deliverOneSlot(ex, in []float64, tgts []uint32, w *weightCol, first int, m float64) {
	switch {
	case !w.coded:
		ws := w.plain[first : first+len(tgts)]
		for j, tgt := range tgts {
			if v := ws[j] * m; v > 0 {
				ex[tgt] += v
			} else {
				in[tgt] += v
			}
		}
	case w.codes == nil:
		v, buf := w.dict[0]*m, in
		if v > 0 {
			buf = ex
		}
		for _, tgt := range tgts {
			buf[tgt] += v
		}
	default:
		codes := w.codes[first : first+len(tgts)]
		for j, tgt := range tgts {
			if v := w.dict[codes[j]] * m; v > 0 {
				ex[tgt] += v
			} else {
				in[tgt] += v
			}
		}
	}
}

// exchangeSpikes gathers the registers of all VPs of all ranks into k.pending, ordered by lag and
// then node id, and empties the registers.
func (k *Kernel) exchangeSpikes() error {
	start, comm0 := time.Now(), k.timers.communicate
	defer func() {
		k.timers.collocate += time.Since(start) - (k.timers.communicate - comm0)
	}()
	k.pending = k.pending[:0]
	if k.comm.Size() == 1 && len(k.vps) <= maxMergeVPs {
		// every register is in delivery order already (steps in order, neurons by id)
		k.pending = k.mergeRegisters(k.pending)
		return nil
	}
	for _, st := range k.vps {
		st.spikes += int64(len(st.reg))
		k.pending = append(k.pending, st.reg...)
		st.reg = st.reg[:0]
	}
	if k.comm.Size() > 1 {
		if err := k.runExchange(&k.pending); err != nil {
			return status.Errorf(status.InternalError, "spike exchange: %v", err)
		}
	}
	sortSpikes(k.pending)
	return nil
}

// maxMergeVPs is the number of VPs up to which exchangeSpikes merges the registers (a scan
// of every register's head per spike) instead of sorting them.
const maxMergeVPs = 8

// mergeRegisters appends the spikes of every VP's register (each in compareSpikes's order) to
// dst in that order, as sortSpikes would order them, and empties the registers.
func (k *Kernel) mergeRegisters(dst []spikeRec) []spikeRec {
	var heads [maxMergeVPs]int
	for {
		best := -1
		for v, st := range k.vps {
			if heads[v] < len(st.reg) && (best < 0 || compareSpikes(st.reg[heads[v]], k.vps[best].reg[heads[best]]) < 0) {
				best = v
			}
		}
		if best < 0 {
			break
		}
		dst = append(dst, k.vps[best].reg[heads[best]])
		heads[best]++
	}
	for _, st := range k.vps {
		st.spikes += int64(len(st.reg))
		st.reg = st.reg[:0]
	}
	return dst
}
