package models

import "github.com/nest-mpi/nest-mpi/models/ode"

// condParams are the parameters of one iaf_cond_exp or iaf_cond_alpha neuron (mV, ms, nS, pF, pA).
type condParams struct {
	VTh, VReset, TRef, GL, Cm, EEx, EIn, EL, TauSynEx, TauSynIn, IE float64
}

var condFields = []field[condParams]{
	floatField("V_th", "mV", "Spike threshold", func(p *condParams) *float64 { return &p.VTh }),
	floatField("V_reset", "mV", "Reset potential of the membrane", func(p *condParams) *float64 { return &p.VReset }),
	floatField("t_ref", "ms", "Duration of refractory period", func(p *condParams) *float64 { return &p.TRef }),
	floatField("g_L", "nS", "Leak conductance", func(p *condParams) *float64 { return &p.GL }),
	floatField("C_m", "pF", "Capacitance of the membrane", func(p *condParams) *float64 { return &p.Cm }),
	floatField("E_ex", "mV", "Excitatory reversal potential", func(p *condParams) *float64 { return &p.EEx }),
	floatField("E_in", "mV", "Inhibitory reversal potential", func(p *condParams) *float64 { return &p.EIn }),
	floatField("E_L", "mV", "Leak reversal potential (resting potential)", func(p *condParams) *float64 { return &p.EL }),
	floatField("tau_syn_ex", "ms", "Time constant of the excitatory synaptic conductance", func(p *condParams) *float64 { return &p.TauSynEx }),
	floatField("tau_syn_in", "ms", "Time constant of the inhibitory synaptic conductance", func(p *condParams) *float64 { return &p.TauSynIn }),
	floatField("I_e", "pA", "Constant input current", func(p *condParams) *float64 { return &p.IE }),
}

func condDefaults() condParams {
	return condParams{VTh: -55, VReset: -60, TRef: 2, GL: 16.6667, Cm: 250, EEx: 0, EIn: -85, EL: -70,
		TauSynEx: 0.2, TauSynIn: 2, IE: 0}
}

// validateCond checks p in NEST's order (iaf_cond_exp and iaf_cond_alpha Parameters_::set); the
// state has no constraints.
func validateCond(p *condParams, _ []float64, model string) error {
	switch {
	case p.VReset >= p.VTh:
		return badProperty(model, "Reset potential must be smaller than threshold (V_reset %g >= V_th %g).", p.VReset, p.VTh)
	case p.Cm <= 0:
		return badProperty(model, "Capacitance must be strictly positive (C_m = %g).", p.Cm)
	case p.TRef < 0:
		return badProperty(model, "Refractory time cannot be negative (t_ref = %g).", p.TRef)
	case p.TauSynEx <= 0 || p.TauSynIn <= 0:
		return badProperty(model, "All time constants must be strictly positive (tau_syn_ex %g, tau_syn_in %g).", p.TauSynEx, p.TauSynIn)
	}
	return nil
}

// The state vector of iaf_cond_exp: [V_m, g_ex, g_in].
const (
	ceV = iota
	ceGEx
	ceGIn
	ceDim
)

var condExpVars = []stateVar{
	{"V_m", "mV", "Membrane potential", ceV},
	{"g_ex", "nS", "Excitatory synaptic conductance", ceGEx},
	{"g_in", "nS", "Inhibitory synaptic conductance", ceGIn},
}

// condTol is the absolute tolerance of the y-control that NEST's iaf_cond models and hh_psc_alpha
// pass to GSL (relative tolerance 0).
const condTol = 1e-3

// IafCondExp is the model iaf_cond_exp: a leaky integrate-and-fire neuron with exponentially
// decaying synaptic conductances, integrated with rkf45.
type IafCondExp struct{ odeModel[condParams] }

// NewIafCondExp returns the model with NEST's defaults.
func NewIafCondExp() NeuronModel {
	return &IafCondExp{odeModel[condParams]{name: "iaf_cond_exp", p: condDefaults(), y: []float64{-70, 0, 0},
		fields: condFields, vars: condExpVars, validate: validateCond}}
}

// Copy implements NeuronModel.
func (m *IafCondExp) Copy(name string) NeuronModel { return &IafCondExp{m.copyAs(name)} }

// Recordables implements NeuronModel.
func (m *IafCondExp) Recordables() []string { return []string{"V_m", "g_ex", "g_in"} }

// Doc implements NeuronModel.
func (m *IafCondExp) Doc() string {
	return "Leaky integrate-and-fire neuron with exponentially decaying synaptic conductances " +
		"(Meffin et al. 2004): C_m dV/dt = −g_L(V − E_L) − g_ex(V − E_ex) − g_in(V − E_in) + I_e + I_stim, " +
		"dg/dt = −g/tau_syn, integrated with the adaptive Runge-Kutta-Fehlberg 4(5) method (absolute " +
		"tolerance 1e-3). A spike of weight w > 0 increases g_ex by w nS, any other weight increases g_in " +
		"by −w nS. After a spike V is held at V_reset for t_ref."
}

// NewBlock implements NeuronModel.
func (m *IafCondExp) NewBlock() Block {
	b := &condExpBlock{}
	b.odeBlock = odeBlock[condParams]{odeCore: newODECore(m.name, ceDim), m: &m.odeModel, derive: b.deriveOne}
	b.rhs = b.dynamics
	return b
}

// condExpBlock holds iaf_cond_exp neurons of one VP.
type condExpBlock struct {
	odeBlock[condParams]
	refr []int64 // t_ref in steps
	rhs  ode.Func
}

func (b *condExpBlock) Append(m NeuronModel, n int) {
	b.appendFrom(&m.(*IafCondExp).odeModel, n)
	if b.h > 0 {
		for i := b.Len() - n; i < b.Len(); i++ {
			b.deriveOne(i)
		}
	}
}

// deriveOne computes the refractory step count of neuron i (t_ref in tics, rounded up to steps).
func (b *condExpBlock) deriveOne(i int) {
	for len(b.refr) <= i {
		b.refr = append(b.refr, 0)
	}
	b.refr[i] = b.grid.Steps(b.p[i].TRef)
}

// dynamics is the right-hand side of neuron i. With V̂ = V_reset while refractory, else
// min(V, V_th):
//
//	dV/dt = (−g_L(V̂ − E_L) + I_stim + I_e − g_ex(V̂ − E_ex) − g_in(V̂ − E_in)) / C_m  (0 while refractory)
//	dg_ex/dt = −g_ex/τ_ex,  dg_in/dt = −g_in/τ_in
func (b *condExpBlock) dynamics(i int, y, f []float64) {
	p := &b.p[i]
	refr := b.r[i] > 0
	v := y[ceV]
	switch {
	case refr:
		v = p.VReset
	case p.VTh < v:
		v = p.VTh
	}
	iEx := float64(y[ceGEx] * (v - p.EEx))
	iIn := float64(y[ceGIn] * (v - p.EIn))
	iL := float64(p.GL * (v - p.EL))
	if refr {
		f[ceV] = 0
	} else {
		f[ceV] = (-iL + b.iStim[i] + p.IE - iEx - iIn) / p.Cm
	}
	f[ceGEx] = -y[ceGEx] / p.TauSynEx
	f[ceGIn] = -y[ceGIn] / p.TauSynIn
}

// Update advances all neurons by one step in NEST's order: integrate over h with the stimulus
// current of the previous step; add this step's spikes to g_ex and g_in; then, if refractory,
// count down and hold V at V_reset, else fire if V ≥ V_th (V ← V_reset, refractory for t_ref);
// finally read the current for the next step.
func (b *condExpBlock) Update(s *Step) {
	n := b.Len()
	if i, err := b.solver.AdvanceBlock(b.rhs, ode.Y(condTol, 0), b.y[:n*ceDim], b.hInt[:n], b.h); err != nil {
		b.fail(s, i, err)
		return
	}
	ex, in, i0, r, refr := s.Ex[:n], s.In[:n], s.I0[:n], b.r[:n], b.refr[:n]
	for i := range n {
		y := b.y[i*ceDim : (i+1)*ceDim : (i+1)*ceDim]
		y[ceGEx] += ex[i]
		y[ceGIn] += -in[i]
		if r[i] != 0 {
			r[i]--
			y[ceV] = b.p[i].VReset
		} else if y[ceV] >= b.p[i].VTh {
			r[i] = refr[i]
			y[ceV] = b.p[i].VReset
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		b.iStim[i] = i0[i]
		ex[i], in[i], i0[i] = 0, 0, 0
	}
}

// Sample returns V_m, g_ex or g_in.
func (b *condExpBlock) Sample(rec int, i int) float64 { return b.y[i*ceDim+rec] }

// AppendFrom implements Block: the parameters, the state vector (V_m, g_ex, g_in), the carried
// integration step, the refractory counter, the stimulus current and the refractory step count
// of neuron i of src.
func (b *condExpBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	b.appendCopy(&s.odeBlock, i, func(k int) { b.refr = setAt(b.refr, k, s.refr[i]) })
}
