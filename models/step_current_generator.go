package models

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// StepCurrentParams are the parameters of step_current_generator: a piecewise constant current
// that takes amplitude_values[i] from amplitude_times[i] on. Times are kept as stamps (steps).
type StepCurrentParams struct {
	Window
	Stamps            []int64
	Values            []float64
	AllowOffgridTimes bool
	grid              clock.Grid // the grid the stamps were made on
}

// NewStepCurrentGenerator returns step_current_generator with NEST's defaults.
func NewStepCurrentGenerator() *DeviceModel {
	return NewDeviceModel("step_current_generator", KindStimulator, &StepCurrentParams{Window: defaultWindow()},
		"Sends a piecewise constant current: amplitude_values[i] pA from amplitude_times[i] ms on (0 before the "+
			"first time), while active. The target sees a change at amplitude_times[i] + delay and multiplies "+
			"the current by the connection weight. Off-grid times are refused unless allow_offgrid_times is set, "+
			"which rounds them up to the end of their step.")
}

// Get implements DeviceParams; amplitude_times are reported as the on-grid stamps in ms.
func (p *StepCurrentParams) Get(d status.Dict) {
	writeFields(d, &p.Window, windowFields)
	d["amplitude_times"] = p.timesMs()
	d["amplitude_values"] = slices.Clone(p.Values)
	d["allow_offgrid_times"] = p.AllowOffgridTimes
}

// timesMs converts the stamps to ms on the grid they were made on.
func (p *StepCurrentParams) timesMs() []float64 {
	out := make([]float64, len(p.Stamps))
	for i, s := range p.Stamps {
		out[i] = p.grid.Ms(s)
	}
	return out
}

// Set implements DeviceParams with NEST's rules (step_current_generator::Parameters_::set).
func (p *StepCurrentParams) Set(r *status.Reader, g clock.Grid, model string) error {
	q := p.cloneValue()
	if err := q.Window.set(r, g, model); err != nil {
		return err
	}
	offgrid := q.AllowOffgridTimes
	if _, err := r.Bool("allow_offgrid_times", &offgrid); err != nil {
		return err
	}
	var times, values []float64
	hasTimes, err := r.Floats("amplitude_times", &times)
	if err != nil {
		return err
	}
	hasValues, err := r.Floats("amplitude_values", &values)
	if err != nil {
		return err
	}
	switch {
	case hasTimes != hasValues:
		return badProperty(model, "Amplitude times and values must be reset together.")
	case offgrid != q.AllowOffgridTimes && len(q.Stamps) > 0 && !hasTimes:
		return badProperty(model, "allow_offgrid_times can only be changed before amplitude_times have been set, or together with amplitude_times and amplitude_values.")
	case len(times) != len(values):
		return badProperty(model, "Amplitude times and values have to be the same size.")
	}
	q.AllowOffgridTimes = offgrid
	if hasTimes {
		stamps, err := stepStamps(times, g, offgrid, model)
		if err != nil {
			return err
		}
		q.Stamps, q.Values, q.grid = stamps, slices.Clone(values), g
	}
	*p = q
	return nil
}

// stepStamps converts amplitude times to strictly increasing stamps: an on-grid time to its step,
// an off-grid one (with allow_offgrid_times) up to the end of the step that contains it.
func stepStamps(times []float64, g clock.Grid, offgrid bool, model string) ([]int64, error) {
	stamps := make([]int64, len(times))
	prev := int64(0)
	for i, t := range times {
		if !(t > 0) || math.IsInf(t, 1) {
			return nil, badProperty(model, "Amplitude can only be changed at strictly positive times (t > 0), got %g ms.", t)
		}
		var s int64
		switch {
		case g.OnGrid(t):
			s = g.Tics(t) / g.TicsPerStep
		case offgrid:
			s = int64(math.Floor(t*g.TicsPerMs)) / g.TicsPerStep
			if g.Ms(s) < t {
				s++
			}
		default:
			return nil, badProperty(model, "Time point %g is not representable in current resolution.", t)
		}
		if s <= prev {
			return nil, badProperty(model, "amplitude times must be at strictly increasing time steps (%g ms).", t)
		}
		stamps[i], prev = s, s
	}
	return stamps, nil
}

func (p *StepCurrentParams) cloneValue() StepCurrentParams {
	c := *p
	c.Stamps, c.Values = slices.Clone(p.Stamps), slices.Clone(p.Values)
	return c
}

// Clone implements DeviceParams.
func (p *StepCurrentParams) Clone() DeviceParams { c := p.cloneValue(); return &c }

// Docs implements DeviceParams.
func (p *StepCurrentParams) Docs() []ParamDoc {
	return append(docFields(&p.Window, windowFields),
		ParamDoc{Name: "amplitude_times", Unit: "ms", Default: []float64{}, Doc: "Times at which the current changes, strictly increasing"},
		ParamDoc{Name: "amplitude_values", Unit: "pA", Default: []float64{}, Doc: "Amplitude from each time on"},
		ParamDoc{Name: "allow_offgrid_times", Default: false, Doc: "Round off-grid times up to the end of their step"},
	)
}

// Sends implements Stimulator.
func (p *StepCurrentParams) Sends() EventKind { return CurrentEvent }

// NewGenerator implements Stimulator.
func (p *StepCurrentParams) NewGenerator() Generator { return &stepCurrentGenerator{} }

// stepCurrentGenerator takes value i in step stamp_i − 1 (at most one change per step, whether
// active or not; stamps at or before the current step are skipped and never applied) and sends the
// current amplitude while t_min < s + 2 <= t_max.
type stepCurrentGenerator struct {
	p          *StepCurrentParams
	tMin, tMax int64
	idx        int
	amp        float64
}

func (g *stepCurrentGenerator) Prepare(p DeviceParams, grid clock.Grid, now int64) error {
	np := p.(*StepCurrentParams)
	if g.p == nil || !slices.Equal(g.p.Stamps, np.Stamps) || !slices.Equal(g.p.Values, np.Values) {
		g.idx = 0 // new times or values restart the list
	}
	g.p = np
	g.tMin, g.tMax = np.Window.Steps(grid)
	return nil
}

func (g *stepCurrentGenerator) Update(s int64, _ *vp.Stream, _ int, out *Emission) {
	st := g.p.Stamps
	for g.idx < len(st) && st[g.idx] <= s {
		g.idx++
	}
	if g.idx < len(st) && st[g.idx] == s+1 {
		g.amp = g.p.Values[g.idx]
		g.idx++
	}
	if s+2 > g.tMin && s+2 <= g.tMax {
		out.All = append(out.All, Pulse{Value: g.amp, Mult: 1})
	}
}

func (g *stepCurrentGenerator) WriteState(e *state.Encoder) {
	e.Int(g.idx)
	e.F64(g.amp)
}

func (g *stepCurrentGenerator) ReadState(d *state.Decoder) error {
	idx, amp := d.Int(), d.F64()
	if err := d.Err(); err != nil {
		return err
	}
	g.idx, g.amp = idx, amp
	return nil
}
