package kernel

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// Create makes n nodes of a model and returns them. params (optional) is one dictionary whose
// values are scalars (for all nodes), lists of length n (one per node) or random distributions
// (connect.Dist, or a dictionary with "distribution"), drawn per node from the stream of the
// node's virtual process. Nothing is created if any value is invalid.
func (k *Kernel) Create(model string, n int, params ...Params) (NodeCollection, error) {
	if len(params) > 1 {
		return NodeCollection{}, status.Errorf(status.BadParameter, "Create: give one parameter dictionary (or use CreateEach for one per node)")
	}
	var p Params
	if len(params) == 1 {
		p = params[0]
	}
	return k.create(model, n, p, nil)
}

// CreateEach makes len(params) nodes, node i with params[i] (PyNEST's list of dictionaries).
func (k *Kernel) CreateEach(model string, params []Params) (NodeCollection, error) {
	return k.create(model, len(params), nil, params)
}

func (k *Kernel) create(model string, n int, common Params, each []Params) (NodeCollection, error) {
	defer k.timers.since(&k.timers.create, time.Now())
	if err := k.usable("Create"); err != nil {
		return NodeCollection{}, err
	}
	model = k.resolveModelName(model)
	e, ok := k.models.lookup(model)
	if !ok {
		if k.isSynName(model) {
			return NodeCollection{}, status.Errorf(status.UnknownModelName, "Create: %q is a synapse model, not a node model", model)
		}
		return NodeCollection{}, status.Errorf(status.UnknownModelName, "Create: %q is not a known model name (see Models())", model)
	}
	if n < 1 {
		return NodeCollection{}, status.Errorf(status.BadParameter, "Create: number of nodes n must be positive, got %d", n)
	}
	if uint64(len(k.nodes))+uint64(n) > maxNodes {
		return NodeCollection{}, status.Errorf(status.BadParameter, "Create: %d more nodes would exceed the largest network nest-mpi supports (%d nodes)", n, uint64(maxNodes))
	}
	plan, err := k.planParams(e.name, n, common, each, k.modelDefaults(e), paramOrder(e))
	if err != nil {
		return NodeCollection{}, err
	}
	saved := k.saveStreams()
	var ids []uint64
	if e.neuron != nil {
		ids, err = k.createNeurons(e, n, plan)
	} else {
		ids, err = k.createDevices(e, n, plan)
	}
	if err != nil {
		k.restoreStreams(saved)
		return NodeCollection{}, err
	}
	k.connChanged = true
	return NodeCollection{k: k, gen: k.gen, ids: ids}, nil
}

// maxNodes bounds the node ids: connections store their source as a 32-bit id.
const maxNodes = 1<<32 - 1

// paramPlan splits node parameters into values common to all nodes and values that differ per
// node (lists, per-node dictionaries, random distributions).
type paramPlan struct {
	common  Params
	perNode map[string]connect.Value
	// order lists the keys of perNode in the order their values are drawn for each node: the
	// model's parameter order (never Go's map order), unknown keys last, alphabetically
	order []string
	each  []Params
}

// planParams splits a parameter dictionary into a paramPlan. As in PyNEST, a list given for a parameter whose value is itself a list (spike_times,
// record_from, ...: a list in the model's defaults) is passed whole to every node.
func (k *Kernel) planParams(context string, n int, common Params, each []Params, defaults Params, order []string) (*paramPlan, error) {
	pl := &paramPlan{common: Params{}, perNode: map[string]connect.Value{}}
	for key, v := range k.normalizeNodeParams(common) {
		if !isPerNodeValue(v) || isListValue(defaults[key]) {
			pl.common[key] = v
			continue
		}
		val, err := connect.ParseValue(v)
		if err != nil {
			return nil, status.Errorf(status.BadParameter, "%s: parameter %s: %v", context, key, err)
		}
		if val.IsArray() && val.Len() != n {
			return nil, status.Errorf(status.DimensionMismatch, "%s: parameter %s has %d values for %d nodes", context, key, val.Len(), n)
		}
		pl.perNode[key] = val
		pl.order = append(pl.order, key)
	}
	sortByModelOrder(pl.order, order)
	for _, d := range each {
		pl.each = append(pl.each, k.normalizeNodeParams(d))
	}
	return pl, nil
}

// paramOrder returns the names of a model's parameters in its own order.
func paramOrder(e *modelEntry) []string {
	var docs []models.ParamDoc
	if e.neuron != nil {
		docs = e.neuron.Params()
	} else {
		docs = e.device.Params()
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Name
	}
	return out
}

// sortByModelOrder sorts keys by their position in order, keys it does not list last in
// alphabetical order.
func sortByModelOrder(keys []string, order []string) {
	rank := func(key string) int {
		if i := slices.Index(order, key); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// isListValue reports whether a default parameter value is a list.
func isListValue(v any) bool {
	switch v.(type) {
	case []float64, []int64, []uint64, []string, []any:
		return true
	}
	return false
}

// isPerNodeValue reports whether a parameter value is a list of numbers or a distribution.
func isPerNodeValue(v any) bool {
	switch x := v.(type) {
	case []float64, []int64, []int, connect.Dist, connect.Value:
		return true
	case []any:
		if len(x) == 0 {
			return false
		}
		_, err := status.ToFloat(x[0])
		return err == nil
	case Params:
		_, ok := x["distribution"]
		return ok
	}
	return false
}

// normalizeNodeParams converts node collections in a dictionary to id lists.
func (k *Kernel) normalizeNodeParams(p Params) Params {
	if p == nil {
		return nil
	}
	out := make(Params, len(p))
	for key, v := range p {
		if nc, ok := v.(NodeCollection); ok {
			v = nc.IDs()
		}
		out[key] = v
	}
	return out
}

// nodeParams returns the dictionary for the i-th new node (drawing random values from rng).
func (pl *paramPlan) nodeParams(i int, rng *vp.Stream) Params {
	d := Params{}
	for _, key := range pl.order {
		v := pl.perNode[key]
		d[key] = v.At(i, rng)
	}
	if pl.each != nil {
		for key, v := range pl.each[i] {
			d[key] = v
		}
	}
	return d
}

func (pl *paramPlan) hasPerNode() bool { return len(pl.perNode) > 0 || pl.each != nil }

// createNeurons places n neurons round robin on the VPs. The common parameters are validated once
// on a scratch copy of the model; per-node values are drawn on each local VP in node order and
// validated on a scratch neuron before anything is created.
func (k *Kernel) createNeurons(e *modelEntry, n int, pl *paramPlan) ([]uint64, error) {
	proto, arch := e.neuron, e.arch
	if len(pl.common) > 0 {
		proto = e.neuron.Copy(e.name)
		r := status.NewReader(pl.common, e.name)
		if err := proto.SetDefaults(r); err != nil {
			return nil, err
		}
		if err := arch.Read(r, e.name); err != nil {
			return nil, err
		}
		if err := k.checkUnused(r); err != nil {
			return nil, err
		}
	}
	first := uint64(len(k.nodes))
	ids := make([]uint64, n)
	perNode := make([]Params, n)
	for i := range ids {
		ids[i] = first + uint64(i)
		v := k.layout.VPOf(ids[i])
		if !k.layout.IsLocalVP(v) || !pl.hasPerNode() {
			continue
		}
		perNode[i] = pl.nodeParams(i, k.vps[k.layout.ThreadOfVP(v)].rng)
		if err := k.checkNeuronParams(e.name, proto, arch, perNode[i]); err != nil {
			return nil, fmt.Errorf("node %d: %w", ids[i], err)
		}
	}
	for i, id := range ids {
		v := k.layout.VPOf(id)
		entry := nodeEntry{model: int32(e.id), local: -1}
		if k.layout.IsLocalVP(v) {
			st := k.vps[k.layout.ThreadOfVP(v)]
			entry.local = int32(st.appendNeuron(e, proto, arch, id))
			if perNode[i] != nil {
				b, j := st.blockOf(int(entry.local))
				r := status.NewReader(perNode[i], e.name)
				if err := b.b.Set(j, r); err != nil {
					return nil, status.Errorf(status.InternalError, "node %d: %v", id, err)
				}
				if err := st.arch.Set(int(entry.local), r, e.name); err != nil {
					return nil, status.Errorf(status.InternalError, "node %d: %v", id, err)
				}
			}
		}
		k.nodes = append(k.nodes, entry)
	}
	return ids, nil
}

// checkNeuronParams validates one node's dictionary on a scratch neuron.
func (k *Kernel) checkNeuronParams(model string, proto models.NeuronModel, arch models.ArchParams, d Params) error {
	scratch := proto.NewBlock()
	scratch.Append(proto, 1)
	r := status.NewReader(d, model)
	if err := scratch.Set(0, r); err != nil {
		return err
	}
	if err := arch.Read(r, model); err != nil {
		return err
	}
	return k.checkUnused(r)
}

// appendNeuron adds one neuron of model e (initialised from proto) and returns its VP-local index.
func (v *vpState) appendNeuron(e *modelEntry, proto models.NeuronModel, arch models.ArchParams, id uint64) int {
	idx := len(v.gids)
	var b *nblock
	if len(v.blocks) > 0 && v.blocks[len(v.blocks)-1].base == e.base {
		b = v.blocks[len(v.blocks)-1]
	} else {
		b = &nblock{start: idx, base: e.base, b: proto.NewBlock()}
		for _, c := range proto.Channels() {
			for _, bi := range bufsOf(c) {
				b.bufs[bi] = true
			}
		}
		v.blocks = append(v.blocks, b)
	}
	b.b.Append(proto, 1)
	v.gids = append(v.gids, id)
	v.arch.Grow(1, arch)
	return idx
}

func (k *Kernel) saveStreams() []vp.Stream {
	out := make([]vp.Stream, len(k.vps))
	for i, v := range k.vps {
		out[i] = *v.rng
	}
	return out
}

func (k *Kernel) restoreStreams(saved []vp.Stream) {
	for i, v := range k.vps {
		*v.rng = saved[i]
	}
}

// usable reports an error if the kernel cannot take calls (an update failed earlier).
func (k *Kernel) usable(call string) error {
	if k.broken != nil {
		return status.Errorf(status.KernelException, "%s: the kernel is in an inconsistent state after an error during simulation (%v); please run ResetKernel first", call, k.broken)
	}
	return nil
}

// GetStatus returns one dictionary per node; with keys, only those keys.
func (k *Kernel) GetStatus(nc NodeCollection, keys ...string) ([]Params, error) {
	if err := k.valid(nc); err != nil {
		return nil, err
	}
	out := make([]Params, len(nc.ids))
	for i, id := range nc.ids {
		d := k.nodeStatus(id)
		if len(keys) == 0 {
			out[i] = d
			continue
		}
		sel := Params{}
		for _, key := range keys {
			v, ok := d[key]
			if !ok {
				if local, _ := d["local"].(bool); !local {
					sel[key] = nil
					continue
				}
				return nil, status.Errorf(status.KeyError, "node %d (%s) has no parameter or state %q", id, d["model"], key)
			}
			sel[key] = v
		}
		out[i] = sel
	}
	return out, nil
}

// Get returns the values of one key for every node of nc, in order.
func (k *Kernel) Get(nc NodeCollection, key string) ([]any, error) {
	st, err := k.GetStatus(nc, key)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(st))
	for i, d := range st {
		out[i] = d[key]
	}
	return out, nil
}

func (k *Kernel) nodeStatus(id uint64) Params {
	ne := k.nodes[id]
	e := k.models.list[ne.model]
	v := k.layout.VPOf(id)
	if e.device != nil {
		return k.deviceStatus(k.devices[ne.local])
	}
	if ne.local < 0 {
		return Params{"local": false, "model": "proxynode", "global_id": int64(id), "vp": int64(v), "element_type": "neuron"}
	}
	st := k.vps[k.layout.ThreadOfVP(v)]
	b, j := st.blockOf(int(ne.local))
	d := Params{}
	b.b.Get(j, d)
	st.arch.Get(int(ne.local), d)
	d["local"] = true
	d["model"] = e.name
	d["model_id"] = int64(e.id)
	d["global_id"] = int64(id)
	d["vp"] = int64(v)
	d["thread"] = int64(st.thread)
	d["thread_local_id"] = int64(ne.local)
	d["element_type"] = "neuron"
	d["frozen"] = false
	d["node_uses_wfr"] = false
	d["recordables"] = e.neuron.Recordables()
	return d
}

// SetStatus sets parameters of every node of nc: scalars for all, lists one value per node,
// distributions drawn per node. Validation is all or nothing over the collection.
func (k *Kernel) SetStatus(nc NodeCollection, p Params) error {
	if err := k.valid(nc); err != nil {
		return err
	}
	var defaults Params
	var order []string
	if len(nc.ids) > 0 {
		e := k.models.list[k.nodes[nc.ids[0]].model]
		defaults, order = k.modelDefaults(e), paramOrder(e)
	}
	pl, err := k.planParams("SetStatus", len(nc.ids), p, nil, defaults, order)
	if err != nil {
		return err
	}
	dicts := make([]Params, len(nc.ids))
	saved := k.saveStreams()
	for i, id := range nc.ids {
		var d Params
		switch th, ok := k.localThread(id); {
		case ok:
			d = pl.nodeParams(i, k.vps[th].rng)
		case k.deviceOf(id) != nil:
			d = pl.nodeParams(i, &k.streams.RankSync)
		default:
			dicts[i] = Params{} // a neuron of another rank
			continue
		}
		for key, v := range pl.common {
			d[key] = v
		}
		dicts[i] = d
	}
	if err := k.setEach(nc, dicts); err != nil {
		k.restoreStreams(saved)
		return err
	}
	return nil
}

// SetStatusEach sets node i of nc from params[i].
func (k *Kernel) SetStatusEach(nc NodeCollection, params []Params) error {
	if err := k.valid(nc); err != nil {
		return err
	}
	if len(params) != len(nc.ids) {
		return status.Errorf(status.DimensionMismatch, "SetStatus: %d dictionaries for %d nodes", len(params), len(nc.ids))
	}
	norm := make([]Params, len(params))
	for i, p := range params {
		norm[i] = k.normalizeNodeParams(p)
	}
	return k.setEach(nc, norm)
}

// localThread returns the local thread of a neuron, or false for devices and non-local neurons.
func (k *Kernel) localThread(id uint64) (int, bool) {
	ne := k.nodes[id]
	if k.models.list[ne.model].device != nil || ne.local < 0 {
		return 0, false
	}
	return k.layout.ThreadOf(id), true
}

// setEach validates every dictionary on a scratch copy, then applies them all.
func (k *Kernel) setEach(nc NodeCollection, dicts []Params) error {
	for pass := 0; pass < 2; pass++ {
		apply := pass == 1
		for i, id := range nc.ids {
			if err := k.setNode(id, dicts[i], apply); err != nil {
				return fmt.Errorf("SetStatus of node %d: %w", id, err)
			}
		}
	}
	return nil
}

// setNode validates (apply false) or applies d to node id.
func (k *Kernel) setNode(id uint64, d Params, apply bool) error {
	ne := k.nodes[id]
	e := k.models.list[ne.model]
	if e.device != nil {
		return k.setDevice(k.devices[ne.local], d, apply)
	}
	if ne.local < 0 {
		return nil
	}
	st := k.vps[k.layout.ThreadOfVP(k.layout.VPOf(id))]
	b, j := st.blockOf(int(ne.local))
	r := status.NewReader(d, e.name)
	r.MarkUsed(readOnlyNodeKeys...)
	if err := refuseReadOnly(r, e.name, neuronReadOnly(e.neuron)); err != nil {
		return err
	}
	if !apply {
		scratch := e.neuron.NewBlock()
		scratch.Append(e.neuron, 1)
		tmp := Params{}
		b.b.Get(j, tmp)
		if err := scratch.Set(0, status.NewReader(tmp, e.name)); err != nil {
			return err
		}
		if err := scratch.Set(0, r); err != nil {
			return err
		}
		arch := st.arch.Params(int(ne.local))
		if err := arch.Read(r, e.name); err != nil {
			return err
		}
		var clear bool
		if _, err := r.Bool("clear", &clear); err != nil {
			return err
		}
		return k.checkUnused(r)
	}
	if err := b.b.Set(j, r); err != nil {
		return err
	}
	return st.arch.Set(int(ne.local), r, e.name)
}

// readOnlyNodeKeys are keys GetStatus reports that SetStatus ignores when they carry the same
// meaning (so a dictionary from GetStatus can be set back).
var readOnlyNodeKeys = []string{"global_id", "model", "model_id", "local", "vp", "thread", "thread_local_id",
	"element_type", "node_uses_wfr", "recordables"}

// archivingReadOnly are the read-only state variables every neuron has for STDP (NEST's
// ArchivingNode); `nest-mpi help` marks them read-only.
var archivingReadOnly = []string{"t_spike", "post_trace"}

// neuronReadOnly lists the keys SetStatus refuses on a neuron of model m: the archiving state and
// every parameter the model documents as read-only.
func neuronReadOnly(m models.NeuronModel) []string {
	keys := append([]string(nil), archivingReadOnly...)
	for _, p := range m.Params() {
		if p.ReadOnly {
			keys = append(keys, p.Name)
		}
	}
	return keys
}

// refuseReadOnly returns NEST's error for an unused key (UnaccessedDictionaryEntry), saying that
// the key is read-only, when r holds one of keys.
func refuseReadOnly(r *status.Reader, model string, keys []string) error {
	var found []string
	for _, key := range keys {
		if r.Has(key) {
			found = append(found, key)
		}
	}
	if len(found) == 0 {
		return nil
	}
	return status.Errorf(status.UnaccessedDictionaryEntry, "%s: unaccessed elements in dictionary: %s (read-only: GetStatus reports it, SetStatus cannot set it)",
		model, strings.Join(found, ", "))
}
