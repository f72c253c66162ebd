package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// SynapseKind says which update rule a synapse model follows.
type SynapseKind uint8

// The synapse kinds.
const (
	SynStatic SynapseKind = iota
	SynSTDP
	SynSTDPHom
)

// StdpParams are the parameters of the STDP rule (Guetig et al. 2003 form, as NEST's
// stdp_synapse): per connection for stdp_synapse, common to the model for stdp_synapse_hom.
type StdpParams struct {
	TauPlus, Lambda, Alpha, MuPlus, MuMinus, Wmax float64
}

var stdpFields = []field[StdpParams]{
	floatField("tau_plus", "ms", "Time constant of the presynaptic trace", func(p *StdpParams) *float64 { return &p.TauPlus }),
	floatField("lambda", "", "Step size (learning rate)", func(p *StdpParams) *float64 { return &p.Lambda }),
	floatField("alpha", "", "Asymmetry factor: depression step = alpha*lambda", func(p *StdpParams) *float64 { return &p.Alpha }),
	floatField("mu_plus", "", "Weight dependence exponent of facilitation", func(p *StdpParams) *float64 { return &p.MuPlus }),
	floatField("mu_minus", "", "Weight dependence exponent of depression", func(p *StdpParams) *float64 { return &p.MuMinus }),
	floatField("Wmax", "", "Maximum allowed weight (its sign is the sign of every weight)", func(p *StdpParams) *float64 { return &p.Wmax }),
}

// DefaultStdp returns NEST's defaults.
func DefaultStdp() StdpParams {
	return StdpParams{TauPlus: 20, Lambda: 0.01, Alpha: 1, MuPlus: 1, MuMinus: 1, Wmax: 100}
}

// Facilitate returns the weight after potentiation by a presynaptic trace value k:
//
//	ŵ = w/Wmax + λ·(1 − w/Wmax)^μ+ · k,   w' = min(ŵ, 1)·Wmax.
func (p *StdpParams) Facilitate(w, k float64) float64 {
	norm := w/p.Wmax + p.Lambda*math.Pow(1-w/p.Wmax, p.MuPlus)*k
	if norm > 1 {
		norm = 1
	}
	return norm * p.Wmax
}

// Depress returns the weight after depression by a postsynaptic trace value k:
//
//	ŵ = w/Wmax − α·λ·(w/Wmax)^μ− · k,   w' = max(ŵ, 0)·Wmax.
func (p *StdpParams) Depress(w, k float64) float64 {
	norm := w/p.Wmax - p.Alpha*p.Lambda*math.Pow(w/p.Wmax, p.MuMinus)*k
	if norm < 0 {
		norm = 0
	}
	return norm * p.Wmax
}

// SynapseModel is a registered synapse model with its defaults. For stdp_synapse_hom, Stdp and
// WeightRecorder are common properties (one value for all connections of the model); for every
// model WeightRecorder is common.
type SynapseModel struct {
	name string
	kind SynapseKind
	// Defaults of every new connection.
	Weight, Delay, Kplus float64
	Stdp                 StdpParams
	// WeightRecorder is the node id of the weight_recorder observing this model, or 0.
	WeightRecorder uint64
	// DelaySet records whether the default delay was set explicitly (checked at the first Connect).
	DelaySet bool
}

// NewSynapseModels returns the built-in synapse models with NEST's defaults.
func NewSynapseModels() []*SynapseModel {
	return []*SynapseModel{
		{name: "static_synapse", kind: SynStatic, Weight: 1, Delay: 1},
		{name: "stdp_synapse", kind: SynSTDP, Weight: 1, Delay: 1, Stdp: DefaultStdp()},
		{name: "stdp_synapse_hom", kind: SynSTDPHom, Weight: 1, Delay: 1, Stdp: DefaultStdp()},
	}
}

// Name returns the model name.
func (m *SynapseModel) Name() string { return m.name }

// Kind returns the update rule.
func (m *SynapseModel) Kind() SynapseKind { return m.kind }

// Copy returns an independent copy under a new name (common properties included).
func (m *SynapseModel) Copy(name string) *SynapseModel { c := *m; c.name = name; return &c }

// CommonKeys are the keys that are common properties of the model: settable only through
// SetDefaults and CopyModel, NotImplemented in a Connect syn_spec.
func (m *SynapseModel) CommonKeys() []string {
	if m.kind == SynSTDPHom {
		return []string{"weight_recorder", "tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax"}
	}
	return []string{"weight_recorder"}
}

// Defaults returns the defaults as GetDefaults reports them (weight_recorder as a node id, 0 for none).
func (m *SynapseModel) Defaults() status.Dict {
	d := status.Dict{"weight": m.Weight, "delay": m.Delay, "synapse_model": m.name,
		"has_delay": true, "requires_symmetric": false, "receptor_type": int64(0),
		"weight_recorder": int64(m.WeightRecorder)}
	if m.kind != SynStatic {
		writeFields(d, &m.Stdp, stdpFields)
		d["Kplus"] = m.Kplus
	}
	d["sizeof"] = int64(m.SizeOf())
	return d
}

// SizeOf is the memory of one connection of this model in bytes (see the kernel's stores).
func (m *SynapseModel) SizeOf() int {
	switch m.kind {
	case SynSTDP:
		return 16 + 16 + 48
	case SynSTDPHom:
		return 16 + 16
	}
	return 16
}

// SetDefaults applies r to the defaults, all or nothing. The weight_recorder value must already
// be converted to a node id by the caller.
func (m *SynapseModel) SetDefaults(r *status.Reader) error {
	c := *m
	if _, err := r.Float("weight", &c.Weight); err != nil {
		return err
	}
	if ok, err := r.Float("delay", &c.Delay); err != nil {
		return err
	} else if ok {
		c.DelaySet = true
	}
	var wr int64
	if ok, err := r.Int("weight_recorder", &wr); err != nil {
		return err
	} else if ok {
		c.WeightRecorder = uint64(wr)
	}
	if m.kind != SynStatic {
		if err := readFields(r, &c.Stdp, stdpFields); err != nil {
			return err
		}
		if _, err := r.Float("Kplus", &c.Kplus); err != nil {
			return err
		}
		if err := c.Stdp.Validate(c.name, c.Weight, c.Kplus, c.kind == SynSTDP); err != nil {
			return err
		}
	}
	*m = c
	return nil
}

// ReadStdpConn reads the per-connection STDP parameters of r into p (stdp_synapse only); on
// error p is unchanged. It reads into a copy so that p does not escape: the kernel passes the
// address of a local for every new connection, which would otherwise be a heap allocation each.
func ReadStdpConn(r *status.Reader, p *StdpParams) error {
	q := new(StdpParams)
	*q = *p
	if err := readFields(r, q, stdpFields); err != nil {
		return err
	}
	*p = *q
	return nil
}

// WriteStdp writes p into d.
func WriteStdp(d status.Dict, p *StdpParams) { writeFields(d, p, stdpFields) }

// Validate checks the STDP parameters with a weight and Kplus: the weight must have the sign of
// Wmax (0 counts as positive) when checkSign is set (stdp_synapse), Kplus must not be negative,
// and time constants must be positive.
func (p *StdpParams) Validate(model string, w, kplus float64, checkSign bool) error {
	if checkSign && (w >= 0) != (p.Wmax >= 0) {
		return badProperty(model, "Weight and Wmax must have same sign (weight %g, Wmax %g).", w, p.Wmax)
	}
	if kplus < 0 {
		return badProperty(model, "Kplus must be non-negative (Kplus = %g).", kplus)
	}
	if p.TauPlus <= 0 {
		return badProperty(model, "tau_plus must be positive (tau_plus = %g).", p.TauPlus)
	}
	return nil
}

// Params documents the model's parameters.
func (m *SynapseModel) Params() []ParamDoc {
	out := []ParamDoc{
		{Name: "weight", Default: m.Weight, Doc: "Synaptic weight (pA for current-based, mV for delta synapses)"},
		{Name: "delay", Unit: "ms", Default: m.Delay, Doc: "Transmission delay (all dendritic for STDP)"},
		{Name: "receptor_type", Default: int64(0), Doc: "Receptor port of the target"},
		{Name: "weight_recorder", Default: int64(0), Doc: "weight_recorder observing this model (SetDefaults/CopyModel only)"},
	}
	if m.kind != SynStatic {
		out = append(out, docFields(&m.Stdp, stdpFields)...)
		out = append(out, ParamDoc{Name: "Kplus", Default: m.Kplus, Doc: "Presynaptic trace (state)"})
	}
	return out
}

// Doc describes the model.
func (m *SynapseModel) Doc() string {
	switch m.kind {
	case SynSTDP:
		return "Spike-timing dependent plasticity with multiplicative weight dependence (Guetig et al. 2003); all delay is dendritic."
	case SynSTDPHom:
		return "stdp_synapse whose STDP parameters are common to all connections of the model (SetDefaults/CopyModel only)."
	}
	return "Connection with fixed weight and delay."
}
