package models

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

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

// NewSpikeGenerator returns spike_generator.
func NewSpikeGenerator() *DeviceModel {
	return &DeviceModel{name: "spike_generator", kind: KindStimulator, proto: &SpikeGenParams{Window: defaultWindow()},
		doc: "Emits spikes at the given times (stamps on the grid); targets receive them after the connection delay."}
}

// Sends implements Stimulator.
func (p *SpikeGenParams) Sends() EventKind { return SpikeEvent }

// NewGenerator implements Stimulator.
func (p *SpikeGenParams) NewGenerator() Generator { return &spikeGenerator{} }

// spikeGenerator emits in step s the spikes whose stamp is s + 1 and lies in (tMin, tMax], each
// with its weight and multiplicity; pos is the next spike not yet passed.
type spikeGenerator struct {
	p          *SpikeGenParams
	origin     int64
	tMin, tMax int64
	pos        int
}

// Prepare also moves past spikes whose stamp lies at or before now (they can no longer be
// emitted).
func (g *spikeGenerator) Prepare(p DeviceParams, grid clock.Grid, now int64) error {
	g.p = p.(*SpikeGenParams)
	g.origin = grid.Steps(g.p.Origin)
	g.tMin, g.tMax = g.p.Window.Steps(grid)
	if g.pos > len(g.p.SpikeSteps) {
		g.pos = 0
	}
	for g.pos < len(g.p.SpikeSteps) && g.origin+g.p.SpikeSteps[g.pos] <= now {
		g.pos++
	}
	return nil
}

func (g *spikeGenerator) Update(s int64, _ *vp.Stream, _ int, out *Emission) {
	p := g.p
	for g.pos < len(p.SpikeSteps) && g.origin+p.SpikeSteps[g.pos] <= s+1 {
		i := g.pos
		g.pos++
		stamp := g.origin + p.SpikeSteps[i]
		if stamp != s+1 || stamp <= g.tMin || stamp > g.tMax {
			continue
		}
		ws, m := 1.0, 1.0
		if len(p.SpikeWeights) > 0 {
			ws = p.SpikeWeights[i]
		}
		if len(p.SpikeMultiplicities) > 0 {
			m = float64(p.SpikeMultiplicities[i])
		}
		out.All = append(out.All, Pulse{Value: ws, Mult: m})
	}
}

func (g *spikeGenerator) WriteState(e *state.Encoder) { e.Int(g.pos) }

func (g *spikeGenerator) ReadState(d *state.Decoder) error {
	pos := d.Int()
	if err := d.Err(); err != nil {
		return err
	}
	g.pos = pos
	return nil
}
