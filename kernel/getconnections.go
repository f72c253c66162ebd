package kernel

import (
	"slices"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// ConnFilter selects connections for GetConnections; zero fields select everything.
type ConnFilter struct {
	Source       *NodeCollection
	Target       *NodeCollection
	SynapseModel string
}

// connRef locates one connection on a local thread: in a synapse store, a generator's target
// list, the neuron-to-recorder list, or a multimeter's bindings.
type connRef struct {
	thread   int
	kind     connKind
	syn      int // synapse model id
	dev      int // device index (generator and multimeter connections)
	idx      int
	src, tgt uint64
}

// connKind says where a connection is stored.
type connKind uint8

const (
	inStore    connKind = iota // neuron -> neuron: vpState.stores[syn]
	fromDevice                 // generator -> neuron: vpState.devs[dev].tgt
	toRecorder                 // neuron -> spike_recorder: vpState.recConns
	fromMeter                  // multimeter -> neuron: vpState.devs[dev].mm
)

// SynapseCollection is a list of connections of this rank (NEST's SynapseCollection), in NEST's
// order: thread by thread, synapse model by synapse model, storage order within.
type SynapseCollection struct {
	k     *Kernel
	gen   uint64
	conns []connRef
}

// Len returns the number of connections.
func (sc SynapseCollection) Len() int { return len(sc.conns) }

// GetConnections returns the connections of this rank that match the filter: those whose target
// lives here, and those from neurons of this rank to spike recorders, as NEST lists them.
func (k *Kernel) GetConnections(f ConnFilter) (SynapseCollection, error) {
	var srcSet, tgtSet map[uint64]bool
	for _, c := range []struct {
		nc  *NodeCollection
		set *map[uint64]bool
	}{{f.Source, &srcSet}, {f.Target, &tgtSet}} {
		if c.nc == nil {
			continue
		}
		if err := k.valid(*c.nc); err != nil {
			return SynapseCollection{}, err
		}
		*c.set = make(map[uint64]bool, c.nc.Len())
		for _, id := range c.nc.ids {
			(*c.set)[id] = true
		}
	}
	synID := -1
	if f.SynapseModel != "" {
		s, err := k.synByName(f.SynapseModel)
		if err != nil {
			return SynapseCollection{}, err
		}
		synID = s.id
	}
	// Sort the stores by source now, as Prepare would (NEST, too, updates its connection
	// infrastructure when connections are read): the indices this collection holds, and the
	// ports it reports, then stay valid across the next Prepare.
	if !k.prepared {
		for _, st := range k.vps {
			for _, c := range st.stores {
				if c != nil {
					c.sortBySource()
				}
			}
		}
	}
	sc := SynapseCollection{k: k, gen: k.gen}
	add := func(r connRef) {
		if (synID < 0 || r.syn == synID) && (srcSet == nil || srcSet[r.src]) && (tgtSet == nil || tgtSet[r.tgt]) {
			sc.conns = append(sc.conns, r)
		}
	}
	for t, st := range k.vps {
		for _, c := range st.stores {
			if c == nil {
				continue
			}
			for i, src := range c.sources() {
				add(connRef{thread: t, kind: inStore, syn: c.syn.id, idx: i, src: uint64(src), tgt: st.gids[c.tgt[i]]})
			}
		}
		for di, inst := range st.devs {
			d := k.devices[di]
			for i, tgt := range inst.tgt {
				add(connRef{thread: t, kind: fromDevice, syn: max(d.synID, 0), dev: di, idx: i, src: d.gid, tgt: st.gids[tgt]})
			}
			for i, m := range inst.mm {
				add(connRef{thread: t, kind: fromMeter, syn: m.syn, dev: di, idx: i, src: d.gid, tgt: m.gid})
			}
		}
		for i, rc := range st.recConns {
			add(connRef{thread: t, kind: toRecorder, syn: int(rc.syn), idx: i, src: st.gids[rc.local], tgt: k.devices[rc.dev].gid})
		}
	}
	return sc, nil
}

// connKeys are the keys every connection reports.
var connKeys = []string{"source", "target", "target_thread", "synapse_id", "synapse_model", "port", "receptor", "delay", "weight"}

// Get returns, for each key, the column of values over the collection ([]int64, []float64 or
// []string). Without keys, the keys every connection has and, when all connections belong to
// models with the same per-connection parameters (the STDP models' tau_plus, ..., Kplus, say),
// those too.
func (sc SynapseCollection) Get(keys ...string) (Params, error) {
	k := sc.k
	if k == nil {
		return Params{}, nil
	}
	if sc.gen != k.gen {
		return nil, status.Errorf(status.InvalidNodeCollection, "synapse collection is invalid after ResetKernel")
	}
	if len(keys) == 0 {
		keys = append(slices.Clone(connKeys), sc.sharedModelKeys()...)
	}
	out := Params{}
	for _, key := range keys {
		col, err := sc.column(key)
		if err != nil {
			return nil, err
		}
		out[key] = col
	}
	return out, nil
}

// sharedModelKeys returns the per-connection model keys that every connection of the collection
// has (none unless all are in stores of models with the same keys).
func (sc SynapseCollection) sharedModelKeys() []string {
	var keys []string
	for i, r := range sc.conns {
		if r.kind != inStore {
			return nil
		}
		ck := sc.k.syns[r.syn].m.ConnKeys()
		if i == 0 {
			keys = ck
		} else if !slices.Equal(keys, ck) {
			return nil
		}
	}
	return keys
}

// column returns one key over all connections.
func (sc SynapseCollection) column(key string) (any, error) {
	k := sc.k
	switch key {
	case "source", "target", "target_thread", "synapse_id", "port", "receptor":
		col := make([]int64, len(sc.conns))
		for i, r := range sc.conns {
			col[i] = sc.intKey(r, key)
		}
		return col, nil
	case "synapse_model":
		col := make([]string, len(sc.conns))
		for i, r := range sc.conns {
			col[i] = k.syns[r.syn].m.Name()
		}
		return col, nil
	}
	col := make([]float64, len(sc.conns))
	for i, r := range sc.conns {
		v, ok := sc.floatKey(r, key)
		if !ok {
			return nil, status.Errorf(status.KeyError, "GetConnections: connections of %s have no %q; every connection has %v, and a model's own parameters are listed by GetDefaults", k.syns[r.syn].m.Name(), key, connKeys)
		}
		col[i] = v
	}
	return col, nil
}

// weightAndDR returns the weight and the packed delay of connection r.
func (sc SynapseCollection) weightAndDR(r connRef) (float64, uint32) {
	st := sc.k.vps[r.thread]
	switch r.kind {
	case fromDevice:
		inst := st.devs[r.dev]
		return inst.w[r.idx], inst.dr[r.idx]
	case fromMeter:
		m := st.devs[r.dev].mm[r.idx]
		return m.w, m.dr
	case toRecorder:
		rc := &st.recConns[r.idx]
		return rc.w, rc.dr
	}
	c := st.stores[r.syn]
	return c.w.at(r.idx), c.dr.at(r.idx)
}

// setWeightAndDR sets the weight and the packed delay of connection r.
func (sc SynapseCollection) setWeightAndDR(r connRef, w float64, dr uint32) {
	st := sc.k.vps[r.thread]
	switch r.kind {
	case fromDevice:
		inst := st.devs[r.dev]
		inst.w[r.idx], inst.dr[r.idx] = w, dr
		inst.oneTarget = false // until the next Prepare checks again
	case fromMeter:
		m := st.devs[r.dev].mm[r.idx]
		m.w, m.dr = w, dr
	case toRecorder:
		rc := &st.recConns[r.idx]
		rc.w, rc.dr = w, dr
	default:
		c := st.stores[r.syn]
		c.w.set(r.idx, w)
		c.dr.set(r.idx, dr)
		c.srcCode = c.srcCode[:0] // until the next Prepare notes them again
	}
}

func (sc SynapseCollection) intKey(r connRef, key string) int64 {
	switch key {
	case "source":
		return int64(r.src)
	case "target":
		return int64(r.tgt)
	case "target_thread":
		return int64(r.thread)
	case "synapse_id":
		return int64(r.syn)
	case "port":
		return int64(r.idx)
	}
	_, dr := sc.weightAndDR(r)
	return drRport(dr)
}

// modelState returns the model state holding connection r, or nil.
func (sc SynapseCollection) modelState(r connRef) models.SynState {
	if r.kind != inStore {
		return nil
	}
	return sc.k.vps[r.thread].stores[r.syn].st
}

func (sc SynapseCollection) floatKey(r connRef, key string) (float64, bool) {
	w, dr := sc.weightAndDR(r)
	switch key {
	case "weight":
		return w, true
	case "delay":
		return sc.k.grid.Ms(drDelay(dr)), true
	}
	if ms := sc.modelState(r); ms != nil {
		return ms.Value(r.idx, key)
	}
	return 0, false
}

// Set sets connection parameters: weight, delay (within the fixed [min_delay, max_delay] once
// simulated) and the model's per-connection parameters (Kplus, the STDP parameters of
// stdp_synapse, ...). Each value is a scalar for all connections or a list with one value per
// connection. Validation is all or nothing.
func (sc SynapseCollection) Set(p Params) error {
	k := sc.k
	if k == nil || len(sc.conns) == 0 {
		return nil
	}
	if sc.gen != k.gen {
		return status.Errorf(status.InvalidNodeCollection, "synapse collection is invalid after ResetKernel")
	}
	keys := make([]string, 0, len(p))
	for key := range p {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	vals := make([][]float64, len(keys))
	for j, key := range keys {
		v := p[key]
		var col []float64
		if f, err := status.ToFloat(v); err == nil {
			col = make([]float64, len(sc.conns))
			for i := range col {
				col[i] = f
			}
		} else if fs, err := status.ToFloats(v); err == nil && len(fs) == len(sc.conns) {
			col = fs
		} else {
			return status.Errorf(status.BadParameter, "SetStatus of connections: %s must be a number or a list of %d numbers", key, len(sc.conns))
		}
		vals[j] = col
	}
	for pass := 0; pass < 2; pass++ {
		for i, r := range sc.conns {
			if err := sc.setOne(r, keys, vals, i, pass == 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// setOne validates (apply false) or applies the i-th values to connection r.
func (sc SynapseCollection) setOne(r connRef, keys []string, vals [][]float64, i int, apply bool) error {
	k := sc.k
	st := k.vps[r.thread]
	syn := k.syns[r.syn]
	nw, ndr := sc.weightAndDR(r)
	dr := ndr
	rest := Params{}
	for j, key := range keys {
		x := vals[j][i]
		switch key {
		case "weight":
			nw = x
		case "delay":
			d, err := k.delaySteps(x)
			if err != nil {
				return err
			}
			ndr = packDR(d, drChan(dr), int(drRport(dr)))
		default:
			rest[key] = x
		}
	}
	rd := status.NewReader(rest, syn.m.Name())
	if ms := sc.modelState(r); ms != nil {
		if err := ms.Set(r.idx, rd, nw, apply); err != nil {
			return err
		}
	}
	if unused := rd.Unused(); len(unused) > 0 {
		return status.Errorf(status.UnaccessedDictionaryEntry, "SetStatus: %q is not a settable parameter of %s connections", unused[0], syn.m.Name())
	}
	if apply {
		sc.setWeightAndDR(r, nw, ndr)
		st.noteDelay(drDelay(ndr))
	}
	return nil
}
