package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

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

// NewNoiseGenerator returns noise_generator.
func NewNoiseGenerator() *DeviceModel {
	return &DeviceModel{name: "noise_generator", kind: KindStimulator, proto: &NoiseParams{Window: defaultWindow(), Dt: 1.0},
		doc: "Sends a piecewise constant Gaussian white noise current, drawn independently for each target every dt ms: " +
			"mean + sqrt(std^2 + y*std_mod^2)*N(0,1) with y = sin(2 pi frequency t + phase)."}
}

// Sends implements Stimulator.
func (p *NoiseParams) Sends() EventKind { return CurrentEvent }

// NewGenerator implements Stimulator.
func (p *NoiseParams) NewGenerator() Generator { return &noiseGenerator{} }

// noiseGenerator redraws one amplitude per target every dt,
//
//	I = mean + sqrt(std² + y·std_mod²)·N(0,1),  y = sin(2π·frequency·t + phase),
//
// and sends it while the current acts inside the window (the event of step s acts in s + 2).
type noiseGenerator struct {
	p          *NoiseParams
	grid       clock.Grid
	dt         int64
	tMin, tMax int64
	amps       []float64 // the current amplitude of each target
}

func (g *noiseGenerator) Prepare(p DeviceParams, grid clock.Grid, now int64) error {
	g.p, g.grid = p.(*NoiseParams), grid
	g.dt = grid.Steps(g.p.Dt)
	g.tMin, g.tMax = g.p.Window.Steps(grid)
	return nil
}

func (g *noiseGenerator) Update(s int64, rng *vp.Stream, n int, out *Emission) {
	p := g.p
	if len(g.amps) != n || s%g.dt == 0 {
		if cap(g.amps) < n {
			g.amps = make([]float64, n)
		}
		g.amps = g.amps[:n]
		y := math.Sin(2*math.Pi*p.Frequency*g.grid.Ms(s)/1000 + p.Phase*math.Pi/180)
		sigma := math.Sqrt(math.Max(0, p.Std*p.Std+y*p.StdMod*p.StdMod))
		for i := range g.amps {
			g.amps[i] = p.Mean + sigma*rng.Normal()
		}
	}
	if s+2 > g.tMin && s+2 <= g.tMax {
		out.Each = g.amps
	}
}

func (g *noiseGenerator) WriteState(e *state.Encoder) { e.F64s(g.amps) }

func (g *noiseGenerator) ReadState(d *state.Decoder) error {
	amps := d.F64s()
	if err := d.Err(); err != nil {
		return err
	}
	g.amps = amps
	return nil
}
