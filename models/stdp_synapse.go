package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
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
	norm := w/p.Wmax + p.Lambda*stdpPow(1-w/p.Wmax, p.MuPlus)*k
	if norm > 1 {
		norm = 1
	}
	return norm * p.Wmax
}

// Depress returns the weight after depression by a postsynaptic trace value k:
//
//	ŵ = w/Wmax − α·λ·(w/Wmax)^μ− · k,   w' = max(ŵ, 0)·Wmax.
func (p *StdpParams) Depress(w, k float64) float64 {
	norm := w/p.Wmax - p.Alpha*p.Lambda*stdpPow(w/p.Wmax, p.MuMinus)*k
	if norm < 0 {
		norm = 0
	}
	return norm * p.Wmax
}

// linear reports whether both weight dependences are linear (μ+ = μ− = 1, NEST's default), where
// facilitateLin and depressLin compute Facilitate and Depress (inlined: stdpPow(x, 1) is x).
func (p *StdpParams) linear() bool { return p.MuPlus == 1 && p.MuMinus == 1 }

func (p *StdpParams) facilitateLin(w, k float64) float64 {
	norm := w/p.Wmax + p.Lambda*(1-w/p.Wmax)*k
	if norm > 1 {
		norm = 1
	}
	return norm * p.Wmax
}

func (p *StdpParams) depressLin(w, k float64) float64 {
	norm := w/p.Wmax - p.Alpha*p.Lambda*(w/p.Wmax)*k
	if norm < 0 {
		norm = 0
	}
	return norm * p.Wmax
}

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

// StdpSynapse is stdp_synapse (hom false: the STDP parameters are per connection) and
// stdp_synapse_hom (hom true: they are common properties of the model). Per connection both keep
// the presynaptic trace Kplus and the time of the last presynaptic spike.
type StdpSynapse struct {
	name string
	hom  bool
	SynBase
	Stdp  StdpParams
	Kplus float64
}

// NewStdpSynapse returns stdp_synapse with NEST's defaults.
func NewStdpSynapse() SynapseModel {
	return &StdpSynapse{name: "stdp_synapse", SynBase: SynBase{Weight: 1, Delay: 1}, Stdp: DefaultStdp()}
}

// NewStdpSynapseHom returns stdp_synapse_hom with NEST's defaults.
func NewStdpSynapseHom() SynapseModel {
	return &StdpSynapse{name: "stdp_synapse_hom", hom: true, SynBase: SynBase{Weight: 1, Delay: 1}, Stdp: DefaultStdp()}
}

// Name implements SynapseModel.
func (m *StdpSynapse) Name() string { return m.name }

// Copy implements SynapseModel.
func (m *StdpSynapse) Copy(name string) SynapseModel { c := *m; c.name = name; return &c }

// Base implements SynapseModel.
func (m *StdpSynapse) Base() *SynBase { return &m.SynBase }

// Defaults implements SynapseModel.
func (m *StdpSynapse) Defaults() status.Dict {
	d := m.defaults(m.name, m.SizeOf())
	writeFields(d, &m.Stdp, stdpFields)
	d["Kplus"] = m.Kplus
	return d
}

// SetDefaults implements SynapseModel.
func (m *StdpSynapse) SetDefaults(r *status.Reader) error {
	c := *m
	if err := c.SynBase.read(r); err != nil {
		return err
	}
	if err := readFields(r, &c.Stdp, stdpFields); err != nil {
		return err
	}
	if _, err := r.Float("Kplus", &c.Kplus); err != nil {
		return err
	}
	if err := c.Stdp.Validate(c.name, c.Weight, c.Kplus, !c.hom); err != nil {
		return err
	}
	*m = c
	return nil
}

// CommonKeys implements SynapseModel.
func (m *StdpSynapse) CommonKeys() []string {
	if m.hom {
		return []string{"weight_recorder", "tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax"}
	}
	return []string{"weight_recorder"}
}

// stdpConnKeys are stdp_synapse's per-connection keys, in draw order.
var stdpConnKeys = []string{"tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax", "Kplus"}

// ConnKeys implements SynapseModel.
func (m *StdpSynapse) ConnKeys() []string {
	if m.hom {
		return stdpConnKeys[6:]
	}
	return stdpConnKeys
}

// ConnDefaults implements SynapseModel.
func (m *StdpSynapse) ConnDefaults(dst []float64) {
	if !m.hom {
		p := m.Stdp
		copy(dst, []float64{p.TauPlus, p.Lambda, p.Alpha, p.MuPlus, p.MuMinus, p.Wmax})
	}
	dst[len(dst)-1] = m.Kplus
}

// Params implements SynapseModel.
func (m *StdpSynapse) Params() []ParamDoc {
	out := m.docs()
	out = append(out, docFields(&m.Stdp, stdpFields)...)
	return append(out, ParamDoc{Name: "Kplus", Default: m.Kplus, Doc: "Presynaptic trace (state)"})
}

// Doc implements SynapseModel.
func (m *StdpSynapse) Doc() string {
	if m.hom {
		return "stdp_synapse whose STDP parameters are common to all connections of the model (SetDefaults/CopyModel only)."
	}
	return "Spike-timing dependent plasticity with multiplicative weight dependence (Guetig et al. 2003); all delay is dendritic."
}

// SizeOf implements SynapseModel: the kernel's 16 bytes, Kplus and t_lastspike, and for
// stdp_synapse the six parameters.
func (m *StdpSynapse) SizeOf() int {
	if m.hom {
		return 16 + 16
	}
	return 16 + 16 + 48
}

// NewState implements SynapseModel. stdp_synapse keeps K+ and t_last per connection (its K+
// decays with each connection's τ+); stdp_synapse_hom once per run of connections of one source
// that share them (preTrace).
func (m *StdpSynapse) NewState() SynState {
	return &stdpState{m: m, tr: preTrace{fixed: !m.hom}}
}

// NeedsHistory implements SynapseModel.
func (m *StdpSynapse) NeedsHistory() bool { return true }

// stdpState holds the per-connection state of one STDP model on one VP.
type stdpState struct {
	m  *StdpSynapse
	tr preTrace     // K+ and t_last
	sp []StdpParams // per connection, stdp_synapse only
	ge gridExp      // the facilitation's exponentials, tabulated for the model's τ+
}

func (s *stdpState) Len() int { return s.tr.len() }

func (s *stdpState) Add(vals []float64, w float64) error {
	p := s.m.Stdp
	if !s.m.hom {
		p = StdpParams{TauPlus: vals[0], Lambda: vals[1], Alpha: vals[2], MuPlus: vals[3], MuMinus: vals[4], Wmax: vals[5]}
	}
	kplus := vals[len(vals)-1]
	if err := p.Validate(s.m.name, w, kplus, !s.m.hom); err != nil {
		return err
	}
	s.tr.push(kplus, 0)
	if !s.m.hom {
		s.sp = append(s.sp, p)
	}
	return nil
}

func (s *stdpState) Truncate(n int) {
	s.tr.truncate(n)
	if s.sp != nil {
		s.sp = s.sp[:n]
	}
}

func (s *stdpState) Permute(perm []int32) {
	s.tr.permute(perm)
	if s.sp != nil {
		s.sp = permuted(s.sp, perm)
	}
}

// WantSources implements SourceAware.
func (s *stdpState) WantSources() bool { return s.tr.WantSources() }

// Sources implements SourceAware.
func (s *stdpState) Sources(start []uint32) { s.tr.Sources(start) }

// params returns the STDP parameters of connection j.
func (s *stdpState) params(j int) *StdpParams {
	if s.sp != nil {
		return &s.sp[j]
	}
	return &s.m.Stdp
}

// Send applies NEST's stdp_synapse update for a presynaptic spike at time t to every connection
// of the batch. With d the (dendritic) delay, t_last the previous presynaptic spike and K+ the
// presynaptic trace:
//
//  1. facilitation by every postsynaptic spike t_post in (t_last − d, t − d]:
//     w ← facilitate(w, K+·exp((t_last − (t_post + d))/τ+)) (the exponential of a grid time
//     from a table, gridExp);
//  2. depression by the postsynaptic trace just before t − d: w ← depress(w, K−(t − d));
//  3. K+ ← K+·exp((t_last − t)/τ+) + 1, t_last ← t.
//
// K+ and t_last are read and updated once per run of connections that share them (per
// connection for stdp_synapse); the factor exp((t_last − t)/τ+) is computed once for
// consecutive runs that share t_last and τ+.
func (s *stdpState) Send(b *SendBatch) {
	tr, t := &s.tr, b.T
	s.ge.prepare(b.Grid.H(), s.m.Stdp.TauPlus)
	decayT, decayTau, decay := math.NaN(), 0.0, 0.0
	r0, r1 := tr.runs(b.First, b.Last, b.Source)
	for r := r0; r < r1; r++ {
		lo, hi := tr.bounds(r)
		kplus, tLast := tr.k[r], tr.t[r]
		s.sendRun(b, lo, hi, kplus, tLast)
		tau := s.params(lo).TauPlus // the same for the whole run: runs are stdp_synapse_hom's
		if tLast != decayT || tau != decayTau {
			decayT, decayTau, decay = tLast, tau, math.Exp((tLast-t)/tau)
		}
		tr.k[r], tr.t[r] = kplus*decay+1, t
	}
}

// sendRun applies steps 1 and 2 to the connections [lo, hi) of the batch, which share K+ kplus
// and t_last tLast. The parameters are those of connection lo for the whole run (runs of more
// than one connection are stdp_synapse_hom's); the delay's times are computed once for
// consecutive connections with the same delay.
func (s *stdpState) sendRun(b *SendBatch, lo, hi int, kplus, tLast float64) {
	t, arch, p := b.T, b.Arch, s.params(lo)
	lin, h := p.linear(), b.Grid.H()
	dr, ws, tgts, out := b.run(lo, hi)
	win := newStdpWindow()
	for i, x := range dr {
		win.at(x, b.Grid, tLast, t)
		tgt := int(tgts[i])
		w := ws[i]
		if lt := arch.LastHistT(tgt); lt >= win.t1 { // some postsynaptic spikes may lie in the window
			// the latest spike alone, from the trace record, or the history (the facilitation is
			// written out in both: a helper would be a call per spike, which the inliner refuses)
			if arch.OnlyLatest(tgt, win.t1, win.t2) {
				if k := kplus * s.ge.expTau(tLast-(lt+win.d), p.TauPlus); lin {
					w = p.facilitateLin(w, k)
				} else {
					w = p.Facilitate(w, k)
				}
			} else {
				for _, he := range arch.History(tgt, win.t1, win.t2) {
					if k := kplus * s.ge.expTau(tLast-(he.T+win.d), p.TauPlus); lin {
						w = p.facilitateLin(w, k)
					} else {
						w = p.Facilitate(w, k)
					}
				}
			}
		}
		if k := arch.KValue(tgt, win.tq, h); lin {
			w = p.depressLin(w, k)
		} else {
			w = p.Depress(w, k)
		}
		ws[i] = w
		out[i] = w
	}
}

func (s *stdpState) Value(j int, key string) (float64, bool) {
	switch key {
	case "Kplus":
		k, _ := s.tr.at(j)
		return k, true
	case "t_lastspike":
		_, t := s.tr.at(j)
		return t, true
	}
	p := s.params(j)
	for _, f := range stdpFields {
		if f.name == key {
			return *f.f(p), true
		}
	}
	return 0, false
}

func (s *stdpState) Set(j int, r *status.Reader, w float64, apply bool) error {
	kplus, _ := s.tr.at(j)
	p := *s.params(j)
	if !s.m.hom {
		if err := readFields(r, &p, stdpFields); err != nil {
			return err
		}
	}
	if _, err := r.Float("Kplus", &kplus); err != nil {
		return err
	}
	if err := p.Validate(s.m.name, w, kplus, !s.m.hom); err != nil {
		return err
	}
	if apply {
		s.tr.set(j, kplus)
		if s.sp != nil {
			s.sp[j] = p
		}
	}
	return nil
}

// WriteState writes K+ and t_last of every connection (as two float64 arrays, however they are
// kept) and, for stdp_synapse, the STDP parameters.
func (s *stdpState) WriteState(e *state.Encoder) {
	s.tr.write(e)
	e.Int(len(s.sp))
	for _, p := range s.sp {
		for _, v := range []float64{p.TauPlus, p.Lambda, p.Alpha, p.MuPlus, p.MuMinus, p.Wmax} {
			e.F64(v)
		}
	}
}

func (s *stdpState) ReadState(d *state.Decoder) error {
	tr := preTrace{fixed: s.tr.fixed}
	if err := tr.read(d); err != nil {
		return err
	}
	n := d.Int()
	if !s.m.hom {
		d.LenIs("STDP parameters", n, tr.len())
	} else {
		d.LenIs("STDP parameters", n, 0)
	}
	var sp []StdpParams
	for i := 0; i < n && d.Err() == nil; i++ {
		sp = append(sp, StdpParams{TauPlus: d.F64(), Lambda: d.F64(), Alpha: d.F64(), MuPlus: d.F64(), MuMinus: d.F64(), Wmax: d.F64()})
	}
	if err := d.Err(); err != nil {
		return err
	}
	s.tr, s.sp = tr, sp
	return nil
}

// AppendFrom implements SynState: K+, t_lastspike and, for stdp_synapse, the STDP parameters of
// connection j of src.
func (s *stdpState) AppendFrom(src SynState, j int) {
	o := sameState(s, src)
	s.tr.push(o.tr.at(j))
	if !s.m.hom {
		s.sp = append(s.sp, *o.params(j))
	}
}
