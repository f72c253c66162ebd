package models

import (
	"math"
	"slices"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// DeviceKind says how the kernel drives a device.
type DeviceKind uint8

// The device kinds.
const (
	KindSpikeRecorder DeviceKind = iota
	KindMultimeter
	KindWeightRecorder
	KindStimulator // a generator: its parameters implement Stimulator
)

// IsRecorder reports whether devices of kind k record (and so take record_to, label, events).
func (k DeviceKind) IsRecorder() bool { return k <= KindWeightRecorder }

// DeviceParams are the parameters of one device node (shared by its instances on every virtual
// process). Set validates against the time grid and applies all or nothing.
type DeviceParams interface {
	Get(d status.Dict)
	Set(r *status.Reader, g clock.Grid, model string) error
	Clone() DeviceParams
	Docs() []ParamDoc
}

// DeviceModel is a registered device model.
type DeviceModel struct {
	name  string
	kind  DeviceKind
	proto DeviceParams
	doc   string
}

// Name returns the model name.
func (m *DeviceModel) Name() string { return m.name }

// Kind returns the device kind.
func (m *DeviceModel) Kind() DeviceKind { return m.kind }

// Doc returns the model's documentation.
func (m *DeviceModel) Doc() string { return m.doc }

// Copy returns an independent copy under a new name.
func (m *DeviceModel) Copy(name string) *DeviceModel {
	return &DeviceModel{name: name, kind: m.kind, proto: m.proto.Clone(), doc: m.doc}
}

// Defaults returns the default parameters.
func (m *DeviceModel) Defaults() status.Dict {
	d := status.Dict{}
	m.proto.Get(d)
	return d
}

// SetDefaults changes the defaults, all or nothing.
func (m *DeviceModel) SetDefaults(r *status.Reader, g clock.Grid) error {
	p := m.proto.Clone()
	if err := p.Set(r, g, m.name); err != nil {
		return err
	}
	m.proto = p
	return nil
}

// Params documents the parameters.
func (m *DeviceModel) Params() []ParamDoc { return m.proto.Docs() }

// NewParams returns a copy of the current defaults for a new device node.
func (m *DeviceModel) NewParams() DeviceParams { return m.proto.Clone() }

// Window is the activity window every device has: origin, start and stop in ms. A recorder records
// events with stamp T iff tMin < T <= tMax; generators shift T as nest-spec section 2 describes.
type Window struct{ Origin, Start, Stop float64 }

var windowFields = []field[Window]{
	floatField("origin", "ms", "Reference time for start and stop", func(w *Window) *float64 { return &w.Origin }),
	floatField("start", "ms", "Activation time, relative to origin (exclusive)", func(w *Window) *float64 { return &w.Start }),
	floatField("stop", "ms", "Deactivation time, relative to origin (inclusive)", func(w *Window) *float64 { return &w.Stop }),
}

func defaultWindow() Window { return Window{Stop: math.Inf(1)} }

func (w *Window) set(r *status.Reader, g clock.Grid, model string) error {
	if err := readFields(r, w, windowFields); err != nil {
		return err
	}
	for _, f := range windowFields {
		if v := *f.f(w); !g.OnGrid(v) {
			return badProperty(model, "%s = %g ms must be a multiple of the simulation resolution (%g ms).", f.name, v, g.H())
		}
	}
	if w.Stop < w.Start {
		return badProperty(model, "stop (%g ms) must be greater than or equal to start (%g ms).", w.Stop, w.Start)
	}
	return nil
}

// Steps returns tMin = steps(origin+start) and tMax = steps(origin+stop).
func (w *Window) Steps(g clock.Grid) (tMin, tMax int64) {
	tMin = g.Steps(w.Origin + w.Start)
	if math.IsInf(w.Stop, 1) {
		return tMin, clock.Infinite
	}
	return tMin, g.Steps(w.Origin + w.Stop)
}

// Recorder holds the parameters every recording device has.
type Recorder struct {
	Window
	Label       string
	RecordTo    string
	TimeInSteps bool
	Precision   int64
}

// RecordBackends are the valid values of record_to.
var RecordBackends = []string{"memory", "ascii", "screen"}

func defaultRecorder() Recorder {
	return Recorder{Window: defaultWindow(), RecordTo: "memory", Precision: 3}
}

func (p *Recorder) get(d status.Dict) {
	writeFields(d, &p.Window, windowFields)
	d["label"] = p.Label
	d["record_to"] = p.RecordTo
	d["time_in_steps"] = p.TimeInSteps
	d["precision"] = p.Precision
}

func (p *Recorder) set(r *status.Reader, g clock.Grid, model string) error {
	if err := p.Window.set(r, g, model); err != nil {
		return err
	}
	if _, err := r.String("label", &p.Label); err != nil {
		return err
	}
	if strings.ContainsAny(p.Label, `/\`) || strings.Contains(p.Label, "..") || strings.ContainsRune(p.Label, 0) {
		return badProperty(model, "label %q is a file-name stem for the ascii backend, not a path: it may not contain '/', '\\' or '..'.", p.Label)
	}
	if _, err := r.String("record_to", &p.RecordTo); err != nil {
		return err
	}
	if !slices.Contains(RecordBackends, p.RecordTo) {
		return badProperty(model, "Unknown recording backend %q; valid values of record_to are %v.", p.RecordTo, RecordBackends)
	}
	if _, err := r.Bool("time_in_steps", &p.TimeInSteps); err != nil {
		return err
	}
	if _, err := r.Int("precision", &p.Precision); err != nil {
		return err
	}
	if p.Precision < 0 || p.Precision > 17 {
		return badProperty(model, "precision must be between 0 and 17, got %d.", p.Precision)
	}
	return nil
}

func (p *Recorder) docs() []ParamDoc {
	return append(docFields(&p.Window, windowFields),
		ParamDoc{Name: "label", Default: "", Doc: "Label; the ascii backend uses it in file names"},
		ParamDoc{Name: "record_to", Default: "memory", Doc: "Recording backend: memory, ascii or screen"},
		ParamDoc{Name: "time_in_steps", Default: false, Doc: "Record times as steps and offsets instead of ms"},
		ParamDoc{Name: "precision", Default: int64(3), Doc: "Digits after the point in ascii and screen output"},
		ParamDoc{Name: "n_events", Default: int64(0), Doc: "Number of events recorded; can only be set to 0, which clears them"},
		ParamDoc{Name: "events", Doc: "Recorded data (memory backend)", ReadOnly: true},
	)
}

// SpikeRecorderParams are the parameters of spike_recorder.
type SpikeRecorderParams struct{ Recorder }

// Get implements DeviceParams.
func (p *SpikeRecorderParams) Get(d status.Dict) { p.get(d) }

// Set implements DeviceParams.
func (p *SpikeRecorderParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := *p
	if err := q.set(r, g, model); err != nil {
		return err
	}
	*p = q
	return nil
}

// Clone implements DeviceParams.
func (p *SpikeRecorderParams) Clone() DeviceParams { c := *p; return &c }

// Docs implements DeviceParams.
func (p *SpikeRecorderParams) Docs() []ParamDoc { return p.docs() }

// MultimeterParams are the parameters of multimeter and voltmeter.
type MultimeterParams struct {
	Recorder
	Interval, Offset float64
	RecordFrom       []string
}

// Get implements DeviceParams.
func (p *MultimeterParams) Get(d status.Dict) {
	p.get(d)
	d["interval"] = p.Interval
	d["offset"] = p.Offset
	d["record_from"] = slices.Clone(p.RecordFrom)
}

// Set implements DeviceParams.
func (p *MultimeterParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := *p
	q.RecordFrom = slices.Clone(p.RecordFrom)
	if err := q.set(r, g, model); err != nil {
		return err
	}
	if _, err := r.Float("interval", &q.Interval); err != nil {
		return err
	}
	if _, err := r.Float("offset", &q.Offset); err != nil {
		return err
	}
	if _, err := r.Strings("record_from", &q.RecordFrom); err != nil {
		return err
	}
	if q.Interval < g.H() || !g.OnGrid(q.Interval) {
		return badProperty(model, "interval (%g ms) must be at least the resolution and a multiple of it (%g ms).", q.Interval, g.H())
	}
	if q.Offset != 0 && (q.Offset < g.H() || !g.OnGrid(q.Offset)) {
		return badProperty(model, "offset (%g ms) must be 0 or at least the resolution and a multiple of it (%g ms).", q.Offset, g.H())
	}
	*p = q
	return nil
}

// Clone implements DeviceParams.
func (p *MultimeterParams) Clone() DeviceParams {
	c := *p
	c.RecordFrom = slices.Clone(p.RecordFrom)
	return &c
}

// Docs implements DeviceParams.
func (p *MultimeterParams) Docs() []ParamDoc {
	return append(p.docs(),
		ParamDoc{Name: "interval", Unit: "ms", Default: p.Interval, Doc: "Sampling interval"},
		ParamDoc{Name: "offset", Unit: "ms", Default: p.Offset, Doc: "First sample time; samples at offset + k*interval"},
		ParamDoc{Name: "record_from", Default: p.RecordFrom, Doc: "Names of the recordables to sample"},
	)
}

// WeightRecorderParams are the parameters of weight_recorder.
type WeightRecorderParams struct {
	Recorder
	Senders, Targets []uint64
}

// Get implements DeviceParams.
func (p *WeightRecorderParams) Get(d status.Dict) {
	p.get(d)
	d["senders"] = slices.Clone(p.Senders)
	d["targets"] = slices.Clone(p.Targets)
}

// Set implements DeviceParams. senders and targets are lists of node ids (the kernel converts
// node collections to ids before calling).
func (p *WeightRecorderParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := *p
	if err := q.set(r, g, model); err != nil {
		return err
	}
	for _, key := range []string{"senders", "targets"} {
		v, ok := r.Raw(key)
		if !ok {
			continue
		}
		ids, err := toIDs(v)
		if err != nil {
			return status.Errorf(status.TypeMismatch, "%s: %s expects a NodeCollection or a list of node ids: %v", model, key, err)
		}
		if key == "senders" {
			q.Senders = ids
		} else {
			q.Targets = ids
		}
	}
	*p = q
	return nil
}

// Clone implements DeviceParams.
func (p *WeightRecorderParams) Clone() DeviceParams {
	c := *p
	c.Senders, c.Targets = slices.Clone(p.Senders), slices.Clone(p.Targets)
	return &c
}

// Docs implements DeviceParams.
func (p *WeightRecorderParams) Docs() []ParamDoc {
	return append(p.docs(),
		ParamDoc{Name: "senders", Default: []uint64{}, Doc: "Record only synapses from these nodes (empty: all)"},
		ParamDoc{Name: "targets", Default: []uint64{}, Doc: "Record only synapses onto these nodes (empty: all)"},
	)
}

func toIDs(v any) ([]uint64, error) {
	switch x := v.(type) {
	case []uint64:
		return slices.Clone(x), nil
	case []int64:
		out := make([]uint64, len(x))
		for i, e := range x {
			out[i] = uint64(e)
		}
		return out, nil
	case []int:
		out := make([]uint64, len(x))
		for i, e := range x {
			out[i] = uint64(e)
		}
		return out, nil
	case []any:
		out := make([]uint64, len(x))
		for i, e := range x {
			n, err := status.ToInt(e)
			if err != nil || n < 1 {
				return nil, status.Errorf(status.TypeMismatch, "entry %d is not a node id", i)
			}
			out[i] = uint64(n)
		}
		return out, nil
	}
	return nil, status.Errorf(status.TypeMismatch, "got %T", v)
}

// Device models with NEST's defaults.

// NewSpikeRecorder returns spike_recorder.
func NewSpikeRecorder() *DeviceModel {
	return &DeviceModel{name: "spike_recorder", kind: KindSpikeRecorder, proto: &SpikeRecorderParams{defaultRecorder()},
		doc: "Records the spike times and senders of the neurons connected to it (Connect(neurons, recorder)). " +
			"Events with stamp T are recorded iff start < T - origin <= stop."}
}

// NewMultimeter returns multimeter (record_from empty) or, with name voltmeter, one recording V_m.
func NewMultimeter(name string, recordFrom []string) *DeviceModel {
	return &DeviceModel{name: name, kind: KindMultimeter,
		proto: &MultimeterParams{Recorder: defaultRecorder(), Interval: 1.0, RecordFrom: recordFrom},
		doc: "Samples the recordables named in record_from of the neurons it is connected to " +
			"(Connect(meter, neurons)) every interval ms, at offset + k*interval."}
}

// NewWeightRecorder returns weight_recorder.
func NewWeightRecorder() *DeviceModel {
	return &DeviceModel{name: "weight_recorder", kind: KindWeightRecorder, proto: &WeightRecorderParams{Recorder: defaultRecorder()},
		doc: "Records source, target, time and weight of every spike through the synapses of a synapse model " +
			"whose weight_recorder property names it (set with SetDefaults or CopyModel)."}
}

// NewDeviceModel returns a device model of the given kind whose defaults are proto. The
// parameters of a KindStimulator model must implement Stimulator.
func NewDeviceModel(name string, kind DeviceKind, proto DeviceParams, doc string) *DeviceModel {
	return &DeviceModel{name: name, kind: kind, proto: proto, doc: doc}
}

// Stimulator is implemented by the parameters of stimulation devices: they say which event the
// device sends and make its state on each virtual process.
type Stimulator interface {
	DeviceParams
	// Sends is the event kind the device sends (CurrentEvent or SpikeEvent), which decides the
	// target's input channel.
	Sends() EventKind
	// NewGenerator returns the device's state on one virtual process.
	NewGenerator() Generator
}

// Generator is a stimulation device on one virtual process: its state and update rule. The kernel
// drives it once per step and adds what it emits into the ring buffers of its local targets: a
// value v sent in step s through a connection of weight w and delay d adds w·v to the target's
// input for step s + d (and v to a counting input).
type Generator interface {
	// Prepare readies the generator for a run with parameters p (fixed until Cleanup) on grid g;
	// now is the current step.
	Prepare(p DeviceParams, g clock.Grid, now int64) error
	// Update computes what the device sends in step s to its n local targets, drawing random
	// numbers from rng (the VP's stream) in target order.
	Update(s int64, rng *vp.Stream, n int, out *Emission)
	// WriteState writes the generator's state; ReadState restores it.
	WriteState(e *state.Encoder)
	ReadState(d *state.Decoder) error
}

// Emission is what a generator sends in one step: pulses that reach every target, and values
// with one entry per target. Update appends to All and sets Each; the kernel empties both.
type Emission struct {
	// All lists the pulses sent to every target, in order: weight × Value × Mult, counting Mult.
	All []Pulse
	// Each, when not nil, holds one value per target (weight × value, counting value); zeros
	// send nothing.
	Each []float64
}

// Pulse is one value sent to every target of a generator.
type Pulse struct{ Value, Mult float64 }
