package kernel

import (
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
// []string). Without keys, every key of every connection's model. STDP models add tau_plus,
// lambda, alpha, mu_plus, mu_minus, Wmax and Kplus.
func (sc SynapseCollection) Get(keys ...string) (Params, error) {
	k := sc.k
	if k == nil {
		return Params{}, nil
	}
	if sc.gen != k.gen {
		return nil, status.Errorf(status.InvalidNodeCollection, "synapse collection is invalid after ResetKernel")
	}
	if len(keys) == 0 {
		keys = connKeys
		if sc.allSTDP() {
			keys = append(keys, "tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax", "Kplus")
		}
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

// allSTDP reports whether every connection has the STDP keys (so Get without keys lists them).
func (sc SynapseCollection) allSTDP() bool {
	for _, r := range sc.conns {
		if r.kind != inStore || sc.k.syns[r.syn].m.Kind() == models.SynStatic {
			return false
		}
	}
	return len(sc.conns) > 0
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
			col[i] = k.syns[sc.synOf(r)].m.Name()
		}
		return col, nil
	case "weight", "delay", "Kplus", "tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax":
		col := make([]float64, len(sc.conns))
		for i, r := range sc.conns {
			v, ok := sc.floatKey(r, key)
			if !ok {
				return nil, status.Errorf(status.KeyError, "GetConnections: connections of %s have no %q", k.syns[sc.synOf(r)].m.Name(), key)
			}
			col[i] = v
		}
		return col, nil
	}
	return nil, status.Errorf(status.KeyError, "GetConnections: unknown connection key %q; keys are %v and the STDP parameters", key, connKeys)
}

func (sc SynapseCollection) synOf(r connRef) int { return r.syn }

// weightAndDR returns pointers to the weight and the packed delay of connection r.
func (sc SynapseCollection) weightAndDR(r connRef) (*float64, *uint32) {
	st := sc.k.vps[r.thread]
	switch r.kind {
	case fromDevice:
		inst := st.devs[r.dev]
		return &inst.w[r.idx], &inst.dr[r.idx]
	case fromMeter:
		m := st.devs[r.dev].mm[r.idx]
		return &m.w, &m.dr
	case toRecorder:
		rc := &st.recConns[r.idx]
		return &rc.w, &rc.dr
	}
	c := st.stores[r.syn]
	return &c.w[r.idx], &c.dr[r.idx]
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
	return drRport(*dr)
}

func (sc SynapseCollection) floatKey(r connRef, key string) (float64, bool) {
	w, dr := sc.weightAndDR(r)
	switch key {
	case "weight":
		return *w, true
	case "delay":
		return sc.k.grid.Ms(drDelay(*dr)), true
	}
	if r.kind != inStore {
		return 0, false
	}
	c := sc.k.vps[r.thread].stores[r.syn]
	if c.kplus == nil {
		return 0, false
	}
	if key == "Kplus" {
		return c.kplus[r.idx], true
	}
	p := c.syn.m.Stdp
	if c.sp != nil {
		p = c.sp[r.idx]
	}
	d := Params{}
	models.WriteStdp(d, &p)
	v, ok := d[key].(float64)
	return v, ok
}

// Set sets connection parameters: weight, delay (within the fixed [min_delay, max_delay] once
// simulated), Kplus and, for stdp_synapse, its STDP parameters. Each value is a scalar for all
// connections or a list with one value per connection. Validation is all or nothing.
func (sc SynapseCollection) Set(p Params) error {
	k := sc.k
	if k == nil || len(sc.conns) == 0 {
		return nil
	}
	if sc.gen != k.gen {
		return status.Errorf(status.InvalidNodeCollection, "synapse collection is invalid after ResetKernel")
	}
	vals := make(map[string][]float64, len(p))
	for key, v := range p {
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
		vals[key] = col
	}
	for pass := 0; pass < 2; pass++ {
		for i, r := range sc.conns {
			if err := sc.setOne(r, vals, i, pass == 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// setOne validates (apply false) or applies the i-th values to connection r.
func (sc SynapseCollection) setOne(r connRef, vals map[string][]float64, i int, apply bool) error {
	k := sc.k
	st := k.vps[r.thread]
	syn := k.syns[sc.synOf(r)]
	w, dr := sc.weightAndDR(r)
	var c *connStore
	if r.kind == inStore {
		c = st.stores[r.syn]
	}
	nw, ndr := *w, *dr
	var kplus float64
	var sp models.StdpParams
	if c != nil && c.kplus != nil {
		kplus, sp = c.kplus[r.idx], syn.m.Stdp
		if c.sp != nil {
			sp = c.sp[r.idx]
		}
	}
	for key, col := range vals {
		x := col[i]
		switch key {
		case "weight":
			nw = x
		case "delay":
			d, err := k.delaySteps(x)
			if err != nil {
				return err
			}
			ndr = packDR(d, drChan(*dr), int(drRport(*dr)))
		case "Kplus":
			if c == nil || c.kplus == nil {
				return status.Errorf(status.KeyError, "SetStatus: %s connections have no Kplus", syn.m.Name())
			}
			kplus = x
		default:
			if c == nil || c.sp == nil {
				return status.Errorf(status.UnaccessedDictionaryEntry, "SetStatus: %q is not a settable parameter of %s connections", key, syn.m.Name())
			}
			if err := models.ReadStdpConn(status.NewReader(Params{key: x}, syn.m.Name()), &sp); err != nil {
				return err
			}
		}
	}
	if c != nil && c.kplus != nil {
		if err := sp.Validate(syn.m.Name(), nw, kplus, c.sp != nil); err != nil {
			return err
		}
	}
	if !apply {
		return nil
	}
	*w, *dr = nw, ndr
	st.noteDelay(drDelay(ndr))
	if c != nil && c.kplus != nil {
		c.kplus[r.idx] = kplus
		if c.sp != nil {
			c.sp[r.idx] = sp
		}
	}
	return nil
}
