package models

import "github.com/nest-mpi/nest-mpi/models/status"

// StaticSynapse is static_synapse: a connection with fixed weight and delay. It has no state of
// its own; the kernel delivers its weight directly.
type StaticSynapse struct {
	name string
	SynBase
}

// NewStaticSynapse returns static_synapse with NEST's defaults.
func NewStaticSynapse() SynapseModel {
	return &StaticSynapse{name: "static_synapse", SynBase: SynBase{Weight: 1, Delay: 1}}
}

// Name implements SynapseModel.
func (m *StaticSynapse) Name() string { return m.name }

// Copy implements SynapseModel.
func (m *StaticSynapse) Copy(name string) SynapseModel { c := *m; c.name = name; return &c }

// Base implements SynapseModel.
func (m *StaticSynapse) Base() *SynBase { return &m.SynBase }

// Defaults implements SynapseModel.
func (m *StaticSynapse) Defaults() status.Dict { return m.defaults(m.name, m.SizeOf()) }

// SetDefaults implements SynapseModel.
func (m *StaticSynapse) SetDefaults(r *status.Reader) error {
	b := m.SynBase
	if err := b.read(r); err != nil {
		return err
	}
	m.SynBase = b
	return nil
}

// CommonKeys implements SynapseModel.
func (m *StaticSynapse) CommonKeys() []string { return []string{"weight_recorder"} }

// ConnKeys implements SynapseModel.
func (m *StaticSynapse) ConnKeys() []string { return nil }

// ConnDefaults implements SynapseModel.
func (m *StaticSynapse) ConnDefaults([]float64) {}

// Params implements SynapseModel.
func (m *StaticSynapse) Params() []ParamDoc { return m.docs() }

// Doc implements SynapseModel.
func (m *StaticSynapse) Doc() string { return "Connection with fixed weight and delay." }

// SizeOf implements SynapseModel: target (4), weight (8), delay word (4).
func (m *StaticSynapse) SizeOf() int { return 16 }

// NewState implements SynapseModel: static connections have no state.
func (m *StaticSynapse) NewState() SynState { return nil }

// NeedsHistory implements SynapseModel.
func (m *StaticSynapse) NeedsHistory() bool { return false }
