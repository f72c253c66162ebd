package models

import (
	"fmt"
	"math"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// deltaParams are the parameters of one iaf_psc_delta neuron, in absolute units (mV, pF, ms, pA).
type deltaParams struct {
	EL, Cm, TauM, TRef, VTh, VReset, IE, VMin float64
	// RefractoryInput: spikes arriving during the refractory period are added, decayed, when it ends.
	RefractoryInput bool
}

// deltaFields is the parameter table of iaf_psc_delta. E_L must stay first (readShiftingEL).
var deltaFields = []field[deltaParams]{
	floatField("E_L", "mV", "Resting membrane potential", func(p *deltaParams) *float64 { return &p.EL }),
	floatField("C_m", "pF", "Capacitance of the membrane", func(p *deltaParams) *float64 { return &p.Cm }),
	floatField("tau_m", "ms", "Membrane time constant", func(p *deltaParams) *float64 { return &p.TauM }),
	floatField("t_ref", "ms", "Duration of refractory period", func(p *deltaParams) *float64 { return &p.TRef }),
	floatField("V_th", "mV", "Spike threshold", func(p *deltaParams) *float64 { return &p.VTh }),
	floatField("V_reset", "mV", "Reset potential of the membrane", func(p *deltaParams) *float64 { return &p.VReset }),
	floatField("I_e", "pA", "Constant input current", func(p *deltaParams) *float64 { return &p.IE }),
	floatField("V_min", "mV", "Absolute lower value for the membrane potential", func(p *deltaParams) *float64 { return &p.VMin }),
	boolField("refractory_input", "If true, spikes arriving during the refractory period are added to the membrane "+
		"potential when it ends, decayed by exp(-(time to end of refractoriness)/tau_m)",
		func(p *deltaParams) *bool { return &p.RefractoryInput }),
}

// validate checks p in NEST's order (iaf_psc_delta::Parameters_::set).
func (p *deltaParams) validate(model string) error {
	switch {
	case p.VReset >= p.VTh:
		return badProperty(model, "Reset potential must be smaller than threshold (V_reset %g >= V_th %g).", p.VReset, p.VTh)
	case p.Cm <= 0:
		return badProperty(model, "Capacitance must be >0 (C_m = %g).", p.Cm)
	case p.TRef < 0:
		return badProperty(model, "Refractory time must not be negative (t_ref = %g).", p.TRef)
	case p.TauM <= 0:
		return badProperty(model, "Membrane time constant must be > 0 (tau_m = %g).", p.TauM)
	}
	return nil
}

// IafPscDelta is the model iaf_psc_delta: a leaky integrate-and-fire neuron whose membrane
// potential jumps by the weight (in mV) of every arriving spike, integrated exactly.
type IafPscDelta struct {
	name string
	p    deltaParams
	vm   float64 // initial membrane potential (mV)
}

// NewIafPscDelta returns the model with NEST's defaults. V_min defaults to −DBL_MAX (NEST stores
// it relative to E_L; −DBL_MAX − E_L rounds to −DBL_MAX, so it is effectively unbounded and
// reported as −DBL_MAX either way).
func NewIafPscDelta() NeuronModel {
	return &IafPscDelta{name: "iaf_psc_delta", vm: -70, p: deltaParams{
		EL: -70, Cm: 250, TauM: 10, TRef: 2, VTh: -55, VReset: -70, IE: 0,
		VMin: -math.MaxFloat64, RefractoryInput: false,
	}}
}

// Name implements NeuronModel.
func (m *IafPscDelta) Name() string { return m.name }

// Copy implements NeuronModel.
func (m *IafPscDelta) Copy(name string) NeuronModel { c := *m; c.name = name; return &c }

// Defaults implements NeuronModel.
func (m *IafPscDelta) Defaults() status.Dict {
	d := status.Dict{"V_m": m.vm}
	writeFields(d, &m.p, deltaFields)
	return d
}

// SetDefaults implements NeuronModel.
func (m *IafPscDelta) SetDefaults(r *status.Reader) error {
	p, vm := m.p, m.vm
	if _, err := readShiftingEL(r, &p, deltaFields); err != nil {
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
func (m *IafPscDelta) Params() []ParamDoc {
	return append(docFields(&m.p, deltaFields), ParamDoc{Name: "V_m", Unit: "mV", Default: m.vm, Doc: "Membrane potential"})
}

// Recordables implements NeuronModel.
func (m *IafPscDelta) Recordables() []string { return []string{"V_m"} }

// Doc implements NeuronModel.
func (m *IafPscDelta) Doc() string {
	return "Leaky integrate-and-fire neuron model with delta-shaped input currents, integrated exactly. " +
		"The membrane potential jumps by the weight (mV) of each arriving spike in the step the spike arrives. " +
		"Spikes arriving during the refractory period are discarded unless refractory_input is true; then " +
		"they are added at the end of the refractory period, decayed by the time that remained."
}

// Channel implements NeuronModel.
func (m *IafPscDelta) Channel(kind EventKind, rport int) (Channel, error) {
	return singlePort(m.name, kind, rport, ChanSpike, ChanI0)
}

// Channels implements NeuronModel.
func (m *IafPscDelta) Channels() []Channel { return []Channel{ChanSpike, ChanI0} }

// NewBlock implements NeuronModel.
func (m *IafPscDelta) NewBlock() Block { return &deltaBlock{model: m.name} }

// deltaBlock holds iaf_psc_delta neurons of one VP as arrays. Membrane potentials are stored
// relative to E_L (y3 = V_m − E_L), as in NEST.
type deltaBlock struct {
	model string
	h     float64
	grid  clock.Grid
	p     []deltaParams
	// state: y0 is the external current read in the previous step (pA), y3 the relative membrane
	// potential (mV), refrBuf the refractory-input accumulator (mV), r the refractory steps left.
	y0, y3, refrBuf []float64
	r               []int64
	// derived, per neuron (see derive)
	pr []deltaProp
	// pop: one parameter set and no current inputs (updateOnePopulation)
	pop popState
}

// deltaProp holds the propagators and relative thresholds of one neuron for resolution h.
type deltaProp struct {
	p33, p30                float64
	theta, vReset, vMin, iE float64 // relative to E_L (iE in pA)
	tauM                    float64
	refrInput               int64 // 1 with refractory_input (a word: no padding, see allSame)
	refr                    int64
}

func (b *deltaBlock) Len() int { return len(b.p) }

func (b *deltaBlock) Append(m NeuronModel, n int) {
	mm := m.(*IafPscDelta)
	for range n {
		b.p = append(b.p, mm.p)
		b.y0 = append(b.y0, 0)
		b.y3 = append(b.y3, mm.vm-mm.p.EL)
		b.refrBuf = append(b.refrBuf, 0)
		b.r = append(b.r, 0)
		b.pr = append(b.pr, deltaProp{})
		if b.h > 0 {
			b.derive(len(b.p) - 1)
		}
	}
}

func (b *deltaBlock) Get(i int, d status.Dict) {
	writeFields(d, &b.p[i], deltaFields)
	d["V_m"] = b.y3[i] + b.p[i].EL
}

func (b *deltaBlock) Set(i int, r *status.Reader) error {
	p, y3, err := setWithVm(r, b.p[i], b.y3[i], deltaFields, func(p *deltaParams) error { return p.validate(b.model) })
	if err != nil {
		return err
	}
	b.p[i], b.y3[i] = p, y3
	if b.h > 0 {
		b.derive(i)
	}
	return nil
}

func (b *deltaBlock) Prepare(g clock.Grid) {
	b.h, b.grid = g.H(), g
	for i := range b.p {
		b.derive(i)
	}
}

// derive computes the propagators of neuron i for resolution h:
//
//	P33 = e^{−h/τm},  P30 = (1/C)·(1 − P33)·τm,
//
// the thresholds relative to E_L and the refractory step count (t_ref in tics, rounded up to steps).
func (b *deltaBlock) derive(i int) {
	b.pop.sharedKnown = false
	p, h := &b.p[i], b.h
	pr := &b.pr[i]
	pr.p33 = math.Exp(-h / p.TauM)
	pr.p30 = 1 / p.Cm * (1 - pr.p33) * p.TauM
	pr.theta = p.VTh - p.EL
	pr.vReset = p.VReset - p.EL
	pr.vMin = p.VMin - p.EL
	pr.iE = p.IE
	pr.tauM = p.TauM
	pr.refrInput = 0
	if p.RefractoryInput {
		pr.refrInput = 1
	}
	pr.refr = b.grid.Steps(p.TRef)
}

// Update advances all neurons by one step in NEST's order. With w the sum of this step's spike
// weights (mV, excitatory and inhibitory):
//
//	not refractory:  y3 ← P30·(y0 + I_e) + P33·y3 + w  (+ the refractory accumulator, then zeroed,
//	                 if refractory_input);  y3 ← max(y3, V_min − E_L)
//	refractory:      accumulator += w·e^{−r·h/τm} if refractory_input (r = steps left before the
//	                 decrement), else w is dropped;  r ← r − 1
//
// then the threshold y3 ≥ V_th − E_L (spike, reset, r ← RefractoryCounts). The external current
// read in this step acts from the next one (y0).
func (b *deltaBlock) Update(s *Step) {
	// Without current inputs y0 is zero after one step (the kernel's row of zeros).
	if shared, idle := stepPop(&b.pop, b.pr, s); idle && shared && len(b.pr) > 0 && b.pr[0].refrInput == 0 {
		b.updateOnePopulation(s)
		return
	}
	n := len(b.p)
	ex, in, i0 := s.Ex[:n], s.In[:n], s.I0[:n]
	y0, y3, refrBuf, r, pr := b.y0[:n], b.y3[:n], b.refrBuf[:n], b.r[:n], b.pr[:n]
	h := b.h
	for i := range ex {
		q := &pr[i]
		w := ex[i] + in[i]
		if r[i] == 0 {
			v := q.p30*(y0[i]+q.iE) + q.p33*y3[i] + w
			if q.refrInput != 0 && refrBuf[i] != 0 {
				v += refrBuf[i]
				refrBuf[i] = 0
			}
			if v < q.vMin {
				v = q.vMin
			}
			y3[i] = v
		} else {
			if q.refrInput != 0 && w != 0 {
				refrBuf[i] += w * math.Exp(float64(-r[i])*h/q.tauM)
			}
			r[i]--
		}
		if y3[i] >= q.theta {
			r[i] = q.refr
			y3[i] = q.vReset
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		y0[i] = i0[i]
		ex[i], in[i], i0[i] = 0, 0, 0
	}
}

// updateOnePopulation is Update's loop for the most common block: one parameter set (shared),
// no current inputs (y0 = 0) and no refractory input. The propagators are held in registers and
// the constant drive P30·(0 + I_e) computed once; the arithmetic, and so every bit of the result,
// is the general loop's (TestIafPscDeltaOnePopulationPath).
func (b *deltaBlock) updateOnePopulation(s *Step) {
	n := len(b.p)
	ex, in := s.Ex[:n], s.In[:n]
	y3, r := b.y3[:n], b.r[:n]
	q := &b.pr[0]
	p33, theta, vMin, vReset, refr := q.p33, q.theta, q.vMin, q.vReset, q.refr
	drive := q.p30 * (0 + q.iE)
	for i := range ex {
		if r[i] == 0 {
			v := drive + p33*y3[i] + (ex[i] + in[i])
			if v < vMin {
				v = vMin
			}
			y3[i] = v
		} else {
			r[i]--
		}
		if y3[i] >= theta {
			r[i] = refr
			y3[i] = vReset
			s.Spikes = append(s.Spikes, Spike{Index: int32(i), Mult: 1})
		}
		ex[i], in[i] = 0, 0
	}
}

func (b *deltaBlock) Sample(rec int, i int) float64 {
	return b.y3[i] + b.p[i].EL
}

// WriteState writes the parameters and y0 (the current of the previous step), y3 (V_m − E_L),
// the refractory-input accumulator and the refractory steps left.
func (b *deltaBlock) WriteState(e *state.Encoder) {
	writeHeader(e, "iaf_psc_delta", len(b.p))
	writeParams(e, b.p, deltaFields)
	for _, col := range [][]float64{b.y0, b.y3, b.refrBuf} {
		e.F64s(col)
	}
	e.I64s(b.r)
}

// ReadState implements Block.
func (b *deltaBlock) ReadState(d *state.Decoder) error {
	n := readHeader(d, "iaf_psc_delta")
	p := readParams(d, n, deltaFields)
	c := readColumns(d, n, "y0", "y3", "refractory input")
	r := readCounts(d, n, "refractory steps")
	checkParams(d, p, func(p *deltaParams) error { return p.validate(b.model) })
	if err := d.Err(); err != nil {
		return fmt.Errorf("reading the state of a %s block: %w", b.model, err)
	}
	b.p, b.r = p, r
	b.y0, b.y3, b.refrBuf = c[0], c[1], c[2]
	b.pr = make([]deltaProp, n)
	b.pop.forget()
	if b.h > 0 {
		for i := range n {
			b.derive(i)
		}
	}
	return nil
}

// AppendFrom implements Block: the parameters, y0, y3, the refractory-input accumulator, the
// refractory steps left and the propagators of neuron i of src.
func (b *deltaBlock) AppendFrom(src Block, i int) {
	s := sameBlock(b, src)
	same := adoptGrid(&b.h, &b.grid, len(b.p), s.h, s.grid)
	b.p = append(b.p, s.p[i])
	b.y0 = append(b.y0, s.y0[i])
	b.y3 = append(b.y3, s.y3[i])
	b.refrBuf = append(b.refrBuf, s.refrBuf[i])
	b.r = append(b.r, s.r[i])
	b.pr = append(b.pr, s.pr[i])
	b.pop.forget()
	if !same && b.h > 0 {
		b.derive(len(b.p) - 1)
	}
}
