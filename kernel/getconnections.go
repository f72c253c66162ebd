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

// connRef locates one connection: a store (or a generator instance) on a local thread and an index.
type connRef struct {
	thread int
	syn    int // synapse id; -1 for a connection from a device (dev holds the device index)
	dev    int
	idx    int
	src    uint64
}

// SynapseCollection is a list of connections of this rank (NEST's SynapseCollection), in NEST's
// order: thread by thread, synapse model by synapse model, storage order within.
type SynapseCollection struct {
	k     *Kernel
	gen   uint64
	conns []connRef
}

// Len returns the number of connections.
func (sc SynapseCollection) Len() int { return len(sc.conns) }

// GetConnections returns the connections of this rank (those whose target lives here) that match
// the filter: connections between neurons and from stimulation devices to neurons. (Connections
// to recorders and from multimeters are not listed.)
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
	keep := func(st *vpState, src uint64, tgt uint32, syn int) bool {
		return (synID < 0 || syn == synID) && (srcSet == nil || srcSet[src]) && (tgtSet == nil || tgtSet[st.gids[tgt]])
	}
	for t, st := range k.vps {
		for _, c := range st.stores {
			if c == nil {
				continue
			}
			for i, src := range c.sources() {
				if keep(st, uint64(src), c.tgt[i], c.syn.id) {
					sc.conns = append(sc.conns, connRef{thread: t, syn: c.syn.id, idx: i, src: uint64(src)})
				}
			}
		}
		for di, inst := range st.devs {
			d := k.devices[di]
			for i, tgt := range inst.tgt {
				if keep(st, d.gid, tgt, d.synID) {
					sc.conns = append(sc.conns, connRef{thread: t, syn: -1, dev: di, idx: i, src: d.gid})
				}
			}
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
		if r.syn < 0 || sc.k.syns[r.syn].m.Kind() == models.SynStatic {
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

func (sc SynapseCollection) synOf(r connRef) int {
	if r.syn >= 0 {
		return r.syn
	}
	return max(sc.k.devices[r.dev].synID, 0)
}

func (sc SynapseCollection) parts(r connRef) (tgt uint32, w float64, dr uint32) {
	st := sc.k.vps[r.thread]
	if r.syn < 0 {
		inst := st.devs[r.dev]
		return inst.tgt[r.idx], inst.w[r.idx], inst.dr[r.idx]
	}
	c := st.stores[r.syn]
	return c.tgt[r.idx], c.w[r.idx], c.dr[r.idx]
}

func (sc SynapseCollection) intKey(r connRef, key string) int64 {
	tgt, _, dr := sc.parts(r)
	switch key {
	case "source":
		return int64(r.src)
	case "target":
		return int64(sc.k.vps[r.thread].gids[tgt])
	case "target_thread":
		return int64(r.thread)
	case "synapse_id":
		return int64(sc.synOf(r))
	case "port":
		return int64(r.idx)
	}
	return drRport(dr)
}

func (sc SynapseCollection) floatKey(r connRef, key string) (float64, bool) {
	_, w, dr := sc.parts(r)
	switch key {
	case "weight":
		return w, true
	case "delay":
		return sc.k.grid.Ms(drDelay(dr)), true
	}
	if r.syn < 0 {
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
	w, dr := st.devConnOrStore(r)
	var c *connStore
	if r.syn >= 0 {
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

// devConnOrStore returns pointers to the weight and packed delay of connection r.
func (v *vpState) devConnOrStore(r connRef) (*float64, *uint32) {
	if r.syn < 0 {
		inst := v.devs[r.dev]
		return &inst.w[r.idx], &inst.dr[r.idx]
	}
	c := v.stores[r.syn]
	return &c.w[r.idx], &c.dr[r.idx]
}
