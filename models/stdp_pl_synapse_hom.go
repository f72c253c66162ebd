package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// StdpPlParams are the common properties of stdp_pl_synapse_hom: the power-law STDP rule of
// Morrison et al. (2007), shared by all connections of the model.
type StdpPlParams struct {
	TauPlus, Lambda, Alpha, Mu float64
}

var stdpPlFields = []field[StdpPlParams]{
	floatField("tau_plus", "ms", "Time constant of the presynaptic trace", func(p *StdpPlParams) *float64 { return &p.TauPlus }),
	floatField("lambda", "", "Learning rate", func(p *StdpPlParams) *float64 { return &p.Lambda }),
	floatField("alpha", "", "Asymmetry factor: depression step = alpha*lambda*w*K-", func(p *StdpPlParams) *float64 { return &p.Alpha }),
	floatField("mu", "", "Exponent of the weight dependence of facilitation", func(p *StdpPlParams) *float64 { return &p.Mu }),
}

// DefaultStdpPl returns NEST's defaults.
func DefaultStdpPl() StdpPlParams { return StdpPlParams{TauPlus: 20, Lambda: 0.1, Alpha: 1, Mu: 0.4} }

// Validate checks tau_plus > 0 (NEST checks nothing else; a NaN fails, as in NEST).
func (p *StdpPlParams) Validate(model string) error {
	if !(p.TauPlus > 0) {
		return badProperty(model, "tau_plus > 0 required (tau_plus = %g).", p.TauPlus)
	}
	return nil
}

// Facilitate returns the weight after potentiation by a presynaptic trace value k:
//
//	w' = w + λ·w^μ·k.
//
// The power comes from t when it is the table of μ (newPowTable), else from stdpPow.
func (p *StdpPlParams) Facilitate(w, k float64, t *powTable) float64 {
	if t != nil && t.mu == p.Mu {
		return w + float64(float64(p.Lambda*t.pow(w))*k)
	}
	return w + float64(float64(p.Lambda*stdpPow(w, p.Mu))*k)
}

// zeroTraceKeeps reports whether facilitation by a zero trace value leaves every weight w with
// 0 < w <= 1e300 unchanged, bit for bit, so that the power need not be computed: for
// 0 <= μ <= 1 the power w^μ is at most max(1, w)·(1 + 2^−52), so λ·w^μ is finite for |λ| <= 1e7,
// its product with k = ±0 is ±0, and w + ±0 = w for w != 0. (A zero trace is K+ = 0 before a
// connection's first presynaptic spike, or an exponential that underflows.)
func (p *StdpPlParams) zeroTraceKeeps() bool {
	return p.Mu >= 0 && p.Mu <= 1 && math.Abs(p.Lambda) <= 1e7
}

// Depress returns the weight after depression by a postsynaptic trace value k:
//
//	w' = max(w − λ·α·w·k, 0)   (evaluated as ((λ·α)·w)·k; a NaN gives 0, as in NEST).
func (p *StdpPlParams) Depress(w, k float64) float64 {
	nw := w - float64(float64(p.Lambda*p.Alpha*w)*k)
	if nw > 0 {
		return nw
	}
	return 0
}

// StdpPlSynapse is stdp_pl_synapse_hom: power-law STDP with additive depression and common
// parameters (SetDefaults/CopyModel only). Per connection it keeps the presynaptic trace Kplus
// and the time of the last presynaptic spike.
type StdpPlSynapse struct {
	name string
	SynBase
	Stdp StdpPlParams
	// tauPlusInv is 1/τ+, by which NEST multiplies (rather than divides by τ+).
	tauPlusInv float64
	// zeroKeeps caches Stdp.zeroTraceKeeps.
	zeroKeeps bool
	// pow makes the table of w^μ when first sent through (shared by copies of the model: a
	// table is never changed once made; a new μ gets a new one)
	pow   *lazyPow
	Kplus float64
}

// NewStdpPlSynapseHom returns stdp_pl_synapse_hom with NEST's defaults.
func NewStdpPlSynapseHom() SynapseModel {
	p := DefaultStdpPl()
	return &StdpPlSynapse{name: "stdp_pl_synapse_hom", SynBase: SynBase{Weight: 1, Delay: 1}, Stdp: p, tauPlusInv: 1 / p.TauPlus, zeroKeeps: p.zeroTraceKeeps(), pow: newLazyPow(p.Mu)}
}

// Name implements SynapseModel.
func (m *StdpPlSynapse) Name() string { return m.name }

// Copy implements SynapseModel.
func (m *StdpPlSynapse) Copy(name string) SynapseModel { c := *m; c.name = name; return &c }

// Base implements SynapseModel.
func (m *StdpPlSynapse) Base() *SynBase { return &m.SynBase }

// Defaults implements SynapseModel.
func (m *StdpPlSynapse) Defaults() status.Dict {
	d := m.defaults(m.name, m.SizeOf())
	writeFields(d, &m.Stdp, stdpPlFields)
	d["Kplus"] = m.Kplus
	return d
}

// SetDefaults implements SynapseModel.
func (m *StdpPlSynapse) SetDefaults(r *status.Reader) error {
	c := *m
	if err := c.SynBase.read(r); err != nil {
		return err
	}
	if err := readFields(r, &c.Stdp, stdpPlFields); err != nil {
		return err
	}
	if _, err := r.Float("Kplus", &c.Kplus); err != nil {
		return err
	}
	if err := c.Stdp.Validate(c.name); err != nil {
		return err
	}
	c.tauPlusInv, c.zeroKeeps = 1/c.Stdp.TauPlus, c.Stdp.zeroTraceKeeps()
	if c.pow == nil || c.pow.mu != c.Stdp.Mu {
		c.pow = newLazyPow(c.Stdp.Mu)
	}
	*m = c
	return nil
}

// CommonKeys implements SynapseModel.
func (m *StdpPlSynapse) CommonKeys() []string {
	return []string{"weight_recorder", "tau_plus", "lambda", "alpha", "mu"}
}

// ConnKeys implements SynapseModel.
func (m *StdpPlSynapse) ConnKeys() []string { return []string{"Kplus"} }

// ConnDefaults implements SynapseModel.
func (m *StdpPlSynapse) ConnDefaults(dst []float64) { dst[0] = m.Kplus }

// Params implements SynapseModel.
func (m *StdpPlSynapse) Params() []ParamDoc {
	common := docFields(&m.Stdp, stdpPlFields)
	for i := range common {
		common[i].Doc += " (common property: SetDefaults/CopyModel only)"
	}
	out := append(m.docs(), common...)
	return append(out, ParamDoc{Name: "Kplus", Default: m.Kplus, Doc: "Presynaptic trace (state)"})
}

// Doc implements SynapseModel.
func (m *StdpPlSynapse) Doc() string {
	return "Spike-timing dependent plasticity with power-law weight dependence (Morrison et al. 2007); " +
		"tau_plus, lambda, alpha and mu are common to all connections of the model. " +
		"Facilitation w += lambda*w^mu*K+ at each postsynaptic spike, depression w -= lambda*alpha*w*K- " +
		"(not below 0) at each presynaptic spike; all delay is dendritic."
}

// SizeOf implements SynapseModel: the kernel's 16 bytes, Kplus and t_lastspike.
func (m *StdpPlSynapse) SizeOf() int { return 16 + 16 }

// NewState implements SynapseModel.
func (m *StdpPlSynapse) NewState() SynState { return &stdpPlState{m: m} }

// NeedsHistory implements SynapseModel.
func (m *StdpPlSynapse) NeedsHistory() bool { return true }

// stdpPlState holds the per-connection state of one stdp_pl_synapse_hom model on one VP: K+ and
// t_last, kept once per run of connections of one source where they agree (preTrace).
type stdpPlState struct {
	m  *StdpPlSynapse
	tr preTrace
	ge gridExp // the facilitation's exponentials
}

func (s *stdpPlState) Len() int { return s.tr.len() }

// Add appends a connection; NEST checks neither Kplus nor the weight.
func (s *stdpPlState) Add(vals []float64, _ float64) error {
	s.tr.push(vals[0], 0)
	return nil
}

// AddRun implements RunAdder: K+ and t_last do not depend on the weight.
func (s *stdpPlState) AddRun(vals []float64, n int) bool {
	s.tr.pushN(vals[0], 0, n)
	return true
}

func (s *stdpPlState) Truncate(n int) { s.tr.truncate(n) }

func (s *stdpPlState) Permute(perm []int32) { s.tr.permute(perm) }

// Grow reserves room for n more connections (the kernel reserves a rule's count before a build):
// none while K+ and t_last are kept per run.
func (s *stdpPlState) Grow(n int) { s.tr.grow(n) }

// WantSources implements SourceAware.
func (s *stdpPlState) WantSources() bool { return s.tr.WantSources() }

// Sources implements SourceAware.
func (s *stdpPlState) Sources(start []uint32) { s.tr.Sources(start) }

// Send applies NEST's stdp_pl_synapse_hom update for a presynaptic spike at time t to every
// connection of the batch. With d the (dendritic) delay, t_last the previous presynaptic spike,
// K+ the presynaptic trace after it and 1/τ+ NEST's cached inverse:
//
//  1. facilitation by every postsynaptic spike t_post in (t_last − d, t − d], oldest first:
//     w ← w + λ·w^μ·K+·exp((t_last − (t_post + d))/τ+) (the exponential of a grid time from a
//     table, gridExp);
//  2. depression by the postsynaptic trace just before t − d: w ← max(w − λ·α·w·K−(t − d), 0);
//  3. the spike carries the new w; K+ ← K+·exp((t_last − t)·(1/τ+)) + 1, t_last ← t.
//
// K+ and t_last are read and updated once per run of connections that share them.
func (s *stdpPlState) Send(b *SendBatch) {
	tr, inv, t := &s.tr, s.m.tauPlusInv, b.T
	s.ge.prepare(b.Grid.H(), s.m.Stdp.TauPlus)
	// The factor exp((t_last − t)·(1/τ+)) is computed once for consecutive runs (or connections)
	// with the same t_last.
	decayT, decay := math.NaN(), 0.0
	r0, r1 := tr.runs(b.First, b.Last, b.Source)
	for r := r0; r < r1; r++ {
		lo, hi := tr.bounds(r)
		kplus, tLast := tr.k[r], tr.t[r]
		s.sendRun(b, lo, hi, kplus, tLast)
		if tLast != decayT {
			decayT, decay = tLast, math.Exp((tLast-t)*inv)
		}
		tr.k[r], tr.t[r] = float64(kplus*decay)+1, t
	}
}

// sendRun applies steps 1 and 2 to the connections [lo, hi) of the batch, which share K+ kplus
// and t_last tLast. The delay's times are computed once for consecutive connections with the
// same delay.
func (s *stdpPlState) sendRun(b *SendBatch, lo, hi int, kplus, tLast float64) {
	p, pw, t, zeroKeeps, arch := &s.m.Stdp, s.m.pow.table(), b.T, s.m.zeroKeeps, b.Arch
	dr, ws, tgts, out := b.run(lo, hi)
	win, h := newStdpWindow(), b.Grid.H()
	for i, x := range dr {
		win.at(x, b.Grid, tLast, t)
		tgt := int(tgts[i])
		w := ws[i]
		if lt := arch.LastHistT(tgt); lt >= win.t1 { // some postsynaptic spikes may lie in the window
			// A zero trace value leaves w unchanged where keepsAtZero allows (w + λ·w^μ·0 = w):
			// K+ = ±0 before a source's first spike gives only zeros (the window's exponentials
			// are finite, their arguments at most about 0), and an exponential may underflow.
			// The window is read even so: read counts are state. (The latest spike alone comes from
			// the trace record; the facilitation is written out in both branches: a helper would be
			// a call per spike, which the inliner refuses.)
			if arch.OnlyLatest(tgt, win.t1, win.t2) {
				if k := kplus * s.ge.exp(tLast-(lt+win.d)); k != 0 || !keepsAtZero(zeroKeeps, w) {
					w = p.Facilitate(w, k, pw)
				}
			} else if hist := arch.History(tgt, win.t1, win.t2); kplus != 0 || !keepsAtZero(zeroKeeps, w) {
				for _, he := range hist {
					if k := kplus * s.ge.exp(tLast-(he.T+win.d)); k != 0 || !keepsAtZero(zeroKeeps, w) {
						w = p.Facilitate(w, k, pw)
					}
				}
			}
		}
		w = p.Depress(w, arch.KValue(tgt, win.tq, h))
		ws[i] = w
		out[i] = w
	}
}

// keepsAtZero reports whether facilitation by a zero trace leaves w unchanged, bit for bit
// (zeroKeeps: the model's zeroTraceKeeps, which covers 0 < w <= 1e300).
func keepsAtZero(zeroKeeps bool, w float64) bool { return zeroKeeps && w > 0 && w <= 1e300 }

func (s *stdpPlState) Value(j int, key string) (float64, bool) {
	switch key {
	case "Kplus":
		k, _ := s.tr.at(j)
		return k, true
	case "t_lastspike":
		_, t := s.tr.at(j)
		return t, true
	}
	return 0, false
}

// Set applies Kplus; NEST validates nothing per connection. The common properties are left unread
// (the kernel then refuses them as not settable on a connection).
func (s *stdpPlState) Set(j int, r *status.Reader, _ float64, apply bool) error {
	kplus, _ := s.tr.at(j)
	if _, err := r.Float("Kplus", &kplus); err != nil {
		return err
	}
	if apply {
		s.tr.set(j, kplus)
	}
	return nil
}

// WriteState writes K+ and t_last of every connection (as two float64 arrays, however they are
// kept).
func (s *stdpPlState) WriteState(e *state.Encoder) { s.tr.write(e) }

func (s *stdpPlState) ReadState(d *state.Decoder) error { return s.tr.read(d) }

// AppendFrom implements SynState: K+ and t_lastspike of connection j of src.
func (s *stdpPlState) AppendFrom(src SynState, j int) {
	s.tr.push(sameState(s, src).tr.at(j))
}
