package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/ode"
)

// The state vector of iaf_cond_alpha: [V_m, dg_ex, g_ex, dg_in, g_in].
const (
	caV = iota
	caDGEx
	caGEx
	caDGIn
	caGIn
	caDim
)

var condAlphaVars = []stateVar{
	{"V_m", "mV", "Membrane potential", caV},
	{"g_ex", "nS", "Excitatory synaptic conductance", caGEx},
	{"dg_ex", "nS/ms", "First derivative of g_ex", caDGEx},
	{"g_in", "nS", "Inhibitory synaptic conductance", caGIn},
	{"dg_in", "nS/ms", "First derivative of g_in", caDGIn},
}

// IafCondAlpha is the model iaf_cond_alpha: a leaky integrate-and-fire neuron with alpha-shaped
// synaptic conductances, integrated with rkf45.
type IafCondAlpha struct{ odeModel[condParams] }

// NewIafCondAlpha returns the model with NEST's defaults.
func NewIafCondAlpha() NeuronModel {
	return &IafCondAlpha{odeModel[condParams]{name: "iaf_cond_alpha", p: condDefaults(), y: []float64{-70, 0, 0, 0, 0},
		fields: condFields, vars: condAlphaVars, validate: validateCond}}
}

// Copy implements NeuronModel.
func (m *IafCondAlpha) Copy(name string) NeuronModel { return &IafCondAlpha{m.copyAs(name)} }

// Recordables implements NeuronModel.
func (m *IafCondAlpha) Recordables() []string {
	return []string{"V_m", "g_ex", "g_in", "t_ref_remaining"}
}

// Doc implements NeuronModel.
func (m *IafCondAlpha) Doc() string {
	return "Leaky integrate-and-fire neuron with alpha-shaped synaptic conductances (Kuhn et al. 2004): " +
		"C_m dV/dt = −g_L(V − E_L) − g_ex(V − E_ex) − g_in(V − E_in) + I_e + I_stim, " +
		"g(t) = w·(e/tau_syn)·t·exp(−t/tau_syn) per spike of weight w (peak w nS at t = tau_syn), integrated " +
		"with the adaptive Runge-Kutta-Fehlberg 4(5) method (absolute tolerance 1e-3). Weights w > 0 act on " +
		"g_ex, the others on g_in with −w. After a spike V is held at V_reset for t_ref."
}

// NewBlock implements NeuronModel.
func (m *IafCondAlpha) NewBlock() Block {
	b := &condAlphaBlock{}
	b.odeBlock = odeBlock[condParams]{odeCore: newODECore(m.name, caDim), m: &m.odeModel, derive: b.deriveOne}
	b.rhs = b.dynamics
	return b
}

// condAlphaBlock holds iaf_cond_alpha neurons of one VP.
type condAlphaBlock struct {
	odeBlock[condParams]
	q   []condAlphaDerived
	rhs ode.Func
}

// condAlphaDerived holds what pre_run_hook derives for one neuron.
type condAlphaDerived struct {
	refr           int64   // t_ref in steps
	initEx, initIn float64 // e/τ_syn: the jump of dg per unit weight
}

func (b *condAlphaBlock) Append(m NeuronModel, n int) {
	b.appendFrom(&m.(*IafCondAlpha).odeModel, n)
	if b.h > 0 {
		for i := b.Len() - n; i < b.Len(); i++ {
			b.deriveOne(i)
		}
	}
}

// deriveOne computes, for neuron i, the refractory step count and the alpha normalisations
// PSConInit = (1·e)/τ_syn, so that a weight of w nS gives a conductance peaking at w nS.
func (b *condAlphaBlock) deriveOne(i int) {
	for len(b.q) <= i {
		b.q = append(b.q, condAlphaDerived{})
	}
	p := &b.p[i]
	b.q[i] = condAlphaDerived{refr: b.grid.Steps(p.TRef), initEx: 1.0 * math.E / p.TauSynEx, initIn: 1.0 * math.E / p.TauSynIn}
}

// dynamics is the right-hand side of neuron i. With V̂ = V_reset while refractory, else
// min(V, V_th):
//
//	dV/dt = (−g_L(V̂ − E_L) − g_ex(V̂ − E_ex) − g_in(V̂ − E_in) + I_stim + I_e) / C_m  (0 while refractory)
//	d(dg_ex)/dt = −dg_ex/τ_ex,  dg_ex/dt = dg_ex − g_ex/τ_ex, and the same for the inhibitory pair.
func (b *condAlphaBlock) dynamics(i int, y, f []float64) {
	p := &b.p[i]
	refr := b.r[i] > 0
	v := y[caV]
	switch {
	case refr:
		v = p.VReset
	case p.VTh < v:
		v = p.VTh
	}
	iEx := float64(y[caGEx] * (v - p.EEx))
	iIn := float64(y[caGIn] * (v - p.EIn))
	iL := float64(p.GL * (v - p.EL))
	if refr {
		f[caV] = 0
	} else {
		f[caV] = (-iL - iEx - iIn + b.iStim[i] + p.IE) / p.Cm
	}
	f[caDGEx] = -y[caDGEx] / p.TauSynEx
	f[caGEx] = y[caDGEx] - y[caGEx]/p.TauSynEx
	f[caDGIn] = -y[caDGIn] / p.TauSynIn
	f[caGIn] = y[caDGIn] - y[caGIn]/p.TauSynIn
}

// Update advances all neurons by one step in NEST's order: integrate over h with the stimulus
// current of the previous step; if refractory, count down and hold V at V_reset, else fire if
// V ≥ V_th; then add this step's spikes to dg_ex and dg_in (× e/τ_syn); finally read the current
// for the next step.
func (b *condAlphaBlock) Update(s *Step) {
	n := b.Len()
	if i, err := b.solver.AdvanceBlock(b.rhs, ode.Y(condTol, 0), b.y[:n*caDim], b.hInt[:n], b.h); err != nil {
		b.fail(s, i, err)
		return
	}
	ex, in, i0, r, q := s.Ex[:n], s.In[:n], s.I0[:n], b.r[:n], b.q[:n]
	for i := range n {
		y := b.y[i*caDim : (i+1)*caDim : (i+1)*caDim]
		if r[i] != 0 {
			r[i]--
			y[caV] = b.p[i].VReset
		} else if y[caV] >= b.p[i].VTh {
			r[i] = q[i].refr
			y[caV] = b.p[i].VReset
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		y[caDGEx] += float64(ex[i] * q[i].initEx)
		y[caDGIn] += float64(-in[i] * q[i].initIn)
		b.iStim[i] = i0[i]
		ex[i], in[i], i0[i] = 0, 0, 0
	}
}

// Sample returns V_m, g_ex, g_in or t_ref_remaining (h·r, ms).
func (b *condAlphaBlock) Sample(rec int, i int) float64 {
	switch rec {
	case 0:
		return b.y[i*caDim+caV]
	case 1:
		return b.y[i*caDim+caGEx]
	case 2:
		return b.y[i*caDim+caGIn]
	default:
		return b.h * float64(b.r[i])
	}
}

// AppendFrom implements Block: the parameters, the state vector (V_m, dg_ex, g_ex, dg_in,
// g_in), the carried integration step, the refractory counter, the stimulus current and the
// derived refractory step count and alpha normalisations of neuron i of src.
func (b *condAlphaBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	b.appendCopy(&s.odeBlock, i, func(k int) { b.q = setAt(b.q, k, s.q[i]) })
}
