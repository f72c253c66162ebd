package models

import (
	"errors"
	"math"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/ode"
	"github.com/nest-mpi/nest-mpi/models/state"
)

// aeifParams are the parameters of one aeif_cond_alpha neuron (mV, ms, nS, pF, pA).
type aeifParams struct {
	VPeak, VReset, TRef, GL, Cm, EEx, EIn, EL, DeltaT, TauW, A, B, VTh, TauSynEx, TauSynIn, IE, Tol float64
}

var aeifFields = []field[aeifParams]{
	floatField("V_peak", "mV", "Spike detection threshold", func(p *aeifParams) *float64 { return &p.VPeak }),
	floatField("V_reset", "mV", "Reset potential of the membrane", func(p *aeifParams) *float64 { return &p.VReset }),
	floatField("t_ref", "ms", "Duration of refractory period", func(p *aeifParams) *float64 { return &p.TRef }),
	floatField("g_L", "nS", "Leak conductance", func(p *aeifParams) *float64 { return &p.GL }),
	floatField("C_m", "pF", "Capacitance of the membrane", func(p *aeifParams) *float64 { return &p.Cm }),
	floatField("E_ex", "mV", "Excitatory reversal potential", func(p *aeifParams) *float64 { return &p.EEx }),
	floatField("E_in", "mV", "Inhibitory reversal potential", func(p *aeifParams) *float64 { return &p.EIn }),
	floatField("E_L", "mV", "Leak reversal potential", func(p *aeifParams) *float64 { return &p.EL }),
	floatField("Delta_T", "mV", "Slope factor of the exponential spike current", func(p *aeifParams) *float64 { return &p.DeltaT }),
	floatField("tau_w", "ms", "Adaptation time constant", func(p *aeifParams) *float64 { return &p.TauW }),
	floatField("a", "nS", "Subthreshold adaptation", func(p *aeifParams) *float64 { return &p.A }),
	floatField("b", "pA", "Spike-triggered adaptation", func(p *aeifParams) *float64 { return &p.B }),
	floatField("V_th", "mV", "Spike initiation threshold", func(p *aeifParams) *float64 { return &p.VTh }),
	floatField("tau_syn_ex", "ms", "Rise time of the excitatory synaptic alpha function", func(p *aeifParams) *float64 { return &p.TauSynEx }),
	floatField("tau_syn_in", "ms", "Rise time of the inhibitory synaptic alpha function", func(p *aeifParams) *float64 { return &p.TauSynIn }),
	floatField("I_e", "pA", "Constant input current", func(p *aeifParams) *float64 { return &p.IE }),
	floatField("gsl_error_tol", "", "Absolute and relative error tolerance of the integrator (fixed at the neuron's first simulation)",
		func(p *aeifParams) *float64 { return &p.Tol }),
}

// The state vector of aeif_cond_alpha: [V_m, dg_ex, g_ex, dg_in, g_in, w].
const (
	aeV = iota
	aeDGEx
	aeGEx
	aeDGIn
	aeGIn
	aeW
	aeDim
)

var aeifVars = []stateVar{
	{"V_m", "mV", "Membrane potential", aeV},
	{"g_ex", "nS", "Excitatory synaptic conductance", aeGEx},
	{"dg_ex", "nS/ms", "First derivative of g_ex", aeDGEx},
	{"g_in", "nS", "Inhibitory synaptic conductance", aeGIn},
	{"dg_in", "nS/ms", "First derivative of g_in", aeDGIn},
	{"w", "pA", "Spike-adaptation current", aeW},
}

// validateAeif checks p in NEST's order (aeif_cond_alpha Parameters_::set), then the state
// (State_::set).
func validateAeif(p *aeifParams, y []float64, model string) error {
	switch {
	case p.VReset >= p.VPeak:
		return badProperty(model, "Ensure that: V_reset < V_peak (V_reset %g, V_peak %g).", p.VReset, p.VPeak)
	case p.DeltaT < 0:
		return badProperty(model, "Delta_T must be positive (Delta_T = %g).", p.DeltaT)
	case p.DeltaT > 0 && (p.VPeak-p.VTh)/p.DeltaT >= math.Log(math.MaxFloat64/1e20):
		return badProperty(model, "The current combination of V_peak, V_th and Delta_T will lead to numerical overflow at spike "+
			"time; try for instance to increase Delta_T or to reduce V_peak to avoid this problem (V_peak %g, V_th %g, Delta_T %g).",
			p.VPeak, p.VTh, p.DeltaT)
	case p.VPeak < p.VTh:
		return badProperty(model, "V_peak >= V_th required (V_peak %g, V_th %g).", p.VPeak, p.VTh)
	case p.Cm <= 0:
		return badProperty(model, "Capacitance must be strictly positive (C_m = %g).", p.Cm)
	case p.TRef < 0:
		return badProperty(model, "Refractory time cannot be negative (t_ref = %g).", p.TRef)
	case p.TauSynEx <= 0 || p.TauSynIn <= 0 || p.TauW <= 0:
		return badProperty(model, "All time constants must be strictly positive (tau_syn_ex %g, tau_syn_in %g, tau_w %g).",
			p.TauSynEx, p.TauSynIn, p.TauW)
	case p.Tol <= 0:
		return badProperty(model, "The gsl_error_tol must be strictly positive (gsl_error_tol = %g).", p.Tol)
	case y[aeGEx] < 0 || y[aeGIn] < 0:
		return badProperty(model, "Conductances must not be negative (g_ex %g, g_in %g).", y[aeGEx], y[aeGIn])
	}
	return nil
}

// AeifCondAlpha is the model aeif_cond_alpha: the adaptive exponential integrate-and-fire neuron
// (Brette & Gerstner 2005) with alpha-shaped synaptic conductances, integrated with rkf45.
type AeifCondAlpha struct{ odeModel[aeifParams] }

// NewAeifCondAlpha returns the model with NEST's defaults.
func NewAeifCondAlpha() NeuronModel {
	return &AeifCondAlpha{odeModel[aeifParams]{name: "aeif_cond_alpha", p: aeifParams{
		VPeak: 0, VReset: -60, TRef: 0, GL: 30, Cm: 281, EEx: 0, EIn: -85, EL: -70.6, DeltaT: 2, TauW: 144,
		A: 4, B: 80.5, VTh: -50.4, TauSynEx: 0.2, TauSynIn: 2, IE: 0, Tol: 1e-6,
	}, y: []float64{-70.6, 0, 0, 0, 0, 0}, fields: aeifFields, vars: aeifVars, validate: validateAeif}}
}

// Copy implements NeuronModel.
func (m *AeifCondAlpha) Copy(name string) NeuronModel { return &AeifCondAlpha{m.copyAs(name)} }

// Recordables implements NeuronModel.
func (m *AeifCondAlpha) Recordables() []string { return []string{"V_m", "g_ex", "g_in", "w"} }

// Doc implements NeuronModel.
func (m *AeifCondAlpha) Doc() string {
	return "Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) with alpha-shaped " +
		"synaptic conductances: C_m dV/dt = −g_L(V − E_L) + g_L·Delta_T·exp((V − V_th)/Delta_T) − g_ex(V − E_ex) " +
		"− g_in(V − E_in) − w + I_e + I_stim, tau_w dw/dt = a(V − E_L) − w, integrated with the adaptive " +
		"Runge-Kutta-Fehlberg 4(5) method (error control on y and h·dy/dt with gsl_error_tol). V ≥ V_peak is " +
		"tested after every integration sub-step: V ← V_reset, w ← w + b, then t_ref refractory; with " +
		"t_ref = 0 several spikes per step are possible. Weights w > 0 act on g_ex, the others on g_in with −w."
}

// NewBlock implements NeuronModel.
func (m *AeifCondAlpha) NewBlock() Block {
	b := &aeifBlock{}
	b.odeBlock = odeBlock[aeifParams]{odeCore: newODECore(m.name, aeDim), m: &m.odeModel, derive: b.deriveOne}
	b.rhs = b.dynamics
	return b
}

// aeifBlock holds aeif_cond_alpha neurons of one VP.
type aeifBlock struct {
	odeBlock[aeifParams]
	// tol is the error tolerance the neuron's integrator was created with (at its first Prepare).
	tol []float64
	q   []aeifDerived
	rhs ode.Func
}

// aeifDerived holds what pre_run_hook derives for one neuron.
type aeifDerived struct {
	vPeak      float64 // spike detection: V_peak if Delta_T > 0, else V_th
	g0Ex, g0In float64 // e/τ_syn
	refr       int64   // t_ref in steps
}

func (b *aeifBlock) Append(m NeuronModel, n int) {
	b.appendFrom(&m.(*AeifCondAlpha).odeModel, n)
	for range n {
		b.tol = append(b.tol, 0)
	}
}

// Prepare fixes the tolerance of neurons that have never been prepared and derives the rest.
func (b *aeifBlock) Prepare(g clock.Grid) {
	for i, h := range b.hInt {
		if h == 0 {
			b.tol[i] = b.p[i].Tol
		}
	}
	b.odeBlock.Prepare(g)
}

// deriveOne computes, for neuron i, the spike detection threshold, the alpha normalisations
// (1·e)/τ_syn and the refractory step count.
func (b *aeifBlock) deriveOne(i int) {
	for len(b.q) <= i {
		b.q = append(b.q, aeifDerived{})
	}
	p := &b.p[i]
	q := aeifDerived{vPeak: p.VTh, g0Ex: 1.0 * math.E / p.TauSynEx, g0In: 1.0 * math.E / p.TauSynIn, refr: b.grid.Steps(p.TRef)}
	if p.DeltaT > 0 {
		q.vPeak = p.VPeak
	}
	b.q[i] = q
}

// dynamics is the right-hand side of neuron i. With V̂ = V_reset while refractory, else
// min(V, V_peak), and I_spike = g_L·Δ_T·exp((V̂ − V_th)/Δ_T) (0 if Δ_T = 0):
//
//	dV/dt = (−g_L(V̂ − E_L) + I_spike − g_ex(V̂ − E_ex) − g_in(V̂ − E_in) − w + I_e + I_stim) / C_m  (0 while refractory)
//	d(dg_ex)/dt = −dg_ex/τ_ex,  dg_ex/dt = dg_ex − g_ex/τ_ex, and the same for the inhibitory pair,
//	dw/dt = (a(V̂ − E_L) − w)/τ_w.
func (b *aeifBlock) dynamics(i int, y, f []float64) {
	p := &b.p[i]
	refr := b.r[i] > 0
	v := y[aeV]
	switch {
	case refr:
		v = p.VReset
	case p.VPeak < v:
		v = p.VPeak
	}
	iEx := float64(y[aeGEx] * (v - p.EEx))
	iIn := float64(y[aeGIn] * (v - p.EIn))
	iSpike := 0.0
	if p.DeltaT != 0 {
		iSpike = float64(p.GL*p.DeltaT) * ode.Exp((v-p.VTh)/p.DeltaT)
	}
	w := y[aeW]
	if refr {
		f[aeV] = 0
	} else {
		f[aeV] = (float64(-p.GL*(v-p.EL)) + iSpike - iEx - iIn - w + p.IE + b.iStim[i]) / p.Cm
	}
	f[aeDGEx] = -y[aeDGEx] / p.TauSynEx
	f[aeGEx] = y[aeDGEx] - y[aeGEx]/p.TauSynEx
	f[aeDGIn] = -y[aeDGIn] / p.TauSynIn
	f[aeGIn] = y[aeDGIn] - y[aeGIn]/p.TauSynIn
	f[aeW] = (float64(p.A*(v-p.EL)) - w) / p.TauW
}

// errUnstable is NEST's instability test: V < −1e3 mV or |w| > 1e6 pA after a sub-step.
//
//lint:ignore ST1005 the message starts with the state variable's name, V_m
var errUnstable = errors.New("V_m < -1e3 mV or |w| > 1e6 pA")

// Update advances all neurons by one step in NEST's order. The threshold is tested after every
// accepted integration sub-step: while refractory V is held at V_reset, else V ≥ V_peak fires
// (V ← V_reset, w ← w + b, r ← t_ref steps + 1 if t_ref > 0) and integration continues from the
// reset state with the carried step size. After the step r counts down, this step's spikes are
// added to dg_ex and dg_in (× e/τ_syn), and the current for the next step is read.
func (b *aeifBlock) Update(s *Step) {
	n := b.Len()
	ex, in, i0, r, q := s.Ex[:n], s.In[:n], s.I0[:n], b.r[:n], b.q[:n]
	for i := range n {
		if err := b.advance(s, i); err != nil {
			b.fail(s, i, err)
			return
		}
		if r[i] > 0 {
			r[i]--
		}
		y := b.vec(i)
		y[aeDGEx] += float64(ex[i] * q[i].g0Ex)
		y[aeDGIn] += float64(-in[i] * q[i].g0In)
		b.iStim[i] = i0[i]
		ex[i], in[i], i0[i] = 0, 0, 0
	}
}

// advance integrates neuron i over one step, with spike detection and reset after every sub-step.
func (b *aeifBlock) advance(s *Step, i int) error {
	y, p, q := b.vec(i), &b.p[i], &b.q[i]
	ctl := ode.YP(b.tol[i], b.tol[i])
	t := 0.0
	for t < b.h {
		if err := b.solver.Evolve(b.rhs, ctl, i, y, &t, b.h, &b.hInt[i]); err != nil {
			return err
		}
		if y[aeV] < -1e3 || y[aeW] < -1e6 || y[aeW] > 1e6 {
			return errUnstable
		}
		if err := ode.Finite(y); err != nil {
			return err
		}
		if b.r[i] > 0 {
			y[aeV] = p.VReset
		} else if y[aeV] >= q.vPeak {
			y[aeV] = p.VReset
			y[aeW] += p.B
			b.r[i] = 0
			if q.refr > 0 {
				b.r[i] = q.refr + 1
			}
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
	}
	return nil
}

// Sample returns V_m, g_ex, g_in or w.
func (b *aeifBlock) Sample(rec int, i int) float64 {
	switch rec {
	case 0:
		return b.y[i*aeDim+aeV]
	case 1:
		return b.y[i*aeDim+aeGEx]
	case 2:
		return b.y[i*aeDim+aeGIn]
	default:
		return b.y[i*aeDim+aeW]
	}
}

// WriteState writes the block's contents, including each neuron's integrator tolerance.
func (b *aeifBlock) WriteState(e *state.Encoder) {
	b.odeBlock.WriteState(e)
	e.F64s(b.tol)
}

// ReadState replaces the block's contents with what WriteState wrote.
func (b *aeifBlock) ReadState(d *state.Decoder) error {
	old := b.odeBlock
	if err := b.odeBlock.ReadState(d); err != nil {
		return err
	}
	tol := d.F64s()
	d.LenIs(b.model+" tolerances", len(tol), b.Len())
	if err := d.Err(); err != nil {
		b.odeBlock = old
		return err
	}
	b.tol = tol
	return nil
}

// AppendFrom implements Block: the parameters, the state vector (V_m, dg_ex, g_ex, dg_in,
// g_in, w), the carried integration step, the refractory counter, the stimulus current, the
// integrator's tolerance and the derived spike threshold, alpha normalisations and refractory
// step count of neuron i of src.
func (b *aeifBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	b.tol = append(b.tol, s.tol[i])
	b.appendCopy(&s.odeBlock, i, func(k int) { b.q = setAt(b.q, k, s.q[i]) })
}
