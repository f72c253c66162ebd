package models

import (
	"fmt"
	"math"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// izhParams are the parameters of one izhikevich neuron (a, b, d dimensionless as in the published
// model; c, V_th, V_min in mV; I_e in pA with R = 1, so it adds to dv/dt directly).
type izhParams struct {
	VTh, VMin, IE, A, B, C, D float64
	// Consistent selects forward Euler with the old values of v and u (true, NEST's default)
	// instead of the published scheme (two half steps for v, then u from the new v).
	Consistent bool
}

// izhFields is the parameter table of izhikevich, in the order NEST reads the keys
// (izhikevich::Parameters_::set).
var izhFields = []field[izhParams]{
	floatField("V_th", "mV", "Spike threshold", func(p *izhParams) *float64 { return &p.VTh }),
	floatField("V_min", "mV", "Absolute lower value for the membrane potential", func(p *izhParams) *float64 { return &p.VMin }),
	floatField("I_e", "pA", "Constant input current (R=1)", func(p *izhParams) *float64 { return &p.IE }),
	floatField("a", "", "Describes time scale of recovery variable", func(p *izhParams) *float64 { return &p.A }),
	floatField("b", "", "Sensitivity of recovery variable", func(p *izhParams) *float64 { return &p.B }),
	floatField("c", "mV", "After-spike reset value of V_m", func(p *izhParams) *float64 { return &p.C }),
	floatField("d", "mV", "After-spike reset value of U_m", func(p *izhParams) *float64 { return &p.D }),
	boolField("consistent_integration", "Use standard forward Euler integration (true) instead of the published scheme",
		func(p *izhParams) *bool { return &p.Consistent }),
}

// Izhikevich is the model izhikevich: the simple spiking neuron of Izhikevich (2003),
//
//	dv/dt = 0.04·v² + 5·v + 140 − u + I,   du/dt = a·(b·v − u),
//	v ≥ V_th:  v ← c,  u ← u + d,
//
// integrated with NEST's explicit scheme; a spike of weight w makes v jump by w mV. It has no
// refractory period.
type Izhikevich struct {
	name   string
	p      izhParams
	vm, um float64 // initial state (mV)
}

// NewIzhikevich returns the model with NEST's defaults (regular spiking: a 0.02, b 0.2, c −65,
// d 8). The initial U_m is −13 = 0.2·(−65), a fixed value that does not follow b or V_m.
func NewIzhikevich() NeuronModel {
	return &Izhikevich{name: "izhikevich", vm: -65, um: 0.2 * -65, p: izhParams{
		VTh: 30, VMin: -math.MaxFloat64, IE: 0, A: 0.02, B: 0.2, C: -65, D: 8, Consistent: true,
	}}
}

// Name implements NeuronModel.
func (m *Izhikevich) Name() string { return m.name }

// Copy implements NeuronModel.
func (m *Izhikevich) Copy(name string) NeuronModel { c := *m; c.name = name; return &c }

// Defaults implements NeuronModel.
func (m *Izhikevich) Defaults() status.Dict {
	d := status.Dict{"V_m": m.vm, "U_m": m.um}
	writeFields(d, &m.p, izhFields)
	return d
}

// SetDefaults implements NeuronModel.
func (m *Izhikevich) SetDefaults(r *status.Reader) error {
	p, vm, um, err := setIzh(r, m.p, m.vm, m.um)
	if err != nil {
		return err
	}
	m.p, m.vm, m.um = p, vm, um
	return nil
}

// setIzh applies r to copies of the parameters p and the state v, u of one neuron and returns
// them; nothing is applied on error. NEST reads the parameters first, then U_m and V_m, and
// validates nothing: any value of the right type is accepted.
func setIzh(r *status.Reader, p izhParams, v, u float64) (izhParams, float64, float64, error) {
	if err := readFields(r, &p, izhFields); err != nil {
		return p, v, u, err
	}
	if _, err := r.Float("U_m", &u); err != nil {
		return p, v, u, err
	}
	if _, err := r.Float("V_m", &v); err != nil {
		return p, v, u, err
	}
	return p, v, u, nil
}

// Params implements NeuronModel.
func (m *Izhikevich) Params() []ParamDoc {
	return append(docFields(&m.p, izhFields),
		ParamDoc{Name: "U_m", Unit: "mV", Default: m.um, Doc: "Membrane potential recovery variable"},
		ParamDoc{Name: "V_m", Unit: "mV", Default: m.vm, Doc: "Membrane potential"})
}

// Recordables implements NeuronModel.
func (m *Izhikevich) Recordables() []string { return []string{"U_m", "V_m"} }

// Doc implements NeuronModel.
func (m *Izhikevich) Doc() string {
	return "Izhikevich (2003) simple spiking neuron: dv/dt = 0.04 v^2 + 5 v + 140 - u + I, du/dt = a (b v - u); " +
		"when v >= V_th, v is set to c and u is incremented by d. There is no refractory period. " +
		"With consistent_integration true (default) both variables advance by forward Euler from their old values " +
		"and each spike makes v jump by its weight (mV). With consistent_integration false the published " +
		"numerics are used: v advances in two half steps, then u from the new v, and spike weights enter as " +
		"an input current over the step (that scheme is meant for a resolution of 1.0 ms). " +
		"Input currents (pA, R = 1) act from the step after they arrive; V_m is bounded below by V_min."
}

// Channel implements NeuronModel: spikes and currents on receptor 0.
func (m *Izhikevich) Channel(kind EventKind, rport int) (Channel, error) {
	return singlePort(m.name, kind, rport, ChanSpike, ChanI0)
}

// Channels implements NeuronModel.
func (m *Izhikevich) Channels() []Channel { return []Channel{ChanSpike, ChanI0} }

// NewBlock implements NeuronModel.
func (m *Izhikevich) NewBlock() Block { return &izhBlock{model: m.name} }

// izhBlock holds izhikevich neurons of one VP as arrays.
type izhBlock struct {
	model string
	h     float64
	p     []izhParams
	// state: v the membrane potential (mV), u the recovery variable, iIn the input current read in
	// the previous step (pA).
	v, u, iIn []float64
	// ha is h·a per neuron, the factor of the u update.
	ha []float64
}

func (b *izhBlock) Len() int { return len(b.p) }

func (b *izhBlock) Append(m NeuronModel, n int) {
	mm := m.(*Izhikevich)
	for range n {
		b.p = append(b.p, mm.p)
		b.v = append(b.v, mm.vm)
		b.u = append(b.u, mm.um)
		b.iIn = append(b.iIn, 0)
		b.ha = append(b.ha, b.h*mm.p.A)
	}
}

func (b *izhBlock) Get(i int, d status.Dict) {
	writeFields(d, &b.p[i], izhFields)
	d["V_m"], d["U_m"] = b.v[i], b.u[i]
}

func (b *izhBlock) Set(i int, r *status.Reader) error {
	p, v, u, err := setIzh(r, b.p[i], b.v[i], b.u[i])
	if err != nil {
		return err
	}
	b.p[i], b.v[i], b.u[i] = p, v, u
	b.ha[i] = b.h * p.A
	return nil
}

// Prepare records the resolution h and computes h·a for every neuron.
func (b *izhBlock) Prepare(g clock.Grid) {
	b.h = g.H()
	for i := range b.p {
		b.ha[i] = b.h * b.p[i].A
	}
}

// Update advances all neurons by one step in NEST's order (izhikevich::update). With S the sum
// of this step's spike weights, I the current read in the previous step and, evaluated left to
// right, F(v, u) = 0.04·v·v + 5·v + 140 − u + I + I_e:
//
//	consistent_integration:  v ← v + (h·F(v, u) + S),  u ← u + (h·a)·(b·v_old − u)
//	published scheme:        twice v ← v + (h·0.5)·(F(v, u) + S);  then u ← u + (h·a)·(b·v − u)
//
// then v ← V_min if v < V_min, and if v ≥ V_th a spike with v ← c, u ← u + d. The current read in
// this step acts from the next one. Every product is rounded on its own (no fused multiply-add),
// as in NEST's build.
func (b *izhBlock) Update(s *Step) {
	n := len(b.p)
	ex, in, i0 := s.Ex[:n], s.In[:n], s.I0[:n]
	p, v, u, iIn, ha := b.p[:n], b.v[:n], b.u[:n], b.iIn[:n], b.ha[:n]
	h := b.h
	for i := range p {
		q := &p[i]
		vi, ui := v[i], u[i]
		w := ex[i] + in[i]
		if q.Consistent {
			f := izhRHS(vi, ui, iIn[i], q.IE)
			v[i] = vi + (float64(h*f) + w)
			u[i] = ui + float64(ha[i]*(float64(q.B*vi)-ui))
		} else {
			hh := h * 0.5
			vi += float64(hh * (izhRHS(vi, ui, iIn[i], q.IE) + w))
			vi += float64(hh * (izhRHS(vi, ui, iIn[i], q.IE) + w))
			v[i] = vi
			u[i] = ui + float64(ha[i]*(float64(q.B*vi)-ui))
		}
		if v[i] < q.VMin {
			v[i] = q.VMin
		}
		if v[i] >= q.VTh {
			v[i] = q.C
			u[i] += q.D
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		iIn[i] = i0[i]
		ex[i], in[i], i0[i] = 0, 0, 0
	}
}

// izhRHS is 0.04·v·v + 5·v + 140 − u + i + iE, evaluated left to right with every product rounded.
func izhRHS(v, u, i, iE float64) float64 {
	return float64(float64(0.04*v)*v) + float64(5*v) + 140 - u + i + iE
}

func (b *izhBlock) Sample(rec int, i int) float64 {
	if rec == 0 {
		return b.u[i]
	}
	return b.v[i]
}

// WriteState writes the parameters and V_m, U_m and the input current of the previous step.
func (b *izhBlock) WriteState(e *state.Encoder) {
	writeHeader(e, "izhikevich", len(b.p))
	writeParams(e, b.p, izhFields)
	for _, col := range [][]float64{b.v, b.u, b.iIn} {
		e.F64s(col)
	}
}

// ReadState implements Block. Any parameter values are accepted, as by Set.
func (b *izhBlock) ReadState(d *state.Decoder) error {
	n := readHeader(d, "izhikevich")
	p := readParams(d, n, izhFields)
	c := readColumns(d, n, "V_m", "U_m", "I")
	if err := d.Err(); err != nil {
		return fmt.Errorf("reading the state of a %s block: %w", b.model, err)
	}
	b.p, b.v, b.u, b.iIn = p, c[0], c[1], c[2]
	b.ha = make([]float64, n)
	for i := range n {
		b.ha[i] = b.h * p[i].A
	}
	return nil
}

// AppendFrom implements Block: the parameters, V_m, U_m, the input current of the previous step
// and h·a of neuron i of src. An empty block that was never prepared takes the source's
// resolution.
func (b *izhBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	if b.h == 0 && len(b.p) == 0 {
		b.h = s.h
	}
	b.p = append(b.p, s.p[i])
	b.v = append(b.v, s.v[i])
	b.u = append(b.u, s.u[i])
	b.iIn = append(b.iIn, s.iIn[i])
	ha := s.ha[i]
	if b.h != s.h {
		ha = b.h * s.p[i].A
	}
	b.ha = append(b.ha, ha)
}
