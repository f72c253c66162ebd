package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

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

// NewPoissonGenerator returns poisson_generator.
func NewPoissonGenerator() *DeviceModel {
	return &DeviceModel{name: "poisson_generator", kind: KindStimulator, proto: &PoissonParams{Window: defaultWindow()},
		doc: "Sends an independent Poisson spike train of the given rate to each target."}
}

// Sends implements Stimulator.
func (p *PoissonParams) Sends() EventKind { return SpikeEvent }

// NewGenerator implements Stimulator.
func (p *PoissonParams) NewGenerator() Generator { return &poissonGenerator{} }

// poissonGenerator draws, in every step s with tMin < s <= tMax, an independent Poisson count of
// mean λ = h·rate·10⁻³ for every target.
type poissonGenerator struct {
	p          *PoissonParams
	tMin, tMax int64
	sampler    vp.Poisson
	counts     []float64
}

func (g *poissonGenerator) Prepare(p DeviceParams, grid clock.Grid, now int64) error {
	g.p = p.(*PoissonParams)
	g.tMin, g.tMax = g.p.Window.Steps(grid)
	lambda := grid.H() * g.p.Rate * 1e-3
	if !(lambda >= 0 && lambda <= vp.MaxPoissonMean) {
		return badProperty("poisson_generator", "rate %g spikes/s is too large (mean %g spikes per step, at most %g).", g.p.Rate, lambda, float64(vp.MaxPoissonMean))
	}
	g.sampler = vp.NewPoisson(lambda)
	return nil
}

func (g *poissonGenerator) Update(s int64, rng *vp.Stream, n int, out *Emission) {
	if s <= g.tMin || s > g.tMax || g.p.Rate <= 0 {
		return
	}
	if cap(g.counts) < n {
		g.counts = make([]float64, n)
	}
	g.counts = g.counts[:n]
	g.sampler.Fill(rng, g.counts)
	out.Each = g.counts
}

func (g *poissonGenerator) WriteState(*state.Encoder) {}

func (g *poissonGenerator) ReadState(*state.Decoder) error { return nil }
