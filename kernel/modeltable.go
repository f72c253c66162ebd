package kernel

import (
	"sort"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// modelEntry is a node model known to one kernel: a neuron or a device model, with the built-in
// model it derives from (blocks of neurons whose models share a base are stored together).
type modelEntry struct {
	id     int
	name   string
	base   string
	neuron models.NeuronModel
	device *models.DeviceModel
	arch   models.ArchParams // archiving defaults of neuron models (tau_minus, tau_minus_triplet)
}

func (e *modelEntry) elementType() string {
	if e.neuron != nil {
		return "neuron"
	}
	if e.device.Kind().IsRecorder() {
		return "recorder"
	}
	return "stimulator"
}

type modelTable struct {
	list   []*modelEntry
	byName map[string]*modelEntry
}

func newModelTable() *modelTable {
	t := &modelTable{byName: map[string]*modelEntry{}}
	neurons, devices := models.Builtin()
	for _, m := range neurons {
		t.add(&modelEntry{name: m.Name(), base: m.Name(), neuron: m, arch: models.DefaultArchParams})
	}
	for _, m := range devices {
		t.add(&modelEntry{name: m.Name(), base: m.Name(), device: m})
	}
	return t
}

func (t *modelTable) add(e *modelEntry) {
	e.id = len(t.list)
	t.list = append(t.list, e)
	t.byName[e.name] = e
}

func (t *modelTable) lookup(name string) (*modelEntry, bool) {
	e, ok := t.byName[name]
	return e, ok
}

func (t *modelTable) names(syns []*synModel) []string {
	var out []string
	for _, e := range t.list {
		out = append(out, e.name)
	}
	for _, s := range syns {
		out = append(out, s.m.Name())
	}
	sort.Strings(out)
	return out
}

// synModel is a synapse model known to one kernel, with its id (index in Kernel.syns).
type synModel struct {
	id   int
	base string
	m    models.SynapseModel
	// stateful is set for models with per-connection state and a send rule of their own
	stateful bool
}

func newSynModel(id int, base string, m models.SynapseModel) *synModel {
	return &synModel{id: id, base: base, m: m, stateful: m.NewState() != nil}
}

func newSynTable() []*synModel {
	var out []*synModel
	for i, m := range models.BuiltinSynapses() {
		out = append(out, newSynModel(i, m.Name(), m))
	}
	return out
}

func (k *Kernel) synByName(name string) (*synModel, error) {
	for _, s := range k.syns {
		if s.m.Name() == name {
			return s, nil
		}
	}
	return nil, status.Errorf(status.UnknownSynapseType, "synapse model %q does not exist; known synapse models: %v", name, k.synNames())
}

func (k *Kernel) synNames() []string {
	out := make([]string, len(k.syns))
	for i, s := range k.syns {
		out[i] = s.m.Name()
	}
	return out
}

// resolveModelName maps old NEST names to current ones, with a note.
func (k *Kernel) resolveModelName(name string) string {
	if cur, ok := models.OldNames[name]; ok {
		k.note("%s is the old name of %s; using %s", name, cur, cur)
		return cur
	}
	return name
}

// CopyModel copies a neuron, device or synapse model under a new name, with its current defaults
// (common properties such as weight_recorder included), then applies params.
func (k *Kernel) CopyModel(old, newName string, params Params) error {
	old = k.resolveModelName(old)
	if _, exists := k.models.lookup(newName); exists || k.isSynName(newName) {
		return status.Errorf(status.NewModelNameExists, "CopyModel: model %q already exists; choose another name", newName)
	}
	if s, err := k.synByName(old); err == nil {
		c := newSynModel(len(k.syns), s.base, s.m.Copy(newName))
		if len(params) > 0 {
			if err := k.setSynDefaults(c, params); err != nil {
				return err
			}
		}
		k.syns = append(k.syns, c)
		return nil
	}
	e, ok := k.models.lookup(old)
	if !ok {
		return status.Errorf(status.UnknownModelName, "CopyModel: %q is not a known model name", old)
	}
	c := &modelEntry{name: newName, base: e.base, arch: e.arch}
	if e.neuron != nil {
		c.neuron = e.neuron.Copy(newName)
	} else {
		c.device = e.device.Copy(newName)
	}
	if len(params) > 0 {
		if err := k.setModelDefaults(c, params); err != nil {
			return err
		}
	}
	k.models.add(c)
	return nil
}

func (k *Kernel) isSynName(name string) bool {
	_, err := k.synByName(name)
	return err == nil
}

// SetDefaults sets default parameters of a model, all or nothing.
func (k *Kernel) SetDefaults(model string, params Params) error {
	model = k.resolveModelName(model)
	if s, err := k.synByName(model); err == nil {
		return k.setSynDefaults(s, params)
	}
	e, ok := k.models.lookup(model)
	if !ok {
		return status.Errorf(status.UnknownModelName, "SetDefaults: %q is not a known model name", model)
	}
	if err := k.setModelDefaults(e, params); err != nil {
		return err
	}
	k.defaultsChanged = true
	return nil
}

func (k *Kernel) setModelDefaults(e *modelEntry, params Params) error {
	r := status.NewReader(k.normalizeNodeParams(params), e.name)
	if e.neuron != nil {
		arch, m := e.arch, e.neuron.Copy(e.name)
		if err := m.SetDefaults(r); err != nil {
			return err
		}
		if err := arch.Read(r, e.name); err != nil {
			return err
		}
		if err := k.checkUnused(r); err != nil {
			return err
		}
		e.neuron, e.arch = m, arch
		return nil
	}
	if err := k.readRecorderCompat(r, e.name); err != nil {
		return err
	}
	dm := e.device.Copy(e.name) // applied only if no key is left unread
	if err := dm.SetDefaults(r, k.grid); err != nil {
		return err
	}
	if err := k.checkUnused(r); err != nil {
		return err
	}
	e.device = dm
	return nil
}

func (k *Kernel) setSynDefaults(s *synModel, params Params) error {
	p := Params{}
	for key, v := range params {
		if key == "weight_recorder" {
			id, err := k.singleNodeID(v, "weight_recorder")
			if err != nil {
				return err
			}
			if id != 0 {
				if d := k.deviceOf(id); d == nil || d.kind != models.KindWeightRecorder {
					return status.Errorf(status.BadProperty, "%s: weight_recorder must be a weight_recorder node, got node %d", s.m.Name(), id)
				}
			}
			v = int64(id)
		}
		p[key] = v
	}
	// validated on a copy first: all or nothing, unread keys included; then applied in place,
	// where the stores of the model's connections see it
	r := status.NewReader(p, s.m.Name())
	if err := s.m.Copy(s.m.Name()).SetDefaults(r); err != nil {
		return err
	}
	if err := k.checkUnused(r); err != nil {
		return err
	}
	return s.m.SetDefaults(status.NewReader(p, s.m.Name()))
}

// GetDefaults returns the defaults of a model; with keys, only those.
func (k *Kernel) GetDefaults(model string, keys ...string) (Params, error) {
	model = k.resolveModelName(model)
	var d Params
	if s, err := k.synByName(model); err == nil {
		d = s.m.Defaults()
		d["synapse_modelid"] = int64(s.id)
		d["element_type"] = "synapse"
	} else {
		e, ok := k.models.lookup(model)
		if !ok {
			return nil, status.Errorf(status.UnknownModelName, "GetDefaults: %q is not a known model name", model)
		}
		d = k.modelDefaults(e)
	}
	return pick(d, keys, model)
}

func (k *Kernel) modelDefaults(e *modelEntry) Params {
	var d Params
	if e.neuron != nil {
		d = e.neuron.Defaults()
		d["recordables"] = e.neuron.Recordables()
		d["tau_minus"], d["tau_minus_triplet"] = e.arch.TauMinus, e.arch.TauMinusTriplet
	} else {
		d = e.device.Defaults()
		if e.device.Kind().IsRecorder() {
			d["n_events"] = int64(0)
		}
	}
	d["model"] = e.name
	d["element_type"] = e.elementType()
	d["model_id"] = int64(e.id)
	return d
}

func pick(d Params, keys []string, context string) (Params, error) {
	if len(keys) == 0 {
		return d, nil
	}
	out := Params{}
	for _, key := range keys {
		v, ok := d[key]
		if !ok {
			return nil, status.Errorf(status.KeyError, "%s: no parameter or state %q", context, key)
		}
		out[key] = v
	}
	return out, nil
}
