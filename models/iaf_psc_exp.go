package models

import (
	"fmt"
	"math"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// expParams are the parameters of one iaf_psc_exp neuron, in absolute units (mV, pF, ms, pA; rho
// in 1/s). iaf_psc_exp has no V_min.
type expParams struct {
	EL, Cm, TauM, TRef, VTh, VReset, TauSynEx, TauSynIn, IE float64
	// Rho and Delta define the escape noise: with Delta > 0 the neuron fires with hazard
	// rho·exp((V_m − V_th)/delta) instead of at a hard threshold.
	Rho, Delta float64
}

// expFields is the parameter table of iaf_psc_exp. E_L must stay first (readShiftingEL).
var expFields = []field[expParams]{
	floatField("E_L", "mV", "Resting membrane potential", func(p *expParams) *float64 { return &p.EL }),
	floatField("C_m", "pF", "Capacitance of the membrane", func(p *expParams) *float64 { return &p.Cm }),
	floatField("tau_m", "ms", "Membrane time constant", func(p *expParams) *float64 { return &p.TauM }),
	floatField("t_ref", "ms", "Duration of refractory period", func(p *expParams) *float64 { return &p.TRef }),
	floatField("V_th", "mV", "Spike threshold", func(p *expParams) *float64 { return &p.VTh }),
	floatField("V_reset", "mV", "Reset potential of the membrane", func(p *expParams) *float64 { return &p.VReset }),
	floatField("tau_syn_ex", "ms", "Exponential decay time constant of the excitatory synaptic current", func(p *expParams) *float64 { return &p.TauSynEx }),
	floatField("tau_syn_in", "ms", "Exponential decay time constant of the inhibitory synaptic current", func(p *expParams) *float64 { return &p.TauSynIn }),
	floatField("I_e", "pA", "Constant input current", func(p *expParams) *float64 { return &p.IE }),
	floatField("rho", "1/s", "Stochastic firing intensity at threshold (escape noise)", func(p *expParams) *float64 { return &p.Rho }),
	floatField("delta", "mV", "Width of the threshold region (escape noise); 0 gives a hard threshold", func(p *expParams) *float64 { return &p.Delta }),
}

// validate checks p in NEST's order (iaf_psc_exp::Parameters_::set).
func (p *expParams) validate(model string) error {
	switch {
	case p.VReset >= p.VTh:
		return badProperty(model, "Reset potential must be smaller than threshold (V_reset %g >= V_th %g).", p.VReset, p.VTh)
	case p.Cm <= 0:
		return badProperty(model, "Capacitance must be strictly positive (C_m = %g).", p.Cm)
	case p.TauM <= 0 || p.TauSynEx <= 0 || p.TauSynIn <= 0:
		return badProperty(model, "Membrane and synapse time constants must be strictly positive (tau_m %g, tau_syn_ex %g, tau_syn_in %g).",
			p.TauM, p.TauSynEx, p.TauSynIn)
	case p.TRef < 0:
		return badProperty(model, "Refractory time must not be negative (t_ref = %g).", p.TRef)
	case p.Rho < 0:
		return badProperty(model, "Stochastic firing intensity must not be negative (rho = %g).", p.Rho)
	case p.Delta < 0:
		return badProperty(model, "Width of threshold region must not be negative (delta = %g).", p.Delta)
	}
	return nil
}

// IafPscExp is the model iaf_psc_exp: a leaky integrate-and-fire neuron with exponentially decaying
// postsynaptic currents, integrated exactly (Rotter & Diesmann 1999), with optional escape noise.
type IafPscExp struct {
	name string
	p    expParams
	vm   float64 // initial membrane potential (mV)
}

// NewIafPscExp returns the model with NEST's defaults.
func NewIafPscExp() NeuronModel {
	return &IafPscExp{name: "iaf_psc_exp", vm: -70, p: expParams{
		EL: -70, Cm: 250, TauM: 10, TRef: 2, VTh: -55, VReset: -70, TauSynEx: 2, TauSynIn: 2, IE: 0,
		Rho: 0.01, Delta: 0,
	}}
}

// Name implements NeuronModel.
func (m *IafPscExp) Name() string { return m.name }

// Copy implements NeuronModel.
func (m *IafPscExp) Copy(name string) NeuronModel { c := *m; c.name = name; return &c }

// Defaults implements NeuronModel.
func (m *IafPscExp) Defaults() status.Dict {
	d := status.Dict{"V_m": m.vm}
	writeFields(d, &m.p, expFields)
	return d
}

// SetDefaults implements NeuronModel.
func (m *IafPscExp) SetDefaults(r *status.Reader) error {
	p, vm := m.p, m.vm
	if _, err := readShiftingEL(r, &p, expFields); err != nil {
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
func (m *IafPscExp) Params() []ParamDoc {
	return append(docFields(&m.p, expFields), ParamDoc{Name: "V_m", Unit: "mV", Default: m.vm, Doc: "Membrane potential"})
}

// Recordables implements NeuronModel.
func (m *IafPscExp) Recordables() []string { return []string{"I_syn_ex", "I_syn_in", "V_m"} }

// Doc implements NeuronModel.
func (m *IafPscExp) Doc() string {
	return "Leaky integrate-and-fire neuron model with exponentially decaying input currents, integrated exactly. " +
		"Spikes with positive weight go to the excitatory synapse, the others to the inhibitory one; a weight of " +
		"w pA makes the synaptic current jump by w pA. Current receptor 0 adds a step current to the membrane, " +
		"current receptor 1 is filtered through the excitatory synapse. With delta > 0 the hard threshold is " +
		"replaced by escape noise: the neuron fires in a step of length h with probability " +
		"rho·exp((V_m − V_th)/delta)·h."
}

// Channel implements NeuronModel: spikes on receptor 0; currents on receptor 0 (into the membrane)
// and 1 (through the excitatory synapse).
func (m *IafPscExp) Channel(kind EventKind, rport int) (Channel, error) {
	if kind == SpikeEvent {
		if rport != 0 {
			return 0, status.Errorf(status.UnknownReceptorType,
				"%s: receptor type %d does not accept spike events; the only spike receptor type is 0", m.name, rport)
		}
		return ChanSpike, nil
	}
	switch rport {
	case 0:
		return ChanI0, nil
	case 1:
		return ChanI1, nil
	}
	return 0, status.Errorf(status.UnknownReceptorType,
		"%s: receptor type %d does not accept current events; current receptor types are 0 (into the membrane) "+
			"and 1 (filtered through the excitatory synapse)", m.name, rport)
}

// Channels implements NeuronModel.
func (m *IafPscExp) Channels() []Channel { return []Channel{ChanSpike, ChanI0, ChanI1} }

// NewBlock implements NeuronModel.
func (m *IafPscExp) NewBlock() Block { return &expBlock{model: m.name} }

// expBlock holds iaf_psc_exp neurons of one VP as arrays. Membrane potentials are stored relative
// to E_L (v = V_m − E_L), as in NEST.
type expBlock struct {
	model string
	h     float64
	grid  clock.Grid
	p     []expParams
	// state: i0, i1 the currents read in the previous step (pA), iEx, iIn the synaptic currents
	// (pA), v the relative membrane potential (mV), r the refractory steps left.
	i0, i1, iEx, iIn, v []float64
	r                   []int64
	// derived, per neuron (see derive)
	pr []expProp
	// pop: whether the neurons share one parameter set (Update then reads pr[0] only) and
	// whether i0 and i1 are known to be zero (while the current channels are idle, Update then
	// neither reads nor writes them)
	pop popState
}

// expProp holds the propagators and relative thresholds of one neuron for resolution h.
type expProp struct {
	p11Ex, p11In, p22, p21Ex, p21In, p20 float64
	oneMinusP11Ex                        float64 // 1 − P11ex, the I1 filter gain
	theta, vReset, iE                    float64 // relative to E_L (iE in pA)
	rho, delta, invDelta                 float64
	refr                                 int64
}

func (b *expBlock) Len() int { return len(b.p) }

func (b *expBlock) Append(m NeuronModel, n int) {
	mm := m.(*IafPscExp)
	for range n {
		b.p = append(b.p, mm.p)
		b.i0 = append(b.i0, 0)
		b.i1 = append(b.i1, 0)
		b.iEx = append(b.iEx, 0)
		b.iIn = append(b.iIn, 0)
		b.v = append(b.v, mm.vm-mm.p.EL)
		b.r = append(b.r, 0)
		b.pr = append(b.pr, expProp{})
		if b.h > 0 {
			b.derive(len(b.p) - 1)
		}
	}
}

func (b *expBlock) Get(i int, d status.Dict) {
	writeFields(d, &b.p[i], expFields)
	d["V_m"] = b.v[i] + b.p[i].EL
}

func (b *expBlock) Set(i int, r *status.Reader) error {
	p, v, err := setWithVm(r, b.p[i], b.v[i], expFields, func(p *expParams) error { return p.validate(b.model) })
	if err != nil {
		return err
	}
	b.p[i], b.v[i] = p, v
	if b.h > 0 {
		b.derive(i)
	}
	return nil
}

func (b *expBlock) Prepare(g clock.Grid) {
	b.h, b.grid = g.H(), g
	for i := range b.p {
		b.derive(i)
	}
}

// derive computes the propagators of neuron i for resolution h:
//
//	P11ex = e^{−h/τs_ex},  P11in = e^{−h/τs_in},  P22 = e^{−h/τm},  P20 = τm/C·(1 − P22),
//	P21ex, P21in = the P32 of iafPropagator (IAFPropagatorExp): β/C·(e^{−h/τm} − e^{−h/τs}),
//	  β = τs·τm/(τm − τs), with the singular limit (h/C)·e^{−h/τm} when τs ≈ τm,
//
// the thresholds relative to E_L and the refractory step count (t_ref in tics, rounded up to steps).
func (b *expBlock) derive(i int) {
	b.pop.sharedKnown = false
	p, h := &b.p[i], b.h
	pr := &b.pr[i]
	pr.p11Ex = math.Exp(-h / p.TauSynEx)
	pr.p11In = math.Exp(-h / p.TauSynIn)
	pr.p22 = math.Exp(-h / p.TauM)
	_, pr.p21Ex = iafPropagator(p.TauSynEx, p.TauM, p.Cm, h)
	_, pr.p21In = iafPropagator(p.TauSynIn, p.TauM, p.Cm, h)
	pr.p20 = p.TauM / p.Cm * (1 - pr.p22)
	pr.oneMinusP11Ex = 1 - pr.p11Ex
	pr.theta = p.VTh - p.EL
	pr.vReset = p.VReset - p.EL
	pr.iE = p.IE
	pr.rho = p.Rho
	pr.delta = p.Delta
	pr.invDelta = 1 / p.Delta
	pr.refr = b.grid.Steps(p.TRef)
}

// Update advances all neurons by one step in NEST's order:
//
//	V ← V·P22 + i_ex·P21ex + i_in·P21in + (I_e + i_0)·P20   unless refractory (then r ← r − 1)
//	i_ex ← i_ex·P11ex + (1 − P11ex)·i_1 + Σ positive weights;  i_in ← i_in·P11in + Σ other weights
//
// then the threshold: with delta < 1e−10 a hard one, V ≥ V_th − E_L; with delta > 1e−10 escape
// noise, a spike if U < rho·e^{(V − V_th)/delta}·h·1e−3 with U uniform on [0, 1) drawn from the
// VP's stream s.RNG, one draw per neuron and step, refractory or not (as NEST: with delta exactly
// 1e−10 neither test applies and the neuron never fires). The currents i_0, i_1 read in this step
// act from the next one.
func (b *expBlock) Update(s *Step) {
	shared, idle := stepPop(&b.pop, b.pr, s)
	n := len(b.p)
	ex, in, c0, c1 := s.Ex[:n], s.In[:n], s.I0[:n], s.I1[:n]
	i0, i1, iEx, iIn, v, r, pr := b.i0[:n], b.i1[:n], b.iEx[:n], b.iIn[:n], b.v[:n], b.r[:n], b.pr[:n]
	// Neurons that share one record all read pr[0] (stride 0): one cache line instead of a
	// record per neuron streamed through the cache.
	stride := 1
	if shared {
		stride = 0
	}
	h := b.h
	// Without current inputs, i0 and i1 are zero after one step: the loop then computes with
	// zeros (the same arithmetic) and streams four arrays fewer.
	if idle && shared && pr[0].delta < 1e-10 {
		b.updateOnePopulation(s)
		return
	}
	for i := range ex {
		q := &pr[i*stride]
		var cur0, cur1 float64
		if !idle {
			cur0, cur1 = i0[i], i1[i]
		}
		if r[i] == 0 {
			v[i] = v[i]*q.p22 + iEx[i]*q.p21Ex + iIn[i]*q.p21In + (q.iE+cur0)*q.p20
		} else {
			r[i]--
		}
		iEx[i] = iEx[i]*q.p11Ex + q.oneMinusP11Ex*cur1 + ex[i]
		iIn[i] = iIn[i]*q.p11In + in[i]
		var fire bool
		if q.delta < 1e-10 {
			fire = v[i] >= q.theta
		} else if q.delta > 1e-10 {
			fire = s.RNG.Float64() < q.rho*math.Exp(q.invDelta*(v[i]-q.theta))*h*1e-3
		}
		if fire {
			r[i] = q.refr
			v[i] = q.vReset
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		if !idle {
			i0[i], i1[i] = c0[i], c1[i]
			c0[i], c1[i] = 0, 0
		}
		ex[i], in[i] = 0, 0
	}
}

// updateOnePopulation is Update's loop for the most common block: one parameter set (shared),
// no current inputs (i0 = i1 = 0) and a hard threshold. The propagators are held in registers
// and the zero terms computed once; the arithmetic, and so every bit of the result, is the
// general loop's (TestIafPscExpOnePopulationPath).
func (b *expBlock) updateOnePopulation(s *Step) {
	n := len(b.p)
	ex, in := s.Ex[:n], s.In[:n]
	iEx, iIn, v, r := b.iEx[:n], b.iIn[:n], b.v[:n], b.r[:n]
	q := &b.pr[0]
	p22, p21Ex, p21In, p11Ex, p11In, theta := q.p22, q.p21Ex, q.p21In, q.p11Ex, q.p11In, q.theta
	drive := (q.iE + 0) * q.p20     // (I_e + i_0)·P20 with i_0 = 0
	filtered := q.oneMinusP11Ex * 0 // (1 − P11ex)·i_1 with i_1 = 0
	for i := range ex {
		if r[i] == 0 {
			v[i] = v[i]*p22 + iEx[i]*p21Ex + iIn[i]*p21In + drive
		} else {
			r[i]--
		}
		iEx[i] = iEx[i]*p11Ex + filtered + ex[i]
		iIn[i] = iIn[i]*p11In + in[i]
		if v[i] >= theta {
			r[i] = q.refr
			v[i] = q.vReset
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		ex[i], in[i] = 0, 0
	}
}

func (b *expBlock) Sample(rec int, i int) float64 {
	switch rec {
	case 0:
		return b.iEx[i]
	case 1:
		return b.iIn[i]
	default:
		return b.v[i] + b.p[i].EL
	}
}

// WriteState writes the parameters (escape noise included; its random stream is the virtual
// process's, not the block's) and i0, i1 (the currents of the previous step), the synaptic
// currents I_syn_ex, I_syn_in, V_m − E_L and the refractory steps left.
func (b *expBlock) WriteState(e *state.Encoder) {
	writeHeader(e, "iaf_psc_exp", len(b.p))
	writeParams(e, b.p, expFields)
	for _, col := range [][]float64{b.i0, b.i1, b.iEx, b.iIn, b.v} {
		e.F64s(col)
	}
	e.I64s(b.r)
}

// ReadState implements Block.
func (b *expBlock) ReadState(d *state.Decoder) error {
	n := readHeader(d, "iaf_psc_exp")
	p := readParams(d, n, expFields)
	c := readColumns(d, n, "i0", "i1", "I_syn_ex", "I_syn_in", "V_m - E_L")
	r := readCounts(d, n, "refractory steps")
	checkParams(d, p, func(p *expParams) error { return p.validate(b.model) })
	if err := d.Err(); err != nil {
		return fmt.Errorf("reading the state of a %s block: %w", b.model, err)
	}
	b.p, b.r = p, r
	b.i0, b.i1, b.iEx, b.iIn, b.v = c[0], c[1], c[2], c[3], c[4]
	b.pr = make([]expProp, n)
	b.pop.forget()
	if b.h > 0 {
		for i := range n {
			b.derive(i)
		}
	}
	return nil
}

// AppendFrom implements Block: the parameters, i0, i1, the synaptic currents, V_m − E_L, the
// refractory steps left and the propagators of neuron i of src. The escape noise's random stream
// belongs to the virtual process, not to the neuron.
func (b *expBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	same := adoptGrid(&b.h, &b.grid, len(b.p), s.h, s.grid)
	b.p = append(b.p, s.p[i])
	b.i0 = append(b.i0, s.i0[i])
	b.i1 = append(b.i1, s.i1[i])
	b.iEx = append(b.iEx, s.iEx[i])
	b.iIn = append(b.iIn, s.iIn[i])
	b.v = append(b.v, s.v[i])
	b.r = append(b.r, s.r[i])
	b.pr = append(b.pr, s.pr[i])
	b.pop.forget()
	if !same && b.h > 0 {
		b.derive(len(b.p) - 1)
	}
}
