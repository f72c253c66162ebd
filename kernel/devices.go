package kernel

import (
	"fmt"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/record"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// device is a device node. Its parameters are shared by its instances, one per local VP
// (vpState.devs[idx]), which hold what is per VP: targets, random state, recorded events.
type device struct {
	gid    uint64
	idx    int
	model  *modelEntry
	kind   models.DeviceKind
	params models.DeviceParams
	// synID is the synapse model of the device's outgoing connections (-1 before the first).
	synID int
	// connected is set once a multimeter has targets (its interval and record_from are then fixed).
	connected bool
	// recorders: derived at Prepare
	tMin, tMax int64
	ivSteps    int64 // multimeter interval in steps
}

// devInst is the instance of a device on one VP.
type devInst struct {
	// outgoing connections to local neurons (generators), in creation order
	tgt []uint32
	w   []float64
	dr  []uint32
	// generators: the device's state and update rule on this VP, and what it sends in a step
	gen  models.Generator
	emit models.Emission
	// spikeOnly is set at Prepare when every target is reached through the sign-split spike
	// channel (per-target values then skip the channel dispatch)
	spikeOnly bool
	// oneTarget is set at Prepare when, besides, every target has the same weight and delay
	// word (one generator driving a population)
	oneTarget bool
	// recorders: the number of events recorded (n_events), the memory backend's events, and the
	// backend of record_to
	n           int64
	mem         record.Events
	backend     record.Backend
	backendName string
	// multimeter: the neurons it samples on this VP
	mm []*mmBinding

	// emit is written at every step by this VP's thread: the device's instance on the next VP,
	// perhaps allocated right after this one, starts on another cache line
	_ [64]byte
}

func (k *Kernel) createDevices(e *modelEntry, n int, pl *paramPlan) ([]uint64, error) {
	first := uint64(len(k.nodes))
	params := make([]models.DeviceParams, n)
	for i := range params {
		p := e.device.NewParams()
		d := Params{}
		for key, v := range pl.common {
			d[key] = v
		}
		for key, v := range pl.nodeParams(i, &k.streams.RankSync) {
			d[key] = v
		}
		r := status.NewReader(d, e.name)
		if err := k.readRecorderCompat(r, e.name); err != nil {
			return nil, err
		}
		if err := p.Set(r, k.grid, e.name); err != nil {
			return nil, fmt.Errorf("node %d: %w", first+uint64(i), err)
		}
		if err := k.checkUnused(r); err != nil {
			return nil, err
		}
		params[i] = p
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = first + uint64(i)
		d := &device{gid: ids[i], idx: len(k.devices), model: e, kind: e.device.Kind(), params: params[i], synID: -1}
		k.devices = append(k.devices, d)
		for _, st := range k.vps {
			inst := &devInst{}
			if sp, ok := params[i].(models.Stimulator); ok {
				inst.gen = sp.NewGenerator()
			}
			st.devs = append(st.devs, inst)
		}
		k.nodes = append(k.nodes, nodeEntry{model: int32(e.id), local: int32(d.idx)})
	}
	return ids, nil
}

// readRecorderCompat accepts the recorder keys of older NEST versions: withtime and withgid (times
// and senders are always recorded, so only true is accepted).
func (k *Kernel) readRecorderCompat(r *status.Reader, model string) error {
	for _, key := range []string{"withtime", "withgid"} {
		var b bool
		ok, err := r.Bool(key, &b)
		if err != nil {
			return err
		}
		if ok && !b {
			return status.Errorf(status.BadProperty, "%s: %s can only be true: times and senders are always recorded", model, key)
		}
		if ok {
			k.note("%s: %s is an old NEST parameter; times and senders are always recorded", model, key)
		}
	}
	return nil
}

// note prints a one-line note, once per kernel for the same text.
func (k *Kernel) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if k.notes[msg] {
		return
	}
	k.notes[msg] = true
	fmt.Fprintln(k.log, "Note: "+msg)
}

// deviceOf returns the device with node id id, or nil.
func (k *Kernel) deviceOf(id uint64) *device {
	if id == 0 || id >= uint64(len(k.nodes)) {
		return nil
	}
	ne := k.nodes[id]
	if k.models.list[ne.model].device == nil {
		return nil
	}
	return k.devices[ne.local]
}

// singleNodeID converts a one-node collection, a node id or a one-element list to a node id.
func (k *Kernel) singleNodeID(v any, key string) (uint64, error) {
	switch x := v.(type) {
	case NodeCollection:
		if x.Len() != 1 {
			return 0, status.Errorf(status.BadProperty, "%s must be a single node, got %d", key, x.Len())
		}
		return x.ids[0], nil
	case []uint64:
		if len(x) == 1 {
			return x[0], nil
		}
	case []any:
		if len(x) == 1 {
			return k.singleNodeID(x[0], key)
		}
	}
	n, err := status.ToInt(v)
	if err != nil || n < 0 {
		return 0, status.Errorf(status.TypeMismatch, "%s expects a single node (NodeCollection of one node or a node id)", key)
	}
	return uint64(n), nil
}

func (k *Kernel) deviceStatus(d *device) Params {
	out := Params{}
	d.params.Get(out)
	out["local"] = true
	out["model"] = d.model.name
	out["model_id"] = int64(d.model.id)
	out["global_id"] = int64(d.gid)
	out["vp"] = int64(k.layout.VPOfThread(0))
	out["thread"] = int64(0)
	out["element_type"] = d.model.elementType()
	out["frozen"] = false
	if d.kind.IsRecorder() {
		out["n_events"] = int64(k.eventCount(d))
		out["events"] = k.eventsDict(d)
	}
	return out
}

// setDevice validates (apply false) or applies d to a device.
func (k *Kernel) setDevice(dev *device, d Params, apply bool) error {
	r := status.NewReader(d, dev.model.name)
	r.MarkUsed(readOnlyNodeKeys...)
	r.MarkUsed("frozen")
	if dev.kind.IsRecorder() {
		if err := refuseReadOnly(r, dev.model.name, []string{"events"}); err != nil {
			return err
		}
	}
	r.MarkUsed("events")
	if err := k.readRecorderCompat(r, dev.model.name); err != nil {
		return err
	}
	var nev int64
	clearEvents := false
	if dev.kind.IsRecorder() {
		ok, err := r.Int("n_events", &nev)
		if err != nil {
			return err
		}
		if ok && nev != 0 {
			return status.Errorf(status.BadProperty, "%s: n_events can only be set to 0 (which clears the recorded events), got %d", dev.model.name, nev)
		}
		clearEvents = ok
	}
	if k.prepared {
		return status.Errorf(status.BadProperty, "%s: parameters of devices cannot be changed between Prepare and Cleanup", dev.model.name)
	}
	p := dev.params.Clone()
	if err := p.Set(r, k.grid, dev.model.name); err != nil {
		return err
	}
	if err := k.checkFixedAfterConnect(dev, p); err != nil {
		return err
	}
	if err := k.checkUnused(r); err != nil {
		return err
	}
	if !apply {
		return nil
	}
	dev.params = p
	if clearEvents {
		for _, st := range k.vps {
			inst := st.devs[dev.idx]
			inst.n = 0
			inst.mem.Clear()
		}
	}
	return nil
}

// checkFixedAfterConnect refuses changes of a connected multimeter's sampling parameters, and of
// any recorder's time_in_steps after Simulate.
func (k *Kernel) checkFixedAfterConnect(dev *device, p models.DeviceParams) error {
	if old := recorderParams(dev); old != nil && k.simulated && old.TimeInSteps != recorderParams(&device{params: p}).TimeInSteps {
		return status.Errorf(status.BadProperty, "%s: time_in_steps cannot be changed after Simulate", dev.model.name)
	}
	if dev.kind != models.KindMultimeter || !dev.connected {
		return nil
	}
	old, neu := dev.params.(*models.MultimeterParams), p.(*models.MultimeterParams)
	if old.Interval != neu.Interval || old.Offset != neu.Offset || fmt.Sprint(old.RecordFrom) != fmt.Sprint(neu.RecordFrom) {
		return status.Errorf(status.BadProperty, "%s: the properties interval, offset and record_from cannot be changed after the multimeter has been connected to nodes", dev.model.name)
	}
	return nil
}

// stimulator returns the parameters of a generator (false for recorders and for nil).
func (d *device) stimulator() (models.Stimulator, bool) {
	if d == nil {
		return nil, false
	}
	sp, ok := d.params.(models.Stimulator)
	return sp, ok
}
