package models

import (
	"fmt"
	"math"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// alphaParams are the parameters of one iaf_psc_alpha neuron, in absolute units (mV, pF, ms, pA).
type alphaParams struct {
	EL, Cm, TauM, TRef, VTh, VReset, TauSynEx, TauSynIn, IE, VMin float64
}

var alphaFields = []field[alphaParams]{
	floatField("E_L", "mV", "Resting membrane potential", func(p *alphaParams) *float64 { return &p.EL }),
	floatField("C_m", "pF", "Capacitance of the membrane", func(p *alphaParams) *float64 { return &p.Cm }),
	floatField("tau_m", "ms", "Membrane time constant", func(p *alphaParams) *float64 { return &p.TauM }),
	floatField("t_ref", "ms", "Duration of refractory period", func(p *alphaParams) *float64 { return &p.TRef }),
	floatField("V_th", "mV", "Spike threshold", func(p *alphaParams) *float64 { return &p.VTh }),
	floatField("V_reset", "mV", "Reset potential of the membrane", func(p *alphaParams) *float64 { return &p.VReset }),
	floatField("tau_syn_ex", "ms", "Rise time of the excitatory synaptic alpha function", func(p *alphaParams) *float64 { return &p.TauSynEx }),
	floatField("tau_syn_in", "ms", "Rise time of the inhibitory synaptic alpha function", func(p *alphaParams) *float64 { return &p.TauSynIn }),
	floatField("I_e", "pA", "Constant input current", func(p *alphaParams) *float64 { return &p.IE }),
	floatField("V_min", "mV", "Absolute lower value for the membrane potential", func(p *alphaParams) *float64 { return &p.VMin }),
}

func (p *alphaParams) validate(model string) error {
	switch {
	case p.VReset >= p.VTh:
		return badProperty(model, "Reset potential must be smaller than threshold (V_reset %g >= V_th %g).", p.VReset, p.VTh)
	case p.Cm <= 0:
		return badProperty(model, "Capacitance must be > 0 (C_m = %g).", p.Cm)
	case p.TauM <= 0 || p.TauSynEx <= 0 || p.TauSynIn <= 0:
		return badProperty(model, "All time constants must be strictly positive (tau_m %g, tau_syn_ex %g, tau_syn_in %g).", p.TauM, p.TauSynEx, p.TauSynIn)
	case p.TRef < 0:
		return badProperty(model, "Refractory time must not be negative (t_ref = %g).", p.TRef)
	}
	return nil
}

// readShiftingEL reads the fields of r into p; if E_L changes and V_th, V_reset or V_min are not
// given, they keep their absolute values (NEST stores them relative to E_L and shifts them).
// It returns the change of E_L, by which the relative membrane potential must be shifted.
func readShiftingEL[P any](r *status.Reader, p *P, fs []field[P]) (dEL float64, err error) {
	old := *p
	if err := readFields(r, p, fs); err != nil {
		return 0, err
	}
	el := func(q *P) float64 { return *fs[0].f(q) }
	return el(p) - el(&old), nil
}

// IafPscAlpha is the model iaf_psc_alpha: a leaky integrate-and-fire neuron with alpha-shaped
// postsynaptic currents, integrated exactly (Rotter & Diesmann 1999).
type IafPscAlpha struct {
	name string
	p    alphaParams
	vm   float64 // initial membrane potential (mV)
}

// NewIafPscAlpha returns the model with NEST's defaults.
func NewIafPscAlpha() NeuronModel {
	return &IafPscAlpha{name: "iaf_psc_alpha", vm: -70, p: alphaParams{
		EL: -70, Cm: 250, TauM: 10, TRef: 2, VTh: -55, VReset: -70, TauSynEx: 2, TauSynIn: 2, IE: 0,
		VMin: math.Inf(-1),
	}}
}

// Name implements NeuronModel.
func (m *IafPscAlpha) Name() string { return m.name }

// Copy implements NeuronModel.
func (m *IafPscAlpha) Copy(name string) NeuronModel { c := *m; c.name = name; return &c }

// Defaults implements NeuronModel.
func (m *IafPscAlpha) Defaults() status.Dict {
	d := status.Dict{"V_m": m.vm}
	writeFields(d, &m.p, alphaFields)
	return d
}

// SetDefaults implements NeuronModel.
func (m *IafPscAlpha) SetDefaults(r *status.Reader) error {
	p, vm := m.p, m.vm
	if _, err := readShiftingEL(r, &p, alphaFields); err != nil {
		return err
	}
	if _, err := r.Float("V_m", &vm); err != nil {
		return err
	}
	if err := p.validate(m.name); err != nil {
		return err
	}
	m.p, m.vm = p, vm
	return nil
}

// Params implements NeuronModel.
func (m *IafPscAlpha) Params() []ParamDoc {
	return append(docFields(&m.p, alphaFields), ParamDoc{Name: "V_m", Unit: "mV", Default: m.vm, Doc: "Membrane potential"})
}

// Recordables implements NeuronModel.
func (m *IafPscAlpha) Recordables() []string { return []string{"I_syn_ex", "I_syn_in", "V_m"} }

// Doc implements NeuronModel.
func (m *IafPscAlpha) Doc() string {
	return "Leaky integrate-and-fire neuron model with alpha-shaped input currents, integrated exactly. " +
		"Spikes with positive weight go to the excitatory synapse, the others to the inhibitory one; " +
		"a weight of w pA gives a current peaking at w pA after tau_syn."
}

// Channel implements NeuronModel.
func (m *IafPscAlpha) Channel(kind EventKind, rport int) (Channel, error) {
	return singlePort(m.name, kind, rport, ChanSpike, ChanI0)
}

// Channels implements NeuronModel.
func (m *IafPscAlpha) Channels() []Channel { return []Channel{ChanSpike, ChanI0} }

// NewBlock implements NeuronModel.
func (m *IafPscAlpha) NewBlock() Block { return &alphaBlock{model: m.name} }

// singlePort resolves receptor 0 for spikes and currents, the only port of the simple iaf models.
func singlePort(model string, kind EventKind, rport int, spike, current Channel) (Channel, error) {
	if rport != 0 {
		return 0, status.Errorf(status.UnknownReceptorType, "%s: receptor type %d does not accept %s events; the only receptor type is 0",
			model, rport, kindName(kind))
	}
	if kind == SpikeEvent {
		return spike, nil
	}
	return current, nil
}

func kindName(k EventKind) string {
	if k == SpikeEvent {
		return "spike"
	}
	return "current"
}

// alphaBlock holds iaf_psc_alpha neurons of one VP as arrays. Membrane potentials are stored
// relative to E_L (y3 = V_m − E_L), as in NEST.
type alphaBlock struct {
	model string
	h     float64
	grid  clock.Grid
	p     []alphaParams
	// state
	y0, y3, iEx, dIEx, iIn, dIIn []float64
	r                            []int64
	// derived, per neuron (see derive)
	pr []alphaProp
}

// alphaProp holds the propagators and relative thresholds of one neuron for resolution h.
type alphaProp struct {
	p11Ex, p21Ex, p22Ex, p31Ex, p32Ex float64
	p11In, p21In, p22In, p31In, p32In float64
	p30, expm1TauM                    float64
	epscInit, ipscInit                float64
	theta, vReset, vMin, iE           float64 // relative to E_L
	refr                              int64
}

func (b *alphaBlock) Len() int { return len(b.p) }

func (b *alphaBlock) Append(m NeuronModel, n int) {
	mm := m.(*IafPscAlpha)
	for range n {
		b.p = append(b.p, mm.p)
		b.y0 = append(b.y0, 0)
		b.y3 = append(b.y3, mm.vm-mm.p.EL)
		b.iEx = append(b.iEx, 0)
		b.dIEx = append(b.dIEx, 0)
		b.iIn = append(b.iIn, 0)
		b.dIIn = append(b.dIIn, 0)
		b.r = append(b.r, 0)
		b.pr = append(b.pr, alphaProp{})
		if b.h > 0 {
			b.derive(len(b.p) - 1)
		}
	}
}

func (b *alphaBlock) Get(i int, d status.Dict) {
	writeFields(d, &b.p[i], alphaFields)
	d["V_m"] = b.y3[i] + b.p[i].EL
}

func (b *alphaBlock) Set(i int, r *status.Reader) error {
	p, y3, err := setWithVm(r, b.p[i], b.y3[i], alphaFields, func(p *alphaParams) error { return p.validate(b.model) })
	if err != nil {
		return err
	}
	b.p[i], b.y3[i] = p, y3
	if b.h > 0 {
		b.derive(i)
	}
	return nil
}

func (b *alphaBlock) Prepare(g clock.Grid) {
	b.h, b.grid = g.H(), g
	for i := range b.p {
		b.derive(i)
	}
}

// derive computes the propagators of neuron i for resolution h:
//
//	P11 = P22 = e^{−h/τs},  P21 = h·P11,  P33 = e^{−h/τm},  P30 = −τm/C·expm1(−h/τm),
//	P31, P32 from iafPropagator, and the PSC normalisation e/τs (a weight of w pA peaks at w pA).
func (b *alphaBlock) derive(i int) {
	p, h := &b.p[i], b.h
	pr := &b.pr[i]
	pr.p11Ex = math.Exp(-h / p.TauSynEx)
	pr.p22Ex = pr.p11Ex
	pr.p21Ex = h * pr.p11Ex
	pr.p11In = math.Exp(-h / p.TauSynIn)
	pr.p22In = pr.p11In
	pr.p21In = h * pr.p11In
	pr.expm1TauM = math.Expm1(-h / p.TauM)
	pr.p30 = -p.TauM / p.Cm * math.Expm1(-h/p.TauM)
	pr.p31Ex, pr.p32Ex = iafPropagator(p.TauSynEx, p.TauM, p.Cm, h)
	pr.p31In, pr.p32In = iafPropagator(p.TauSynIn, p.TauM, p.Cm, h)
	pr.epscInit = math.E / p.TauSynEx
	pr.ipscInit = math.E / p.TauSynIn
	pr.theta = p.VTh - p.EL
	pr.vReset = p.VReset - p.EL
	pr.vMin = p.VMin - p.EL
	pr.iE = p.IE
	pr.refr = b.grid.Steps(p.TRef)
}

// Update advances all neurons by one step in NEST's order: membrane (unless refractory), then the
// synaptic currents and this step's input, then the threshold; the external current read in this
// step acts from the next one.
func (b *alphaBlock) Update(s *Step) {
	n := len(b.p)
	ex, in, i0 := s.Ex[:n], s.In[:n], s.I0[:n]
	// Resliced to n so that the compiler drops the bounds checks in the loop.
	y0, y3, iEx, dIEx, iIn, dIIn, r, pr := b.y0[:n], b.y3[:n], b.iEx[:n], b.dIEx[:n], b.iIn[:n], b.dIIn[:n], b.r[:n], b.pr[:n]
	for i := range n {
		q := &pr[i]
		if r[i] == 0 {
			v := q.p30*(y0[i]+q.iE) + q.p31Ex*dIEx[i] + q.p32Ex*iEx[i] + q.p31In*dIIn[i] + q.p32In*iIn[i] +
				q.expm1TauM*y3[i] + y3[i]
			if v < q.vMin {
				v = q.vMin
			}
			y3[i] = v
		} else {
			r[i]--
		}
		iEx[i] = q.p21Ex*dIEx[i] + q.p22Ex*iEx[i]
		dIEx[i] = dIEx[i]*q.p11Ex + q.epscInit*ex[i]
		iIn[i] = q.p21In*dIIn[i] + q.p22In*iIn[i]
		dIIn[i] = dIIn[i]*q.p11In + q.ipscInit*in[i]
		if y3[i] >= q.theta {
			r[i] = q.refr
			y3[i] = q.vReset
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		y0[i] = i0[i]
		ex[i], in[i], i0[i] = 0, 0, 0
	}
}

func (b *alphaBlock) Sample(rec int, i int) float64 {
	switch rec {
	case 0:
		return b.iEx[i]
	case 1:
		return b.iIn[i]
	default:
		return b.y3[i] + b.p[i].EL
	}
}

// ---------------------------------------------------------------------------------------------
// State hooks. A block's state is, in order: a header (the block type's name and the neuron
// count), one column per parameter (float64 or bool, in the order of the model's field table),
// then one column per state variable. Propagators are not written: Prepare and ReadState derive
// them from the parameters.

// writeHeader writes the block type's name and the neuron count.
func writeHeader(e *state.Encoder, kind string, n int) {
	e.String(kind)
	e.Int(n)
}

// readHeader reads a header and checks the block type; it returns the neuron count, which must lie
// in [0, MaxInt32] (spikes name neurons by an int32 index).
func readHeader(d *state.Decoder, kind string) int {
	if got := d.String(); d.Err() == nil && got != kind {
		d.Fail("state of a %q block, expected %q", got, kind)
	}
	n := d.Int()
	if d.Err() == nil && (n < 0 || n > math.MaxInt32) {
		d.Fail("neuron count %d out of range", n)
	}
	return n
}

// writeParams writes one column per field of fs over the parameters ps.
func writeParams[P any](e *state.Encoder, ps []P, fs []field[P]) {
	for _, fd := range fs {
		if fd.f != nil {
			e.Int(len(ps)) // the layout of Encoder.F64s
			for i := range ps {
				e.F64(*fd.f(&ps[i]))
			}
			continue
		}
		col := make([]bool, len(ps))
		for i := range ps {
			col[i] = *fd.b(&ps[i])
		}
		e.Bools(col)
	}
}

// readParams reads what writeParams wrote for n neurons; nil on error. Every column must have n
// elements, so n is bounded by the input before anything of size n is allocated.
func readParams[P any](d *state.Decoder, n int, fs []field[P]) []P {
	var ps []P
	for _, fd := range fs {
		var fc []float64
		var bc []bool
		got := 0
		if fd.f != nil {
			fc = d.F64s()
			got = len(fc)
		} else {
			bc = d.Bools()
			got = len(bc)
		}
		d.LenIs(fd.name, got, n)
		if d.Err() != nil {
			return nil
		}
		if ps == nil {
			ps = make([]P, n)
		}
		for i := range ps {
			if fd.f != nil {
				*fd.f(&ps[i]) = fc[i]
			} else {
				*fd.b(&ps[i]) = bc[i]
			}
		}
	}
	if ps == nil && d.Err() == nil {
		ps = make([]P, n) // a model without parameters
	}
	return ps
}

// checkParams fails d unless every neuron's parameters pass validate (what Set would accept).
func checkParams[P any](d *state.Decoder, ps []P, validate func(*P) error) {
	for i := range ps {
		if d.Err() != nil {
			return
		}
		if err := validate(&ps[i]); err != nil {
			d.Fail("neuron %d: %v", i, err)
		}
	}
}

// readColumns reads one float64 column of n elements per name.
func readColumns(d *state.Decoder, n int, names ...string) [][]float64 {
	cols := make([][]float64, len(names))
	for k, name := range names {
		cols[k] = d.F64s()
		d.LenIs(name, len(cols[k]), n)
	}
	return cols
}

// readCounts reads a column of n non-negative step counts (refractory steps left).
func readCounts(d *state.Decoder, n int, name string) []int64 {
	r := d.I64s()
	d.LenIs(name, len(r), n)
	for i, x := range r {
		if x < 0 && d.Err() == nil {
			d.Fail("%s of neuron %d is %d", name, i, x)
		}
	}
	return r
}

// WriteState writes the parameters and y0 (the current of the previous step), y3 (V_m − E_L),
// the synaptic currents I_syn_ex, I_syn_in with their derivatives, and the refractory steps left.
func (b *alphaBlock) WriteState(e *state.Encoder) {
	writeHeader(e, "iaf_psc_alpha", len(b.p))
	writeParams(e, b.p, alphaFields)
	for _, col := range [][]float64{b.y0, b.y3, b.iEx, b.dIEx, b.iIn, b.dIIn} {
		e.F64s(col)
	}
	e.I64s(b.r)
}

// ReadState implements Block.
func (b *alphaBlock) ReadState(d *state.Decoder) error {
	n := readHeader(d, "iaf_psc_alpha")
	p := readParams(d, n, alphaFields)
	c := readColumns(d, n, "y0", "y3", "I_syn_ex", "dI_syn_ex", "I_syn_in", "dI_syn_in")
	r := readCounts(d, n, "refractory steps")
	checkParams(d, p, func(p *alphaParams) error { return p.validate(b.model) })
	if err := d.Err(); err != nil {
		return fmt.Errorf("reading the state of a %s block: %w", b.model, err)
	}
	b.p, b.r = p, r
	b.y0, b.y3, b.iEx, b.dIEx, b.iIn, b.dIIn = c[0], c[1], c[2], c[3], c[4], c[5]
	b.pr = make([]alphaProp, n)
	if b.h > 0 {
		for i := range n {
			b.derive(i)
		}
	}
	return nil
}

// AppendFrom implements Block: the parameters, y0, y3, the synaptic currents and their
// derivatives, the refractory steps left and the propagators of neuron i of src.
func (b *alphaBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	same := adoptGrid(&b.h, &b.grid, len(b.p), s.h, s.grid)
	b.p = append(b.p, s.p[i])
	b.y0 = append(b.y0, s.y0[i])
	b.y3 = append(b.y3, s.y3[i])
	b.iEx = append(b.iEx, s.iEx[i])
	b.dIEx = append(b.dIEx, s.dIEx[i])
	b.iIn = append(b.iIn, s.iIn[i])
	b.dIIn = append(b.dIIn, s.dIIn[i])
	b.r = append(b.r, s.r[i])
	b.pr = append(b.pr, s.pr[i])
	if !same && b.h > 0 {
		b.derive(len(b.p) - 1)
	}
}
