package models

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// DeviceKind says how the kernel drives a device.
type DeviceKind uint8

// The device kinds.
const (
	KindSpikeRecorder DeviceKind = iota
	KindMultimeter
	KindWeightRecorder
	KindDCGenerator
	KindPoissonGenerator
	KindNoiseGenerator
	KindSpikeGenerator
)

// IsRecorder reports whether devices of kind k record (and so take record_to, label, events).
func (k DeviceKind) IsRecorder() bool { return k <= KindWeightRecorder }

// IsCurrentSource reports whether devices of kind k send currents.
func (k DeviceKind) IsCurrentSource() bool { return k == KindDCGenerator || k == KindNoiseGenerator }

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

// DCParams are the parameters of dc_generator.
type DCParams struct {
	Window
	Amplitude float64
}

// Get implements DeviceParams.
func (p *DCParams) Get(d status.Dict) {
	writeFields(d, &p.Window, windowFields)
	d["amplitude"] = p.Amplitude
}

// Set implements DeviceParams.
func (p *DCParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := *p
	if err := q.Window.set(r, g, model); err != nil {
		return err
	}
	if _, err := r.Float("amplitude", &q.Amplitude); err != nil {
		return err
	}
	*p = q
	return nil
}

// Clone implements DeviceParams.
func (p *DCParams) Clone() DeviceParams { c := *p; return &c }

// Docs implements DeviceParams.
func (p *DCParams) Docs() []ParamDoc {
	return append(docFields(&p.Window, windowFields), ParamDoc{Name: "amplitude", Unit: "pA", Default: p.Amplitude, Doc: "Amplitude of the current"})
}

// PoissonParams are the parameters of poisson_generator.
type PoissonParams struct {
	Window
	Rate float64
}

// Get implements DeviceParams.
func (p *PoissonParams) Get(d status.Dict) {
	writeFields(d, &p.Window, windowFields)
	d["rate"] = p.Rate
}

// Set implements DeviceParams.
func (p *PoissonParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := *p
	if err := q.Window.set(r, g, model); err != nil {
		return err
	}
	if _, err := r.Float("rate", &q.Rate); err != nil {
		return err
	}
	if q.Rate < 0 {
		return badProperty(model, "The rate cannot be negative (rate = %g spikes/s).", q.Rate)
	}
	if math.IsNaN(q.Rate) || math.IsInf(q.Rate, 0) {
		return badProperty(model, "The rate must be a finite number of spikes/s, got %g.", q.Rate)
	}
	*p = q
	return nil
}

// Clone implements DeviceParams.
func (p *PoissonParams) Clone() DeviceParams { c := *p; return &c }

// Docs implements DeviceParams.
func (p *PoissonParams) Docs() []ParamDoc {
	return append(docFields(&p.Window, windowFields), ParamDoc{Name: "rate", Unit: "spikes/s", Default: p.Rate, Doc: "Mean firing rate; every target gets an independent train"})
}

// NoiseParams are the parameters of noise_generator.
type NoiseParams struct {
	Window
	Mean, Std, Dt, StdMod, Frequency, Phase float64
}

var noiseFields = []field[NoiseParams]{
	floatField("mean", "pA", "Mean value of the current", func(p *NoiseParams) *float64 { return &p.Mean }),
	floatField("std", "pA", "Standard deviation of the current", func(p *NoiseParams) *float64 { return &p.Std }),
	floatField("dt", "ms", "Interval between changes of the current", func(p *NoiseParams) *float64 { return &p.Dt }),
	floatField("std_mod", "pA", "Modulation amplitude of the standard deviation", func(p *NoiseParams) *float64 { return &p.StdMod }),
	floatField("frequency", "Hz", "Frequency of the modulation", func(p *NoiseParams) *float64 { return &p.Frequency }),
	floatField("phase", "deg", "Phase of the modulation", func(p *NoiseParams) *float64 { return &p.Phase }),
}

// Get implements DeviceParams.
func (p *NoiseParams) Get(d status.Dict) {
	writeFields(d, &p.Window, windowFields)
	writeFields(d, p, noiseFields)
}

// Set implements DeviceParams.
func (p *NoiseParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := *p
	if err := q.Window.set(r, g, model); err != nil {
		return err
	}
	if err := readFields(r, &q, noiseFields); err != nil {
		return err
	}
	switch {
	case q.Std < 0:
		return badProperty(model, "The standard deviation cannot be negative (std = %g).", q.Std)
	case q.StdMod < 0:
		return badProperty(model, "The standard deviation cannot be negative (std_mod = %g).", q.StdMod)
	case q.StdMod > q.Std:
		return badProperty(model, "The modulation apmlitude must be smaller or equal to the baseline amplitude (std_mod %g > std %g).", q.StdMod, q.Std)
	case q.Dt < g.H() || !g.OnGrid(q.Dt):
		return badProperty(model, "dt (%g ms) must be a multiple of the simulation resolution (%g ms).", q.Dt, g.H())
	}
	*p = q
	return nil
}

// Clone implements DeviceParams.
func (p *NoiseParams) Clone() DeviceParams { c := *p; return &c }

// Docs implements DeviceParams.
func (p *NoiseParams) Docs() []ParamDoc {
	return append(docFields(&p.Window, windowFields), docFields(p, noiseFields)...)
}

// SpikeGenParams are the parameters of spike_generator. Times are kept in ms as given (rounded to
// the grid when set) and as stamps in steps.
type SpikeGenParams struct {
	Window
	SpikeTimes          []float64
	SpikeSteps          []int64
	SpikeWeights        []float64
	SpikeMultiplicities []int64
	PreciseTimes        bool
	AllowOffgridTimes   bool
	ShiftNowSpikes      bool
}

// Get implements DeviceParams.
func (p *SpikeGenParams) Get(d status.Dict) {
	writeFields(d, &p.Window, windowFields)
	d["spike_times"] = slices.Clone(p.SpikeTimes)
	d["spike_weights"] = slices.Clone(p.SpikeWeights)
	d["spike_multiplicities"] = slices.Clone(p.SpikeMultiplicities)
	d["precise_times"] = p.PreciseTimes
	d["allow_offgrid_times"] = p.AllowOffgridTimes
	d["shift_now_spikes"] = p.ShiftNowSpikes
}

// Set implements DeviceParams. Spike times must be sorted and positive; on-grid times (within half
// a tic) are rounded to the grid, off-grid times are rounded up to the next step when
// allow_offgrid_times is set and refused otherwise.
func (p *SpikeGenParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := p.cloneValue()
	if err := q.Window.set(r, g, model); err != nil {
		return err
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{{"precise_times", &q.PreciseTimes}, {"allow_offgrid_times", &q.AllowOffgridTimes}, {"shift_now_spikes", &q.ShiftNowSpikes}} {
		if _, err := r.Bool(b.key, b.dst); err != nil {
			return err
		}
	}
	if q.PreciseTimes && q.AllowOffgridTimes {
		return badProperty(model, "Option precise_times cannot be set to true when allow_offgrid_times is set to true.")
	}
	if q.PreciseTimes {
		return status.Errorf(status.NotImplemented, "%s: precise_times (off-grid spiking) is not supported; grid-based neuron models only", model)
	}
	var times []float64
	newTimes, err := r.Floats("spike_times", &times)
	if err != nil {
		return err
	}
	if _, err := r.Floats("spike_weights", &q.SpikeWeights); err != nil {
		return err
	}
	if v, ok := r.Raw("spike_multiplicities"); ok {
		fs, err := status.ToFloats(v)
		if err != nil {
			return status.Errorf(status.TypeMismatch, "%s: spike_multiplicities expects a list of integers", model)
		}
		q.SpikeMultiplicities = make([]int64, len(fs))
		for i, f := range fs {
			if f != math.Trunc(f) || f < 0 {
				return status.Errorf(status.TypeMismatch, "%s: spike_multiplicities expects non-negative integers, got %g", model, f)
			}
			q.SpikeMultiplicities[i] = int64(f)
		}
	}
	if newTimes {
		if err := q.setTimes(times, g, model); err != nil {
			return err
		}
	}
	if n := len(q.SpikeWeights); n != 0 && n != len(q.SpikeTimes) {
		return badProperty(model, "spike_weights must have the same number of elements as spike_times (%d) or none, got %d.", len(q.SpikeTimes), n)
	}
	if n := len(q.SpikeMultiplicities); n != 0 && n != len(q.SpikeTimes) {
		return badProperty(model, "spike_multiplicities must have the same number of elements as spike_times (%d) or none, got %d.", len(q.SpikeTimes), n)
	}
	*p = q
	return nil
}

func (p *SpikeGenParams) setTimes(times []float64, g clock.Grid, model string) error {
	p.SpikeTimes = make([]float64, len(times))
	p.SpikeSteps = make([]int64, len(times))
	for i, t := range times {
		if i > 0 && t < times[i-1] {
			return badProperty(model, "spike times must be sorted in non-descending order (%g after %g).", t, times[i-1])
		}
		if t <= 0 {
			return badProperty(model, "spike time %g ms must be positive (a spike at 0 or before cannot be emitted).", t)
		}
		tics := t * g.TicsPerMs
		steps := tics / float64(g.TicsPerStep)
		nearest := math.Round(steps)
		var s int64
		switch {
		case math.Abs(steps-nearest)*float64(g.TicsPerStep) <= 0.5:
			s = int64(nearest)
		case p.AllowOffgridTimes:
			s = int64(math.Ceil(steps))
		default:
			return badProperty(model, "spike time %g ms is not a multiple of the resolution (%g ms); set allow_offgrid_times to round it up.", t, g.H())
		}
		p.SpikeSteps[i] = s
		p.SpikeTimes[i] = g.Ms(s)
	}
	return nil
}

func (p *SpikeGenParams) cloneValue() SpikeGenParams {
	c := *p
	c.SpikeTimes, c.SpikeSteps = slices.Clone(p.SpikeTimes), slices.Clone(p.SpikeSteps)
	c.SpikeWeights, c.SpikeMultiplicities = slices.Clone(p.SpikeWeights), slices.Clone(p.SpikeMultiplicities)
	return c
}

// Clone implements DeviceParams.
func (p *SpikeGenParams) Clone() DeviceParams { c := p.cloneValue(); return &c }

// Docs implements DeviceParams.
func (p *SpikeGenParams) Docs() []ParamDoc {
	return append(docFields(&p.Window, windowFields),
		ParamDoc{Name: "spike_times", Unit: "ms", Default: []float64{}, Doc: "Spike times, sorted"},
		ParamDoc{Name: "spike_weights", Default: []float64{}, Doc: "Weight of each spike (multiplies the connection weight); empty: 1"},
		ParamDoc{Name: "spike_multiplicities", Default: []int64{}, Doc: "Multiplicity of each spike; empty: 1"},
		ParamDoc{Name: "precise_times", Default: false, Doc: "Keep off-grid times exactly (not supported: grid models only)"},
		ParamDoc{Name: "allow_offgrid_times", Default: false, Doc: "Round off-grid times up to the next step"},
		ParamDoc{Name: "shift_now_spikes", Default: false, Doc: "Shift spikes at the current time to the next step"},
	)
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

// NewDCGenerator returns dc_generator.
func NewDCGenerator() *DeviceModel {
	return &DeviceModel{name: "dc_generator", kind: KindDCGenerator, proto: &DCParams{Window: defaultWindow()},
		doc: "Sends a constant current of amplitude pA while active; the neuron receives weight x amplitude."}
}

// NewPoissonGenerator returns poisson_generator.
func NewPoissonGenerator() *DeviceModel {
	return &DeviceModel{name: "poisson_generator", kind: KindPoissonGenerator, proto: &PoissonParams{Window: defaultWindow()},
		doc: "Sends an independent Poisson spike train of the given rate to each target."}
}

// NewNoiseGenerator returns noise_generator.
func NewNoiseGenerator() *DeviceModel {
	return &DeviceModel{name: "noise_generator", kind: KindNoiseGenerator, proto: &NoiseParams{Window: defaultWindow(), Dt: 1.0},
		doc: "Sends a piecewise constant Gaussian white noise current, drawn independently for each target every dt ms: " +
			"mean + sqrt(std^2 + y*std_mod^2)*N(0,1) with y = sin(2 pi frequency t + phase)."}
}

// NewSpikeGenerator returns spike_generator.
func NewSpikeGenerator() *DeviceModel {
	return &DeviceModel{name: "spike_generator", kind: KindSpikeGenerator, proto: &SpikeGenParams{Window: defaultWindow()},
		doc: "Emits spikes at the given times (stamps on the grid); targets receive them after the connection delay."}
}
