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

// tableState holds the connections of one table synapse model on one VP, one P per connection:
// their count, addition (from the parameter table, starting from fresh, which holds a new
// connection's state), truncation, permutation and status. A model's state embeds it and adds
// its Send, WriteState, ReadState and AppendFrom.
type tableState[P any] struct {
	m     *tableSynapse[P]
	fresh P
	c     []P
}

// Len implements SynState.
func (s *tableState[P]) Len() int { return len(s.c) }

// Add implements SynState: the connection's parameters in the table's order, checked.
func (s *tableState[P]) Add(vals []float64, _ float64) error {
	c := s.fresh
	for i, f := range s.m.fields {
		*f.f(&c) = vals[i]
	}
	if err := s.m.check(&c, s.m.name); err != nil {
		return err
	}
	s.c = append(s.c, c)
	return nil
}

// Truncate implements SynState.
func (s *tableState[P]) Truncate(n int) { s.c = s.c[:n] }

// Permute implements SynState.
func (s *tableState[P]) Permute(perm []int32) { s.c = permuted(s.c, perm) }

// Value implements SynState.
func (s *tableState[P]) Value(j int, key string) (float64, bool) {
	return fieldValue(&s.c[j], s.m.fields, key)
}

// Set implements SynState: all or nothing, checked.
func (s *tableState[P]) Set(j int, r *status.Reader, _ float64, apply bool) error {
	c := s.c[j]
	if err := readFields(r, &c, s.m.fields); err != nil {
		return err
	}
	if err := s.m.check(&c, s.m.name); err != nil {
		return err
	}
	if apply {
		s.c[j] = c
	}
	return nil
}
