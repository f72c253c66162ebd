package models

import (
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

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

// NewDCGenerator returns dc_generator.
func NewDCGenerator() *DeviceModel {
	return &DeviceModel{name: "dc_generator", kind: KindStimulator, proto: &DCParams{Window: defaultWindow()},
		doc: "Sends a constant current of amplitude pA while active; the neuron receives weight x amplitude."}
}

// Sends implements Stimulator.
func (p *DCParams) Sends() EventKind { return CurrentEvent }

// NewGenerator implements Stimulator.
func (p *DCParams) NewGenerator() Generator { return &dcGenerator{} }

// dcGenerator sends the amplitude in every step whose current acts inside the window: the event
// of step s reaches the membrane in step s + 2 (NEST's current generators).
type dcGenerator struct {
	p          *DCParams
	tMin, tMax int64
}

func (g *dcGenerator) Prepare(p DeviceParams, grid clock.Grid, now int64) error {
	g.p = p.(*DCParams)
	g.tMin, g.tMax = g.p.Window.Steps(grid)
	return nil
}

func (g *dcGenerator) Update(s int64, _ *vp.Stream, _ int, out *Emission) {
	if s+2 > g.tMin && s+2 <= g.tMax {
		out.All = append(out.All, Pulse{Value: g.p.Amplitude, Mult: 1})
	}
}

func (g *dcGenerator) WriteState(*state.Encoder) {}

func (g *dcGenerator) ReadState(*state.Decoder) error { return nil }
