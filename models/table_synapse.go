package models

import "github.com/nest-mpi/nest-mpi/models/status"

// tableSynapse is the part of a synapse model whose per-connection parameters are one field table
// of P (tsodyks_synapse, tsodyks2_synapse): the model's name and common properties, the defaults
// of new connections, and their reading, keys and documentation. A model embeds it and adds its
// Copy, Defaults, Doc, SizeOf, NewState and NeedsHistory.
type tableSynapse[P any] struct {
	name string
	SynBase
	// Conn holds the defaults of new connections.
	Conn   P
	fields []field[P]
	check  func(p *P, model string) error
}

// Name implements SynapseModel.
func (m *tableSynapse[P]) Name() string { return m.name }

// Base implements SynapseModel.
func (m *tableSynapse[P]) Base() *SynBase { return &m.SynBase }

// defaultsOf returns the defaults of a model whose connections take size bytes.
func (m *tableSynapse[P]) defaultsOf(size int) status.Dict {
	d := m.defaults(m.name, size)
	writeFields(d, &m.Conn, m.fields)
	return d
}

// SetDefaults implements SynapseModel.
func (m *tableSynapse[P]) SetDefaults(r *status.Reader) error {
	c := *m
	if err := c.SynBase.read(r); err != nil {
		return err
	}
	if err := readFields(r, &c.Conn, c.fields); err != nil {
		return err
	}
	if err := c.check(&c.Conn, c.name); err != nil {
		return err
	}
	*m = c
	return nil
}

// CommonKeys implements SynapseModel.
func (m *tableSynapse[P]) CommonKeys() []string { return []string{"weight_recorder"} }

// ConnKeys implements SynapseModel: the table's order (NEST's get_status order).
func (m *tableSynapse[P]) ConnKeys() []string { return fieldNames(m.fields) }

// ConnDefaults implements SynapseModel.
func (m *tableSynapse[P]) ConnDefaults(dst []float64) {
	for i, f := range m.fields {
		dst[i] = *f.f(&m.Conn)
	}
}

// Params implements SynapseModel.
func (m *tableSynapse[P]) Params() []ParamDoc {
	return append(m.docs(), docFields(&m.Conn, m.fields)...)
}
