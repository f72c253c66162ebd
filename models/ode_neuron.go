package models

import (
	"fmt"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/ode"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// odeCore is what the blocks of the GSL-integrated neurons (iaf_cond_exp, iaf_cond_alpha,
// aeif_cond_alpha, hh_psc_alpha) share: the state vectors of all neurons in one flat array (dim
// values per neuron, in NEST's State_ order), the integration step size each neuron carries from
// step to step (NEST's IntegrationStep_), the refractory counters, the stimulus current read in the
// previous step, and the solver workspace.
type odeCore struct {
	model  string
	dim    int
	h      float64
	grid   clock.Grid
	y      []float64
	hInt   []float64 // 0 until the neuron's first Prepare, which sets it to the resolution
	r      []int64
	iStim  []float64
	solver *ode.Solver
}

func newODECore(model string, dim int) odeCore {
	return odeCore{model: model, dim: dim, solver: ode.New(dim)}
}

// Len is the number of neurons.
func (c *odeCore) Len() int { return len(c.r) }

// appendNeuron adds one neuron with initial state y0.
func (c *odeCore) appendNeuron(y0 []float64) {
	c.y = append(c.y, y0...)
	c.hInt = append(c.hInt, 0)
	c.r = append(c.r, 0)
	c.iStim = append(c.iStim, 0)
}

// appendCopy adds neuron i of s with its state vector, carried integration step, refractory
// counter and stimulus current, exactly.
func (c *odeCore) appendCopy(s *odeCore, i int) {
	c.y = append(c.y, s.vec(i)...)
	c.hInt = append(c.hInt, s.hInt[i])
	c.r = append(c.r, s.r[i])
	c.iStim = append(c.iStim, s.iStim[i])
}

// vec is the state vector of neuron i.
func (c *odeCore) vec(i int) []float64 { return c.y[i*c.dim : (i+1)*c.dim : (i+1)*c.dim] }

// prepare records the grid; a neuron that has never been prepared starts integrating with a step
// of one resolution (NEST's init_buffers_, which runs once per neuron). The resolution is computed
// as NEST's Time::get_ms does, tics·(1/tics_per_ms), which for some grids differs in the last bit
// from tics_per_step/tics_per_ms.
func (c *odeCore) prepare(g clock.Grid) {
	c.h, c.grid = float64(g.TicsPerStep)*(1/g.TicsPerMs), g
	for i, h := range c.hInt {
		if h == 0 {
			c.hInt[i] = c.h
		}
	}
}

// fail reports that neuron i cannot be advanced: a NumericalInstability naming the model and the
// neuron, wrapping the integrator's error.
func (c *odeCore) fail(s *Step, i int, err error) {
	s.Err = fmt.Errorf("%w: %w", status.Errorf(status.NumericalInstability,
		"%s: numerical instability while updating neuron %d of its block", c.model, i), err)
	s.ErrIndex = i
}

// write encodes the shared state.
func (c *odeCore) write(e *state.Encoder) {
	e.Int(c.dim)
	e.F64(c.h)
	e.I64(c.grid.TicsPerStep)
	e.F64(c.grid.TicsPerMs)
	e.F64s(c.y)
	e.F64s(c.hInt)
	e.I64s(c.r)
	e.F64s(c.iStim)
}

// read decodes what write wrote, for n neurons.
func (c *odeCore) read(d *state.Decoder, n int) {
	if dim := d.Int(); dim != c.dim && d.Err() == nil {
		d.Fail("state dimension %d, expected %d", dim, c.dim)
	}
	c.h = d.F64()
	c.grid.TicsPerStep = d.I64()
	c.grid.TicsPerMs = d.F64()
	c.y = d.F64s()
	c.hInt = d.F64s()
	c.r = d.I64s()
	c.iStim = d.F64s()
	d.LenIs(c.model+" state", len(c.y), n*c.dim)
	d.LenIs(c.model+" integration steps", len(c.hInt), n)
	d.LenIs(c.model+" refractory counters", len(c.r), n)
	d.LenIs(c.model+" stimulus currents", len(c.iStim), n)
}

// stateVar names a status key of the state vector: y[idx].
type stateVar struct {
	name, unit, doc string
	idx             int
}

// writeStateVars writes the named state variables of y into d.
func writeStateVars(d status.Dict, y []float64, vs []stateVar) {
	for _, v := range vs {
		d[v.name] = y[v.idx]
	}
}

// readStateVars reads the named state variables present in r into y.
func readStateVars(r *status.Reader, y []float64, vs []stateVar) error {
	for _, v := range vs {
		if _, err := r.Float(v.name, &y[v.idx]); err != nil {
			return err
		}
	}
	return nil
}

// docStateVars documents the state variables with the values of y as defaults.
func docStateVars(y []float64, vs []stateVar) []ParamDoc {
	out := make([]ParamDoc, 0, len(vs))
	for _, v := range vs {
		out = append(out, ParamDoc{Name: v.name, Unit: v.unit, Default: y[v.idx], Doc: v.doc})
	}
	return out
}

// odeModel is the part of a GSL-integrated neuron model that holds its defaults: the parameters
// and the initial state vector.
type odeModel[P any] struct {
	name     string
	p        P
	y        []float64
	fields   []field[P]
	vars     []stateVar
	validate func(p *P, y []float64, model string) error
}

// Name implements NeuronModel.
func (m *odeModel[P]) Name() string { return m.name }

func (m *odeModel[P]) copyAs(name string) odeModel[P] {
	c := *m
	c.name = name
	c.y = append([]float64(nil), m.y...)
	return c
}

// Defaults implements NeuronModel.
func (m *odeModel[P]) Defaults() status.Dict {
	d := status.Dict{}
	writeFields(d, &m.p, m.fields)
	writeStateVars(d, m.y, m.vars)
	return d
}

// SetDefaults implements NeuronModel.
func (m *odeModel[P]) SetDefaults(r *status.Reader) error {
	p, y, err := m.read(r, m.p, m.y)
	if err != nil {
		return err
	}
	m.p, m.y = p, y
	return nil
}

// read applies r to copies of p and y (parameters first, then state, then validation, as NEST's
// set_status) and returns them; the originals are untouched.
func (m *odeModel[P]) read(r *status.Reader, p P, y []float64) (P, []float64, error) {
	y = append([]float64(nil), y...)
	if err := readFields(r, &p, m.fields); err != nil {
		return p, y, err
	}
	if err := readStateVars(r, y, m.vars); err != nil {
		return p, y, err
	}
	return p, y, m.validate(&p, y, m.name)
}

// Params implements NeuronModel.
func (m *odeModel[P]) Params() []ParamDoc {
	return append(docFields(&m.p, m.fields), docStateVars(m.y, m.vars)...)
}

// Channel implements NeuronModel: spikes and currents on receptor 0.
func (m *odeModel[P]) Channel(kind EventKind, rport int) (Channel, error) {
	return singlePort(m.name, kind, rport, ChanSpike, ChanI0)
}

// Channels implements NeuronModel.
func (m *odeModel[P]) Channels() []Channel { return []Channel{ChanSpike, ChanI0} }

// odeBlock is the common part of the blocks of the GSL-integrated neurons: the per-neuron
// parameters next to the shared state, with Get, Set, Prepare and the state hooks. derive
// recomputes the values a model derives from the parameters of neuron i and the grid.
type odeBlock[P any] struct {
	odeCore
	m      *odeModel[P]
	p      []P
	derive func(i int)
}

// appendFrom adds n neurons with the defaults of m.
func (b *odeBlock[P]) appendFrom(m *odeModel[P], n int) {
	for range n {
		b.p = append(b.p, m.p)
		b.appendNeuron(m.y)
	}
}

// Get writes the parameters and state of neuron i into d.
func (b *odeBlock[P]) Get(i int, d status.Dict) {
	writeFields(d, &b.p[i], b.m.fields)
	writeStateVars(d, b.vec(i), b.m.vars)
}

// Set validates r and applies it to neuron i, all or nothing.
func (b *odeBlock[P]) Set(i int, r *status.Reader) error {
	p, y, err := b.m.read(r, b.p[i], b.vec(i))
	if err != nil {
		return err
	}
	b.p[i] = p
	copy(b.vec(i), y)
	if b.h > 0 {
		b.derive(i)
	}
	return nil
}

// Prepare recomputes the derived values of every neuron for the grid g.
func (b *odeBlock[P]) Prepare(g clock.Grid) {
	b.prepare(g)
	for i := range b.p {
		b.derive(i)
	}
}

// WriteState writes every neuron's parameters and its complete integration state: the state
// vector, the carried integration step, the refractory counter and the stimulus current.
func (b *odeBlock[P]) WriteState(e *state.Encoder) {
	writeHeader(e, b.model, len(b.p))
	writeParams(e, b.p, b.m.fields)
	b.write(e)
}

// ReadState replaces the block's contents with what WriteState wrote.
func (b *odeBlock[P]) ReadState(d *state.Decoder) error {
	n := readHeader(d, b.model)
	p := readParams(d, n, b.m.fields)
	c := newODECore(b.model, b.dim)
	c.read(d, len(p))
	if err := d.Err(); err != nil {
		return err
	}
	b.p, b.odeCore = p, c
	if b.h > 0 {
		for i := range b.p {
			b.derive(i)
		}
	}
	return nil
}

// appendCopy adds neuron i of s with its parameters and complete integration state (an empty
// block that was never prepared takes the grid of s, see adoptGrid). The derived values live in
// the model's block: put copies those of neuron i of s to the new neuron k when both blocks are
// on the same grid; on another grid a prepared block derives them anew, and an unprepared block
// leaves them to Prepare, as Append does.
func (b *odeBlock[P]) appendCopy(s *odeBlock[P], i int, put func(k int)) {
	same := adoptGrid(&b.h, &b.grid, b.Len(), s.h, s.grid)
	b.p = append(b.p, s.p[i])
	b.odeCore.appendCopy(&s.odeCore, i)
	switch k := b.Len() - 1; {
	case b.h == 0:
	case same:
		put(k)
	default:
		b.derive(k)
	}
}

// setAt returns xs with xs[k] = x, grown with zero values as needed (the derived arrays of the
// ODE blocks are filled as neurons are derived).
func setAt[T any](xs []T, k int, x T) []T {
	for len(xs) <= k {
		var zero T
		xs = append(xs, zero)
	}
	xs[k] = x
	return xs
}
