package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/ode"
)

// hhParams are the parameters of one hh_psc_alpha neuron (mV, ms, nS, pF, pA).
type hhParams struct {
	TRef, GNa, GK, GL, Cm, ENa, EK, EL, TauSynEx, TauSynIn, IE float64
}

var hhFields = []field[hhParams]{
	floatField("t_ref", "ms", "Duration of refractory period (spike detection only)", func(p *hhParams) *float64 { return &p.TRef }),
	floatField("g_Na", "nS", "Sodium peak conductance", func(p *hhParams) *float64 { return &p.GNa }),
	floatField("g_K", "nS", "Potassium peak conductance", func(p *hhParams) *float64 { return &p.GK }),
	floatField("g_L", "nS", "Leak conductance", func(p *hhParams) *float64 { return &p.GL }),
	floatField("C_m", "pF", "Capacitance of the membrane", func(p *hhParams) *float64 { return &p.Cm }),
	floatField("E_Na", "mV", "Sodium reversal potential", func(p *hhParams) *float64 { return &p.ENa }),
	floatField("E_K", "mV", "Potassium reversal potential", func(p *hhParams) *float64 { return &p.EK }),
	floatField("E_L", "mV", "Leak reversal potential", func(p *hhParams) *float64 { return &p.EL }),
	floatField("tau_syn_ex", "ms", "Rise time of the excitatory synaptic alpha function", func(p *hhParams) *float64 { return &p.TauSynEx }),
	floatField("tau_syn_in", "ms", "Rise time of the inhibitory synaptic alpha function", func(p *hhParams) *float64 { return &p.TauSynIn }),
	floatField("I_e", "pA", "Constant input current", func(p *hhParams) *float64 { return &p.IE }),
}

// The state vector of hh_psc_alpha: [V_m, m, h, n, dI_ex, I_ex, dI_in, I_in].
const (
	hhV = iota
	hhM
	hhH
	hhN
	hhDIEx
	hhIEx
	hhDIIn
	hhIIn
	hhDim
)

var hhVars = []stateVar{
	{"V_m", "mV", "Membrane potential", hhV},
	{"Act_m", "", "Activation variable m of the sodium current", hhM},
	{"Inact_h", "", "Inactivation variable h of the sodium current", hhH},
	{"Act_n", "", "Activation variable n of the potassium current", hhN},
}

// validateHH checks p in NEST's order (hh_psc_alpha Parameters_::set), then the state.
func validateHH(p *hhParams, y []float64, model string) error {
	switch {
	case p.Cm <= 0:
		return badProperty(model, "Capacitance must be strictly positive (C_m = %g).", p.Cm)
	case p.TRef < 0:
		return badProperty(model, "Refractory time cannot be negative (t_ref = %g).", p.TRef)
	case p.TauSynEx <= 0 || p.TauSynIn <= 0:
		return badProperty(model, "All time constants must be strictly positive (tau_syn_ex %g, tau_syn_in %g).", p.TauSynEx, p.TauSynIn)
	case p.GK < 0 || p.GNa < 0 || p.GL < 0:
		return badProperty(model, "All conductances must be non-negative (g_K %g, g_Na %g, g_L %g).", p.GK, p.GNa, p.GL)
	case y[hhM] < 0 || y[hhH] < 0 || y[hhN] < 0:
		return badProperty(model, "All (in)activation variables must be non-negative (Act_m %g, Inact_h %g, Act_n %g).",
			y[hhM], y[hhH], y[hhN])
	}
	return nil
}

// hhRates returns the Hodgkin-Huxley rate functions (1/ms) at V (mV):
//
//	α_n = 0.01(V+55)/(1 − e^{−(V+55)/10}),  β_n = 0.125·e^{−(V+65)/80}
//	α_m = 0.1(V+40)/(1 − e^{−(V+40)/10}),   β_m = 4·e^{−(V+65)/18}
//	α_h = 0.07·e^{−(V+65)/20},              β_h = 1/(1 + e^{−(V+35)/10})
func hhRates(v float64) (an, bn, am, bm, ah, bh float64) {
	an = float64(0.01*(v+55)) / (1 - ode.Exp(-(v+55)/10))
	bn = 0.125 * ode.Exp(-(v+65)/80)
	am = float64(0.1*(v+40)) / (1 - ode.Exp(-(v+40)/10))
	bm = 4 * ode.Exp(-(v+65)/18)
	ah = 0.07 * ode.Exp(-(v+65)/20)
	bh = 1 / (1 + ode.Exp(-(v+35)/10))
	return
}

// hhInitial is NEST's initial state: V = −65 mV (independent of E_L) and m, h, n at their steady
// states x∞ = α_x/(α_x + β_x) there; no synaptic current.
func hhInitial() []float64 {
	const v = -65.0
	an, bn, am, bm, ah, bh := hhRates(v)
	y := make([]float64, hhDim)
	y[hhV], y[hhM], y[hhH], y[hhN] = v, am/(am+bm), ah/(ah+bh), an/(an+bn)
	return y
}

// HhPscAlpha is the model hh_psc_alpha: the Hodgkin-Huxley neuron with alpha-shaped synaptic
// currents, integrated with rkf45.
type HhPscAlpha struct{ odeModel[hhParams] }

// NewHhPscAlpha returns the model with NEST's defaults.
func NewHhPscAlpha() NeuronModel {
	return &HhPscAlpha{odeModel[hhParams]{name: "hh_psc_alpha", p: hhParams{
		TRef: 2, GNa: 12000, GK: 3600, GL: 30, Cm: 100, ENa: 50, EK: -77, EL: -54.402, TauSynEx: 0.2, TauSynIn: 2, IE: 0,
	}, y: hhInitial(), fields: hhFields, vars: hhVars, validate: validateHH}}
}

// Copy implements NeuronModel.
func (m *HhPscAlpha) Copy(name string) NeuronModel { return &HhPscAlpha{m.copyAs(name)} }

// Recordables implements NeuronModel.
func (m *HhPscAlpha) Recordables() []string {
	return []string{"V_m", "I_syn_ex", "I_syn_in", "Act_m", "Inact_h", "Act_n"}
}

// Doc implements NeuronModel.
func (m *HhPscAlpha) Doc() string {
	return "Hodgkin-Huxley neuron with alpha-shaped synaptic currents: C_m dV/dt = −(g_Na m³h(V − E_Na) + " +
		"g_K n⁴(V − E_K) + g_L(V − E_L)) + I_stim + I_e + I_syn_ex + I_syn_in, dx/dt = α_x(1 − x) − β_x·x for " +
		"x = m, h, n, integrated with the adaptive Runge-Kutta-Fehlberg 4(5) method (absolute tolerance 1e-3). " +
		"A spike is emitted in the step in which V, being ≥ 0 mV, starts to fall; t_ref only suppresses " +
		"detection. A weight of w pA gives a current peaking at w pA after tau_syn (negative weights inhibit)."
}

// NewBlock implements NeuronModel.
func (m *HhPscAlpha) NewBlock() Block {
	b := &hhBlock{}
	b.odeBlock = odeBlock[hhParams]{odeCore: newODECore(m.name, hhDim), m: &m.odeModel, derive: b.deriveOne}
	b.rhs = b.dynamics
	return b
}

// hhBlock holds hh_psc_alpha neurons of one VP.
type hhBlock struct {
	odeBlock[hhParams]
	q   []hhDerived
	rhs ode.Func
}

// hhDerived holds what pre_run_hook derives for one neuron.
type hhDerived struct {
	initEx, initIn float64 // e/τ_syn: the jump of dI per unit weight
	refr           int64
}

func (b *hhBlock) Append(m NeuronModel, n int) {
	b.appendFrom(&m.(*HhPscAlpha).odeModel, n)
	if b.h > 0 {
		for i := b.Len() - n; i < b.Len(); i++ {
			b.deriveOne(i)
		}
	}
}

// deriveOne computes, for neuron i, the alpha normalisations (1·e)/τ_syn, so that a weight of
// w pA gives a current peaking at w pA, and the refractory step count.
func (b *hhBlock) deriveOne(i int) {
	for len(b.q) <= i {
		b.q = append(b.q, hhDerived{})
	}
	p := &b.p[i]
	b.q[i] = hhDerived{initEx: 1.0 * math.E / p.TauSynEx, initIn: 1.0 * math.E / p.TauSynIn, refr: b.grid.Steps(p.TRef)}
}

// dynamics is the right-hand side of neuron i:
//
//	dV/dt = (−(I_Na + I_K + I_L) + I_stim + I_e + I_ex + I_in)/C_m,
//	  I_Na = g_Na·m·m·m·h·(V − E_Na), I_K = g_K·n·n·n·n·(V − E_K), I_L = g_L(V − E_L)
//	dx/dt = α_x(1 − x) − β_x·x  (x = m, h, n; rates from hhRates)
//	d(dI_ex)/dt = −dI_ex/τ_ex,  dI_ex/dt = dI_ex − I_ex/τ_ex, and the same for the inhibitory pair.
func (b *hhBlock) dynamics(i int, y, f []float64) {
	p := &b.p[i]
	v, m, h, n := y[hhV], y[hhM], y[hhH], y[hhN]
	an, bn, am, bm, ah, bh := hhRates(v)
	iNa := float64(float64(float64(float64(float64(p.GNa*m)*m)*m)*h) * (v - p.ENa))
	iK := float64(float64(float64(float64(float64(p.GK*n)*n)*n)*n) * (v - p.EK))
	iL := float64(p.GL * (v - p.EL))
	f[hhV] = (-(iNa + iK + iL) + b.iStim[i] + p.IE + y[hhIEx] + y[hhIIn]) / p.Cm
	f[hhM] = float64(am*(1-m)) - float64(bm*m)
	f[hhH] = float64(ah*(1-h)) - float64(bh*h)
	f[hhN] = float64(an*(1-n)) - float64(bn*n)
	f[hhDIEx] = -y[hhDIEx] / p.TauSynEx
	f[hhIEx] = y[hhDIEx] - y[hhIEx]/p.TauSynEx
	f[hhDIIn] = -y[hhDIIn] / p.TauSynIn
	f[hhIIn] = y[hhDIIn] - y[hhIIn]/p.TauSynIn
}

// Update advances all neurons by one step in NEST's order: integrate over h with the stimulus
// current of the previous step; add this step's spikes to dI_ex and dI_in (× e/τ_syn, inhibitory
// weights negative); then, if refractory, count down, else fire if V ≥ 0 mV and V fell during the
// step; finally read the current for the next step.
func (b *hhBlock) Update(s *Step) {
	n := b.Len()
	ex, in, i0, r, q := s.Ex[:n], s.In[:n], s.I0[:n], b.r[:n], b.q[:n]
	for i := range n {
		y := b.vec(i)
		uOld := y[hhV]
		if err := b.solver.Advance(b.rhs, ode.Y(condTol, 0), i, y, b.h, &b.hInt[i]); err != nil {
			b.fail(s, i, err)
			return
		}
		y[hhDIEx] += float64(ex[i] * q[i].initEx)
		y[hhDIIn] += float64(in[i] * q[i].initIn)
		if r[i] > 0 {
			r[i]--
		} else if y[hhV] >= 0 && uOld > y[hhV] {
			r[i] = q[i].refr
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		b.iStim[i] = i0[i]
		ex[i], in[i], i0[i] = 0, 0, 0
	}
}

// Sample returns V_m, I_syn_ex, I_syn_in, Act_m, Inact_h or Act_n.
func (b *hhBlock) Sample(rec int, i int) float64 {
	idx := [...]int{hhV, hhIEx, hhIIn, hhM, hhH, hhN}[rec]
	return b.y[i*hhDim+idx]
}

// AppendFrom implements Block: the parameters, the state vector (V_m, the gating variables, the
// synaptic currents and their derivatives), the carried integration step, the refractory
// counter, the stimulus current and the derived alpha normalisations and refractory step count
// of neuron i of src.
func (b *hhBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	b.appendCopy(&s.odeBlock, i, func(k int) { b.q = setAt(b.q, k, s.q[i]) })
}
