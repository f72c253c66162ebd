package kernel

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// constant reports whether every value of the syn_spec is a scalar: its connections then draw
// nothing and all get the same weight, delay and receptor.
func (ss *synSpec) constant() bool {
	for i, v := range ss.params {
		if ss.given[i] && !v.IsScalar() {
			return false
		}
	}
	return ss.weight.IsScalar() && ss.delay.IsScalar() && ss.rport.IsScalar()
}

// synSpec is a parsed syn_spec.
type synSpec struct {
	syn           *synModel
	weight, delay connect.Value
	hasDelay      bool
	rport         connect.Value
	// params holds the given per-connection model parameters, aligned with the model's
	// ConnKeys (given[i] false: the model's default)
	params []connect.Value
	given  []bool
	// the draws of the values above (connect.Sampler: each value's kind resolved once), made
	// when the syn_spec is complete
	weightS, delayS, rportS connect.Sampler
	paramS                  []connect.Sampler
	h                       float64 // the resolution (ms), for converting delays
}

// makeSamplers makes the samplers of ss's values.
func (ss *synSpec) makeSamplers() {
	ss.weightS, ss.delayS, ss.rportS = ss.weight.Sampler(), ss.delay.Sampler(), ss.rport.Sampler()
	ss.paramS = make([]connect.Sampler, len(ss.params))
	for i := range ss.params {
		ss.paramS[i] = ss.params[i].Sampler()
	}
}

// Connect connects pre to post. connSpec is nil (all_to_all), a rule name or a dictionary;
// synSpec is nil (static_synapse), a synapse model name or a dictionary with synapse_model,
// weight, delay, receptor_type and model parameters, each a scalar, an array or a distribution.
func (k *Kernel) Connect(pre, post NodeCollection, connSpec, synSpec any) error {
	if err := k.valid(pre); err != nil {
		return err
	}
	if err := k.valid(post); err != nil {
		return err
	}
	return k.connect(pre.ids, post.ids, connSpec, synSpec)
}

// ConnectArrays connects sources[i] to targets[i] for every i (PyNEST's Connect with arrays);
// ids may repeat. synSpec values may be arrays of the same length.
func (k *Kernel) ConnectArrays(sources, targets []uint64, synSpec any) error {
	if len(sources) != len(targets) {
		return status.Errorf(status.DimensionMismatch, "Connect: %d sources and %d targets; arrays must have equal length", len(sources), len(targets))
	}
	for _, ids := range [][]uint64{sources, targets} {
		for _, id := range ids {
			if id == 0 || id >= uint64(len(k.nodes)) {
				return status.Errorf(status.UnknownNode, "Node with id %d does not exist.", id)
			}
		}
	}
	return k.connect(sources, targets, "one_to_one", synSpec)
}

func (k *Kernel) connect(pre, post []uint64, connSpec, synSpecV any) error {
	defer k.timers.since(&k.timers.connect, time.Now())
	if err := k.usable("Connect"); err != nil {
		return err
	}
	spec, err := connect.ParseSpec(connSpec)
	if err != nil {
		return err
	}
	if err := spec.Check(len(pre), len(post)); err != nil {
		return err
	}
	ss, err := k.parseSynSpec(synSpecV, spec, len(pre), len(post))
	if err != nil {
		return err
	}
	if err := k.checkEndpoints(pre, post, ss); err != nil {
		return err
	}
	devices := len(k.kindsOf(pre)) > 0 || len(k.kindsOf(post)) > 0
	deferred := !k.eagerConns && !devices && !k.prepared
	var vals []float64 // a stateful model's constant parameter values, for its deferred state
	if deferred && ss.syn.stateful {
		vals, deferred = k.deferState(ss)
	}
	// a deferred call keeps what it draws (pendingConns); small ones share a record
	small := false
	var expect []int
	if deferred {
		expect = k.expectedConnections(spec, pre, post)
		n := 0
		for _, e := range expect {
			n += e
		}
		small = n < minDeferred
	}
	if !deferred && k.anyNeuron(pre) && k.anyNeuron(post) {
		// connections appended now must follow the deferred ones of earlier calls
		if err := k.pool.Run(func(t int) { k.vps[t].placePending(ss.syn) }); err != nil {
			return status.Errorf(status.InternalError, "Connect: %v", err)
		}
	}
	if !deferred {
		k.reserveConnections(spec, pre, post, ss)
	}
	marks := k.markConnections()
	saved := k.saveStreams()
	rank := k.streams.RankSync
	thr := k.streams.ThreadSync[0]
	errs := make([]error, len(k.vps))
	rankCopies, thrCopies := vp.NewSlots(len(k.vps)), vp.NewSlots(len(k.vps)) // a thread's own lines
	pend := make([]*pendingConns, len(k.vps))
	runErr := k.pool.Run(func(t int) {
		st := k.vps[t]
		*rankCopies[t], *thrCopies[t] = rank, thr
		streams := connect.Streams{VP: st.rng, RankSync: rankCopies[t], ThreadSync: thrCopies[t], EmitDrawsNothing: ss.constant()}
		if deferred {
			pend[t] = &pendingConns{}
			errs[t] = pend[t].build(k, st, spec, pre, post, ss, streams, expect[t])
			return
		}
		errs[t] = connect.Build(spec, pre, post, st.vp, k.placement(), streams, func(src, tgt uint64, idx int) error {
			return k.makeConnection(st, ss, src, tgt, idx)
		})
	})
	if runErr == nil {
		runErr = firstErr(errs)
	}
	if runErr != nil {
		if ss.syn.m.NeedsHistory() {
			for t, p := range pend {
				if p != nil {
					p.x.each(func(_ int, _, tgt uint32) { k.vps[t].arch.Unregister(int(tgt)) })
				}
			}
		}
		k.undoConnections(marks)
		k.restoreStreams(saved)
		return runErr
	}
	if len(k.vps) > 0 {
		k.streams.RankSync = *rankCopies[0]
	}
	for t, p := range pend {
		if p == nil || p.n == 0 {
			continue
		}
		c := k.vps[t].store(ss.syn)
		c.pendVals = vals
		if last := len(c.pending) - 1; small && last >= 0 && c.pending[last].n < maxMerged {
			c.pending[last].merge(p) // consecutive small calls share one record
			continue
		}
		c.pending = append(c.pending, p)
	}
	k.noteDeviceSynapse(pre, ss)
	k.connChanged = true
	return nil
}

// deferState reports whether a Connect into a model with per-connection state can be deferred,
// and with which parameter values: its values are constant and valid, and the model's stores
// hold no stored connections, only pending calls with the same parameter values, so that the
// state of every connection is made when they are placed, in store order (connStore.pendVals).
func (k *Kernel) deferState(ss *synSpec) ([]float64, bool) {
	if !ss.constant() {
		return nil, false
	}
	vals := make([]float64, len(ss.params))
	ss.syn.m.ConnDefaults(vals)
	for i := range ss.params {
		if ss.given[i] {
			vals[i] = ss.params[i].At(0, nil) // a scalar: nothing is drawn
		}
	}
	if ss.syn.m.NewState().Add(vals, ss.weight.At(0, nil)) != nil {
		return nil, false // the eager path reports the error, at the first connection
	}
	for _, st := range k.vps {
		if ss.syn.id >= len(st.stores) || st.stores[ss.syn.id] == nil {
			continue
		}
		c := st.stores[ss.syn.id]
		if len(c.tgt) > 0 || len(c.pending) > 0 && !slices.Equal(c.pendVals, vals) {
			return nil, false
		}
	}
	return vals, true
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// placement tells connection rules where nodes live: neurons on their VP, recorders (replicated
// targets) nowhere in particular, so their connections follow the source.
func (k *Kernel) placement() connect.Placement {
	return connect.Placement{
		NumVPs: k.layout.NumVPs(),
		TargetVP: func(gid uint64) int {
			if d := k.deviceOf(gid); d != nil && d.kind.IsRecorder() && d.kind != models.KindMultimeter {
				return -1
			}
			return k.layout.VPOf(gid)
		},
		SourceVP: func(gid uint64) int { return k.layout.VPOf(gid) },
	}
}

// parseSynSpec reads a syn_spec: a model name, nil, or a dictionary.
func (k *Kernel) parseSynSpec(v any, spec connect.Spec, nPre, nPost int) (*synSpec, error) {
	var d Params
	switch x := v.(type) {
	case nil:
		d = Params{}
	case string:
		d = Params{"synapse_model": x}
	case Params:
		d = x
	default:
		return nil, status.Errorf(status.TypeMismatch, "Connect: syn_spec must be a synapse model name or a dictionary, got %T", v)
	}
	r := status.NewReader(d, "syn_spec")
	name := "static_synapse"
	if _, err := r.String("synapse_model", &name); err != nil {
		return nil, err
	}
	var old string
	if ok, err := r.String("model", &old); err != nil {
		return nil, err
	} else if ok {
		k.note("syn_spec key \"model\" is the old name of \"synapse_model\"")
		name = old
	}
	syn, err := k.synByName(name)
	if err != nil {
		return nil, err
	}
	for _, key := range syn.m.CommonKeys() {
		if r.Has(key) {
			return nil, status.Errorf(status.NotImplemented, "Connect: %s is a common property of %s; it can only be set via SetDefaults() or CopyModel()", key, name)
		}
	}
	base := syn.m.Base()
	keys := syn.m.ConnKeys()
	ss := &synSpec{syn: syn, weight: connect.Scalar(base.Weight), delay: connect.Scalar(base.Delay),
		rport: connect.Scalar(0), params: make([]connect.Value, len(keys)), given: make([]bool, len(keys))}
	read := func(key string, dst *connect.Value) (bool, error) {
		raw, ok := r.Raw(key)
		if !ok {
			return false, nil
		}
		val, err := connect.ParseValueFor(key, raw)
		if err != nil {
			return false, err
		}
		if err := spec.CheckValue(key, val, nPre, nPost); err != nil {
			return false, err
		}
		if err := finiteValue(name, key, val); err != nil {
			return false, err
		}
		*dst = val
		return true, nil
	}
	if _, err := read("weight", &ss.weight); err != nil {
		return nil, err
	}
	if ss.hasDelay, err = read("delay", &ss.delay); err != nil {
		return nil, err
	}
	if _, err := read("receptor_type", &ss.rport); err != nil {
		return nil, err
	}
	for i, key := range keys {
		if ss.given[i], err = read(key, &ss.params[i]); err != nil {
			return nil, err
		}
	}
	if err := k.checkUnused(r); err != nil {
		return nil, err
	}
	ss.makeSamplers()
	ss.h = k.grid.H()
	return ss, nil
}

// checkEndpoints refuses connections that no rule can make: wrong direction to or from devices,
// devices with more than one synapse model, and STDP from devices.
func (k *Kernel) checkEndpoints(pre, post []uint64, ss *synSpec) error {
	srcDev, tgtDev := k.kindsOf(pre), k.kindsOf(post)
	for kind := range tgtDev {
		switch {
		case kind == models.KindSpikeRecorder:
		case kind == models.KindMultimeter:
			return status.Errorf(status.IllegalConnection, "Connect: a multimeter or voltmeter is the source of its connections: Connect(meter, neurons), not Connect(neurons, meter)")
		case kind == models.KindWeightRecorder:
			return status.Errorf(status.IllegalConnection, "Connect: a weight_recorder is not connected; set it as the weight_recorder of a synapse model with SetDefaults or CopyModel")
		default:
			return status.Errorf(status.IllegalConnection, "Connect: stimulation devices cannot receive connections")
		}
		if len(srcDev) > 0 {
			return status.Errorf(status.IllegalConnection, "Connect: devices cannot be connected to recorders")
		}
	}
	for kind := range srcDev {
		switch {
		case kind == models.KindSpikeRecorder || kind == models.KindWeightRecorder:
			return status.Errorf(status.IllegalConnection, "Connect: a recorder cannot be the source of a connection; connect neurons to it")
		case kind == models.KindMultimeter:
		default:
			if ss.syn.stateful {
				return status.Errorf(status.IllegalConnection, "Connect: connections from stimulation devices must use a static synapse model, not %s", ss.syn.m.Name())
			}
		}
		if len(tgtDev) > 0 {
			return status.Errorf(status.IllegalConnection, "Connect: devices cannot be connected to devices")
		}
	}
	for _, id := range pre {
		if d := k.deviceOf(id); d != nil && d.synID >= 0 && d.synID != ss.syn.id {
			return status.Errorf(status.IllegalConnection, "Connect: all outgoing connections of a stimulation device must use the same synapse model; node %d uses %s", id, k.syns[d.synID].m.Name())
		}
	}
	return nil
}

// anyNeuron reports whether ids holds a node that is not a device.
func (k *Kernel) anyNeuron(ids []uint64) bool {
	return slices.ContainsFunc(ids, func(id uint64) bool { return k.deviceOf(id) == nil })
}

func (k *Kernel) kindsOf(ids []uint64) map[models.DeviceKind]bool {
	out := map[models.DeviceKind]bool{}
	seen := map[int32]bool{}
	for _, id := range ids {
		m := k.nodes[id].model
		if seen[m] {
			continue
		}
		seen[m] = true
		if e := k.models.list[m]; e.device != nil {
			out[e.device.Kind()] = true
		}
	}
	return out
}

func (k *Kernel) noteDeviceSynapse(pre []uint64, ss *synSpec) {
	for _, id := range pre {
		if d := k.deviceOf(id); d != nil {
			d.synID = ss.syn.id
			if d.kind == models.KindMultimeter {
				d.connected = true
			}
		}
	}
}

// delaySteps converts and checks a delay (NEST's DelayChecker).
func (k *Kernel) delaySteps(ms float64) (int64, error) {
	d := k.grid.DelaySteps(ms)
	return d, k.checkDelay(ms, d)
}

// checkDelay refuses a delay of ms, d steps, that is not finite, is below the resolution or
// beyond the range fixed by an earlier simulation or set by min_delay and max_delay.
func (k *Kernel) checkDelay(ms float64, d int64) error {
	if math.IsNaN(ms) || math.IsInf(ms, 0) {
		return status.Errorf(status.BadDelay, "Delay must be a finite number, got %g", ms)
	}
	if d < 1 {
		return status.Errorf(status.BadDelay, "Delay must be greater than or equal to resolution (delay %g ms, resolution %g ms)", ms, k.grid.H())
	}
	if d > maxDelaySteps {
		return status.Errorf(status.BadDelay, "Delay %g ms is too large (at most %d steps)", ms, maxDelaySteps)
	}
	if k.simulated && (d < k.minDelay || d > k.maxDelay) {
		return status.Errorf(status.BadDelay, "Delay %g ms is outside the range [%g, %g] ms fixed by the earlier simulation", ms, k.grid.Ms(k.minDelay), k.grid.Ms(k.maxDelay))
	}
	if k.userDelays && (d < k.userMin || d > k.userMax) {
		return status.Errorf(status.BadDelay, "Delay %g ms is outside the range [%g, %g] ms set by min_delay and max_delay", ms, k.grid.Ms(k.userMin), k.grid.Ms(k.userMax))
	}
	return nil
}

// drawConn draws a connection's parameters from st's stream in NEST's order: model parameters
// (in the model's key order, into st's scratch vals), then receptor, delay and weight; it
// converts the delay to steps and, with check, refuses a bad delay or receptor. dc, if not nil,
// remembers the last delay converted (and checked) during one Connect.
func (k *Kernel) drawConn(st *vpState, ss *synSpec, idx int, check bool, dc *delayCache) (vals []float64, w float64, d int64, rport int, err error) {
	if len(ss.params) > 0 {
		vals = st.connVals(len(ss.params))
		ss.syn.m.ConnDefaults(vals)
		for i := range ss.paramS {
			if ss.given[i] {
				vals[i] = ss.paramS[i].Draw(idx, st.rng)
			}
		}
	}
	rportF := ss.rportS.Draw(idx, st.rng)
	delayMs := ss.delayS.Draw(idx, st.rng)
	w = ss.weightS.Draw(idx, st.rng)
	rport = int(rportF)
	if dc != nil && dc.ok && delayMs == dc.ms {
		d = dc.d
	} else {
		d = int64(clock.RoundHalfAway(delayMs / ss.h)) // k.grid.DelaySteps, the resolution divided once
		if check {
			if err = k.checkDelay(delayMs, d); err != nil {
				return nil, 0, 0, 0, err
			}
		}
	}
	if dc != nil {
		dc.ms, dc.d, dc.ok = delayMs, d, true
	}
	if check {
		if err := checkRport(rport, rportF); err != nil {
			return nil, 0, 0, 0, err
		}
	}
	return vals, w, d, rport, nil
}

// checkRport refuses a receptor_type that is not an integer in [0, maxRport].
func checkRport(rport int, rportF float64) error {
	if float64(rport) != rportF || rport < 0 || rport > maxRport {
		return status.Errorf(status.UnknownReceptorType, "Connect: receptor_type must be an integer in [0, %d], got %g", maxRport, rportF)
	}
	return nil
}

// delayCache is the last delay converted to steps during one Connect on one VP (most
// connections share their delay); a delay that failed the check is not remembered.
type delayCache struct {
	ms float64
	d  int64
	ok bool
}

// makeConnection creates one connection owned by VP st, drawing its parameters from st's stream
// in NEST's order (drawConn).
func (k *Kernel) makeConnection(st *vpState, ss *synSpec, src, tgt uint64, idx int) error {
	vals, w, d, rport, err := k.drawConn(st, ss, idx, true, nil)
	if err != nil {
		return err
	}
	st.noteDelay(d)
	srcDev, tgtDev := k.deviceOf(src), k.deviceOf(tgt)
	switch {
	case tgtDev != nil: // neuron -> spike_recorder, on the source's VP
		st.recConns = append(st.recConns, recConn{local: k.nodes[src].local, dev: int32(tgtDev.idx),
			syn: int32(ss.syn.id), w: w, dr: packDR(d, models.ChanSpike, rport)})
		return nil
	case srcDev != nil && srcDev.kind == models.KindMultimeter:
		return k.bindMultimeter(st, srcDev, tgt, &mmBinding{syn: ss.syn.id, w: w, dr: packDR(d, models.ChanSpike, rport)})
	}
	tm := k.models.list[k.nodes[tgt].model].neuron
	kind := models.SpikeEvent
	if sp, ok := srcDev.stimulator(); ok && sp.Sends() == models.CurrentEvent {
		kind = models.CurrentEvent
	}
	ch, err := tm.Channel(kind, rport)
	if err != nil {
		return err
	}
	local := uint32(k.nodes[tgt].local)
	dr := packDR(d, ch, rport)
	if srcDev != nil {
		inst := st.devs[srcDev.idx]
		inst.tgt = append(inst.tgt, local)
		inst.w = append(inst.w, w)
		inst.dr = append(inst.dr, dr)
		return nil
	}
	c := st.store(ss.syn)
	if c.st != nil {
		if err := c.st.Add(vals, w); err != nil {
			return err
		}
	}
	c.add(uint32(src), local, w, dr)
	if ss.syn.m.NeedsHistory() {
		st.arch.Register(int(local), k.grid.Ms(d), 1)
	}
	return nil
}

// pendingConns is one Connect call's connections between neurons on one VP into the store of a
// model without per-connection state (or the merged calls of several small ones): drawn and
// checked when Connect runs, kept in a record (connRecord), and stored later
// (connStore.placePending, at the next Prepare or whenever the store is read), when the counts
// of every call into the store are known.
type pendingConns struct {
	x        connRecord
	xlo, xhi uint32   // the sources' range
	ids, cnt []uint32 // the sources (ascending) and their numbers of connections, when placed
	n        int
}

// build draws and checks the connections of a call on st, as makeConnection does, and keeps
// them; about n are expected.
func (p *pendingConns) build(k *Kernel, st *vpState, spec connect.Spec, pre, post []uint64, ss *synSpec, streams connect.Streams, n int) error {
	cc := chanCache{model: -1}
	var dc delayCache
	p.xlo = math.MaxUint32
	sLo, sHi, tLo, tHi := k.callRanges(st, spec, pre, post)
	p.x = newRecord(n, true, sLo, sHi, tLo, tHi)
	constant, drawn := ss.constant(), false
	var w, ms float64 // ms: the delay d in ms, for history registrations
	var d int64
	var rport int
	hist := ss.syn.m.NeedsHistory()
	// values draws (once for constant values) and checks a connection's values
	values := func(idx int) error {
		if drawn {
			return nil
		}
		var err error
		if _, w, d, rport, err = k.drawConn(st, ss, idx, true, &dc); err != nil {
			return err
		}
		st.noteDelay(d)
		if hist {
			ms = k.grid.Ms(d)
		}
		drawn = constant
		return nil
	}
	// conn draws a connection's values and returns its target's VP-local index and delay word
	conn := func(tgt uint64, idx int) (uint32, uint32, error) {
		if err := values(idx); err != nil {
			return 0, 0, err
		}
		local, ch, err := cc.target(k, tgt, rport)
		return local, packDR(d, ch, rport), err
	}
	// add keeps a connection
	add := func(s, local, dr uint32) {
		p.x.add(s, local, w, dr)
		p.xlo, p.xhi = min(p.xlo, s), max(p.xhi, s)
		p.n++
		if hist {
			st.arch.Register(int(local), ms, 1)
		}
	}
	if spec.Rule == connect.RuleFixedTotalNumber {
		tl := k.localTargets(st, post)
		streams.EmitLocal = func(src uint64, pos int, idx int) error {
			if err := values(idx); err != nil {
				return err
			}
			local, ch, err := tl.at(k, &cc, pos, rport)
			if err != nil {
				return err
			}
			add(uint32(src), local, packDR(d, ch, rport))
			return nil
		}
	}
	if constant {
		streams.EmitRun = func(srcs []uint64, tgt uint64, idx int) error {
			if len(srcs) == 0 {
				return nil
			}
			local, dr, err := conn(tgt, idx)
			if err != nil {
				return err
			}
			lo, hi := p.x.addSources(srcs, local, w, dr)
			p.xlo, p.xhi = min(p.xlo, lo), max(p.xhi, hi)
			p.n += len(srcs)
			if hist {
				st.arch.Register(int(local), ms, len(srcs))
			}
			return nil
		}
	}
	return connect.Build(spec, pre, post, st.vp, k.placement(), streams, func(src, tgt uint64, idx int) error {
		local, dr, err := conn(tgt, idx)
		if err != nil {
			return err
		}
		add(uint32(src), local, dr)
		return nil
	})
}

// localTargets are the targets of a Connect that live on one VP, in collection order (the
// positions connect.Streams.EmitLocal gives): their VP-local indices and models, looked up once
// per call instead of once per connection.
type localTargets struct {
	local []uint32
	model []int32
}

// localTargets returns post's targets on st (the rule's selection: placement's TargetVP).
func (k *Kernel) localTargets(st *vpState, post []uint64) *localTargets {
	tl := &localTargets{}
	targetVP := k.placement().TargetVP
	for _, t := range post {
		if targetVP(t) == st.vp {
			n := k.nodes[t]
			tl.local, tl.model = append(tl.local, uint32(n.local)), append(tl.model, n.model)
		}
	}
	return tl
}

// at returns the VP-local index of the target at pos and the channel of its connection with
// receptor rport (through cc, which remembers the last model and receptor).
func (tl *localTargets) at(k *Kernel, cc *chanCache, pos int, rport int) (uint32, models.Channel, error) {
	ch, err := cc.channel(k, tl.model[pos], rport)
	return tl.local[pos], ch, err
}

// callRanges returns the range of the sources' node ids and of the targets' local indices on
// st's VP of a Connect from pre to post (symmetric rules draw either from both).
func (k *Kernel) callRanges(st *vpState, spec connect.Spec, pre, post []uint64) (sLo, sHi, tLo, tHi uint32) {
	srcs, tgts := [][]uint64{pre}, [][]uint64{post}
	if spec.MakeSymmetric || spec.Rule == connect.RuleSymmetricPairwiseBernoulli {
		srcs, tgts = [][]uint64{pre, post}, [][]uint64{pre, post}
	}
	sLo, tLo = math.MaxUint32, math.MaxUint32
	for _, ids := range srcs {
		for _, id := range ids {
			sLo, sHi = min(sLo, uint32(id)), max(sHi, uint32(id))
		}
	}
	for _, ids := range tgts {
		for _, id := range ids {
			if k.layout.IsLocal(id) && k.layout.VPOf(id) == st.vp {
				l := uint32(k.nodes[id].local)
				tLo, tHi = min(tLo, l), max(tHi, l)
			}
		}
	}
	return sLo, sHi, tLo, tHi
}

// merge appends the connections of q (made after p's) to p.
func (p *pendingConns) merge(q *pendingConns) {
	p.x.appendRecord(&q.x)
	p.xlo, p.xhi = min(p.xlo, q.xlo), max(p.xhi, q.xhi)
	p.n += q.n
}

// countExplicit computes ids and cnt.
func (p *pendingConns) countExplicit() {
	if p.ids != nil || p.n == 0 {
		return
	}
	cnt := make([]uint32, p.xhi-p.xlo+1)
	p.x.src.count(cnt, p.xlo)
	for i, n := range cnt {
		if n > 0 {
			p.ids = append(p.ids, p.xlo+uint32(i))
			p.cnt = append(p.cnt, n)
		}
	}
}

// placeBatch holds connections on their way into a store (pendingConns.place). Written one by
// one to their places, connections scatter over the whole store: every write is a cache and TLB
// miss, and stores, unlike loads, do not overlap their misses (hpc_benchmark scale 1: Prepare
// 47 s against 6 s for the sort by gathering). A batch is put in source order in cache first (a
// counting sort into a second buffer), so that every source receives a run of connections that
// is copied at once.
type placeBatch struct {
	lo    uint32
	batch          // buffers for a part of a record that is not held as plain arrays (connRecord.part)
	pos   []uint32 // per source lo+i: its count, then its next position in the sorted batch
	sTgt  []uint32 // the batch in source order
	sW    []float64
	sDR   []uint32
	// codes of delay words: sorted (sDRc), the starts of the runs for their pass (start), and
	// each record code's code in the store (trans)
	sDRc  []uint8
	start []uint32
	trans [maxCodes]uint8
}

// reset empties the batch for n connections from sources in [lo, hi], sized for runs of about
// 32 connections a source, at most 256 Ki connections (5 MiB; its sorted copy, made only when
// a batch cannot be scattered, 4.25 MiB more); its buffers are reused from one call to the next.
func (b *placeBatch) reset(lo, hi uint32, n int) {
	r := int(hi-lo) + 1
	size := min(n, max(1<<16, min(32*r, 1<<18)))
	if cap(b.pos) < r {
		b.pos, b.start = make([]uint32, r), make([]uint32, r)
	}
	b.lo, b.pos, b.start = lo, b.pos[:r], b.start[:r]
	if cap(b.src) < size {
		b.src, b.tgt = make([]uint32, 0, size), make([]uint32, 0, size)
		b.w, b.dr = make([]float64, 0, size), make([]uint32, 0, size)
	}
	b.src, b.tgt = b.src[:0:size], b.tgt[:0:size]
	b.w, b.dr = b.w[:0:size], b.dr[:0:size]
}

// flushRecord writes r's connections (at most the batch's size, from sources in the batch's
// range, targets not run-length coded) to c in source order (stable), from next[src-lo] on,
// advancing next: scattered one by one when the sources come in runs and the store's columns
// allow it, else sorted by source in the batch and copied run by run.
func (b *placeBatch) flushRecord(c *connStore, next []uint32, lo uint32, r *batch) {
	if len(r.src) == 0 {
		return
	}
	codes := r.drc != nil && b.translate(c, r)
	if inRuns(r.src) && b.scatter(c, next, lo, r, codes) {
		return
	}
	if n := cap(b.src); len(b.sTgt) < n {
		b.sTgt, b.sW, b.sDR, b.sDRc = make([]uint32, n), make([]float64, n), make([]uint32, n), make([]uint8, n)
	}
	pos := b.pos
	for _, s := range r.src {
		pos[s-b.lo]++
	}
	at := uint32(0)
	for i, n := range pos {
		pos[i], at = at, at+n
	}
	if codes {
		copy(b.start, pos)
	}
	b.sortRuns(pos, r) // pos[i] is now the end of source lo+i's run
	if codes {
		b.sortCodes(r)
	}
	// a constant column that holds the batch's one value already needs no fill per run
	keepW, keepDR := !r.varW && c.w.holdsOnly(r.w0), !r.varDR && c.dr.holdsOnly(r.dr0)
	from := uint32(0)
	for i, e := range pos {
		if e == from {
			continue
		}
		s := b.lo + uint32(i)
		j := next[s-lo]
		n := e - from
		copy(c.tgt[j:j+n], b.sTgt[from:e])
		if r.varW {
			c.w.copyRun(int(j), b.sW[from:e])
		} else if !keepW {
			c.w.fillRun(int(j), int(n), r.w0)
		}
		switch {
		case codes:
			if c.dr.codes != nil {
				out := c.dr.codes[j : j+n]
				for x, k := range b.sDRc[from:e] {
					out[x] = b.trans[k]
				}
			}
		case r.varDR:
			c.dr.copyRun(int(j), b.sDR[from:e])
		case !keepDR:
			c.dr.fillRun(int(j), int(n), r.dr0)
		}
		next[s-lo] = j + n
		from = e
	}
	clear(pos)
}

// inRuns reports whether sources come in runs of 8 or more on average (connections made source
// by source): scattered, they are then written in runs into the store. Sources in random order
// are sorted by source first, which costs less than one scattered write (and, in a large store,
// one page-table walk) per connection.
func inRuns(src []uint32) bool {
	limit, changes := len(src)/8, 0 // changes*8 <= len(src); random sources stop the scan early
	for i := 1; i < len(src); i++ {
		if src[i] != src[i-1] {
			if changes++; changes > limit {
				return false
			}
		}
	}
	return true
}

// How scatter writes one column of a connection: not at all (the store's codes stay nil: every
// value is code 0), the connection's own value, one value for the batch, or a translated code.
const (
	colSkip = iota
	colEach
	colOne
	colCode
)

// scatter writes r's connections straight to their places in c, next[src−lo] on (stable by
// source, as flushRecord's runs), when each column can be written so: weights and delay words
// plain in the store, one value already coded as 0, or delay codes translated (codes). It
// reports false, writing nothing, otherwise.
func (b *placeBatch) scatter(c *connStore, next []uint32, lo uint32, r *batch, codes bool) bool {
	wm := scatterMode(&c.w, r.varW, r.w0)
	dm := colCode
	switch {
	case !codes:
		dm = scatterMode(&c.dr, r.varDR, r.dr0)
	case c.dr.codes == nil: // translate allocates codes when some code is not 0
		dm = colSkip
	}
	if wm < 0 || dm < 0 {
		return false
	}
	tgt := r.tgt[:len(r.src)]
	for i, s := range r.src {
		j := next[s-lo]
		next[s-lo] = j + 1
		c.tgt[j] = tgt[i]
		switch wm {
		case colEach:
			c.w.plain[j] = r.w[i]
		case colOne:
			c.w.plain[j] = r.w0
		}
		switch dm {
		case colEach:
			c.dr.plain[j] = r.dr[i]
		case colOne:
			c.dr.plain[j] = r.dr0
		case colCode:
			c.dr.codes[j] = b.trans[r.drc[i]]
		}
	}
	return true
}

// scatterMode returns how scatter writes a column of the store from a batch's values (each
// connection's, or v for all), or −1 when it cannot (values to be coded one by one).
func scatterMode[T float64 | uint32](c *dictCol[T], each bool, v T) int {
	switch {
	case !c.coded && each:
		return colEach
	case !c.coded:
		return colOne
	case each:
		return -1
	}
	if k, ok := c.code(v); ok && k == 0 && c.codes == nil {
		return colSkip
	}
	return -1
}

// translate finds the store's code of each of r's delay-word codes (adding the words to the
// store's dictionary) and reports whether the codes can be copied so; if not (the store keeps the
// words plain, or its dictionary is full), it gives r the words themselves.
func (b *placeBatch) translate(c *connStore, r *batch) bool {
	ok := c.dr.coded
	nonzero := false
	for k, v := range r.drDict {
		if !ok {
			break
		}
		b.trans[k], ok = c.dr.code(v)
		nonzero = nonzero || b.trans[k] != 0
	}
	if ok {
		if nonzero && c.dr.codes == nil {
			c.dr.allocCodes()
		}
		return true
	}
	c.dr.decode()
	dr := b.dr[:0]
	for _, k := range r.drc {
		dr = append(dr, r.drDict[k])
	}
	r.dr, r.varDR, r.drc = dr, true, nil
	return false
}

// sortCodes puts r's delay-word codes in source order (into sDRc), from start[i]: the start of
// source lo+i's run.
func (b *placeBatch) sortCodes(r *batch) {
	start, sDRc, drc := b.start, b.sDRc, r.drc[:len(r.src)]
	for i, s := range r.src {
		j := start[s-b.lo]
		start[s-b.lo] = j + 1
		sDRc[j] = drc[i]
	}
}

// sortRuns puts r in source order (into sTgt, and sW and sDR when they vary) in one pass, from
// pos[i]: the start of source lo+i's run, which it advances to the run's end.
func (b *placeBatch) sortRuns(pos []uint32, r *batch) {
	tgt, sTgt, w, sW, dr, sDR := r.tgt[:len(r.src)], b.sTgt, r.w, b.sW, r.dr, b.sDR
	switch {
	case !r.varW && !r.varDR:
		for i, s := range r.src {
			j := pos[s-b.lo]
			pos[s-b.lo] = j + 1
			sTgt[j] = tgt[i]
		}
	case r.varW && r.varDR:
		w, dr = w[:len(tgt)], dr[:len(tgt)]
		for i, s := range r.src {
			j := pos[s-b.lo]
			pos[s-b.lo] = j + 1
			sTgt[j], sW[j], sDR[j] = tgt[i], w[i], dr[i]
		}
	default:
		for i, s := range r.src {
			j := pos[s-b.lo]
			pos[s-b.lo] = j + 1
			sTgt[j] = tgt[i]
			if r.varW {
				sW[j] = w[i]
			} else {
				sDR[j] = dr[i]
			}
		}
	}
}

// chanCache remembers the channel of the last target model and receptor (most connections of a
// call share them).
type chanCache struct {
	model int32
	rport int
	ch    models.Channel
	tgt   uint64 // the last target, its VP-local index and model
	local uint32
	tm    int32
}

// target returns tgt's VP-local index and the channel of its connection with receptor rport.
func (cc *chanCache) target(k *Kernel, tgt uint64, rport int) (uint32, models.Channel, error) {
	if tgt != cc.tgt {
		n := &k.nodes[tgt]
		cc.tgt, cc.local, cc.tm = tgt, uint32(n.local), n.model
	}
	ch, err := cc.channel(k, cc.tm, rport)
	return cc.local, ch, err
}

// channel returns the channel of a connection with receptor rport into a neuron of model m.
func (cc *chanCache) channel(k *Kernel, m int32, rport int) (models.Channel, error) {
	if m == cc.model && rport == cc.rport {
		return cc.ch, nil
	}
	ch, err := k.models.list[m].neuron.Channel(models.SpikeEvent, rport)
	if err != nil {
		return 0, err
	}
	cc.model, cc.rport, cc.ch = m, rport, ch
	return ch, nil
}

// place writes the call's connections to next[src-lo] in c, advancing next, through the batch
// (placeBatch), which puts them in source order first, and drops the record.
func (p *pendingConns) place(c *connStore, next []uint32, lo uint32, b *placeBatch) {
	b.reset(p.xlo, p.xhi, p.n)
	size := cap(b.src)
	for from := 0; from < p.n; from += size {
		part := p.x.part(from, min(from+size, p.n), b)
		b.flushRecord(c, next, lo, &part)
	}
	p.x = connRecord{}
}

// placePending stores the deferred connections of synapse model s on this VP.
func (v *vpState) placePending(s *synModel) {
	if s.id < len(v.stores) && v.stores[s.id] != nil && len(v.stores[s.id].pending) > 0 {
		v.stores[s.id].sortBySource()
	}
}

// placeAllPending stores the deferred connections of every store of this VP (in source order,
// merging any tail first).
func (v *vpState) placeAllPending() {
	for _, c := range v.stores {
		if c != nil && len(c.pending) > 0 {
			c.sortBySource()
		}
	}
}

// connVals returns the VP's scratch buffer for n per-connection model parameters.
func (v *vpState) connVals(n int) []float64 {
	if cap(v.vals) < n {
		v.vals = make([]float64, n)
	}
	return v.vals[:n]
}

// store returns the VP's store for a synapse model, creating it.
func (v *vpState) store(s *synModel) *connStore {
	for len(v.stores) <= s.id {
		v.stores = append(v.stores, nil)
	}
	if v.stores[s.id] == nil {
		v.stores[s.id] = newConnStore(s)
	}
	return v.stores[s.id]
}

func (v *vpState) noteDelay(d int64) {
	if v.dmin == 0 || d < v.dmin {
		v.dmin = d
	}
	if d > v.dmax {
		v.dmax = d
	}
}

// bindMultimeter makes a multimeter sample neuron tgt (on VP st).
// b carries the connection's synapse model, weight and delay.
func (k *Kernel) bindMultimeter(st *vpState, dev *device, tgt uint64, b *mmBinding) error {
	mp := dev.params.(*models.MultimeterParams)
	e := k.models.list[k.nodes[tgt].model]
	recs := e.neuron.Recordables()
	idx := make([]int, len(mp.RecordFrom))
	for i, name := range mp.RecordFrom {
		j := slices.Index(recs, name)
		if j < 0 {
			return status.Errorf(status.IllegalConnection, "Connect: %s has no recordable %q; its recordables are %v", e.name, name, recs)
		}
		idx[i] = j
	}
	inst := st.devs[dev.idx]
	b.dev, b.local, b.gid, b.rec, b.next = dev, k.nodes[tgt].local, tgt, idx, -1
	inst.mm = append(inst.mm, b)
	return nil
}

// connMark remembers how many connections every store had, to undo a failed Connect.
type connMark struct {
	stores   []int
	devs     []int
	mms      []int
	recPairs int
	dmin     int64
	dmax     int64
}

func (k *Kernel) markConnections() []connMark {
	out := make([]connMark, len(k.vps))
	for t, st := range k.vps {
		m := connMark{recPairs: len(st.recConns), dmin: st.dmin, dmax: st.dmax}
		for _, c := range st.stores {
			n := 0
			if c != nil {
				n = c.len()
			}
			m.stores = append(m.stores, n)
		}
		for _, inst := range st.devs {
			m.devs = append(m.devs, len(inst.tgt))
			m.mms = append(m.mms, len(inst.mm))
		}
		out[t] = m
	}
	return out
}

func (k *Kernel) undoConnections(marks []connMark) {
	for t, st := range k.vps {
		m := marks[t]
		for i, c := range st.stores {
			if c == nil {
				continue
			}
			n := 0
			if i < len(m.stores) {
				n = m.stores[i]
			}
			if c.syn.m.NeedsHistory() {
				for _, tgt := range c.tgt[n:] {
					st.arch.Unregister(int(tgt))
				}
			}
			c.truncate(n)
		}
		for i, inst := range st.devs {
			inst.tgt, inst.w, inst.dr = inst.tgt[:m.devs[i]], inst.w[:m.devs[i]], inst.dr[:m.devs[i]]
			inst.mm = inst.mm[:m.mms[i]]
		}
		st.recConns = st.recConns[:m.recPairs]
		st.dmin, st.dmax = m.dmin, m.dmax
	}
}

// countConnections returns the number of connections on this rank.
func (k *Kernel) countConnections() int64 {
	var n int64
	for _, st := range k.vps {
		for _, c := range st.stores {
			if c != nil {
				n += int64(c.len() + c.pendingLen())
			}
		}
		for _, inst := range st.devs {
			n += int64(len(inst.tgt) + len(inst.mm))
		}
		n += int64(len(st.recConns))
	}
	return n
}

var _ = fmt.Sprint

// finiteValue refuses a NaN or infinite weight, delay or synapse parameter of a syn_spec
// (BadDelay for the delay, BadProperty otherwise), naming the synapse model and the key.
func finiteValue(model, key string, v connect.Value) error {
	x, bad := v.NonFinite()
	if !bad {
		return nil
	}
	if key == "delay" {
		return status.Errorf(status.BadDelay, "Connect: %s: the delay must be a finite number of ms, got %s", model, formatNum(x))
	}
	return status.Errorf(status.BadProperty, "Connect: %s: parameter %s must be a finite number, got %s", model, key, formatNum(x))
}

// formatNum writes a number for an error message (inf, -inf, nan as the network format does).
func formatNum(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// reserveConnections reserves, on every VP, room for the connections a Connect between neurons
// will make there (connect.Expected), so that the stores are not grown by doubling and copying.
func (k *Kernel) reserveConnections(spec connect.Spec, pre, post []uint64, ss *synSpec) {
	if len(k.kindsOf(pre)) > 0 || len(k.kindsOf(post)) > 0 {
		return // devices keep their connections elsewhere
	}
	for t, n := range k.expectedConnections(spec, pre, post) {
		if n > 0 {
			k.vps[t].store(ss.syn).reserve(n)
		}
	}
}

// expectedConnections returns, per local VP, the number of connections a Connect between neurons
// is expected to make there (connect.Expected).
func (k *Kernel) expectedConnections(spec connect.Spec, pre, post []uint64) []int {
	local := make([]int, len(k.vps))
	for _, id := range post {
		if k.layout.IsLocal(id) {
			local[k.layout.ThreadOf(id)]++
		}
	}
	for t := range local {
		local[t] = connect.Expected(spec, len(pre), local[t], len(post))
	}
	return local
}

// minDeferred is the number of connections on this rank from which a Connect defers them
// (pendingConns); smaller calls store theirs at once, in the tail, so that a script of many
// small calls does not keep a record per call.
const minDeferred = 4096

// maxMerged is the size up to which the records of consecutive small calls are merged into one.
const maxMerged = 1 << 20
