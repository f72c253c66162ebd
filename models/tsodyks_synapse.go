package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// TsodyksConn is the per-connection parameters and state of tsodyks_synapse: the release
// parameter U, the time constants of the postsynaptic current, of recovery and of facilitation,
// the fractions of resources in the recovered (x) and active (y) states, the release
// probability u and the time of the last presynaptic spike.
type TsodyksConn struct {
	U, TauPsc, TauRec, TauFac float64
	X, Y, Uu                  float64
	TLast                     float64 // ms; 0 before the first spike, as NEST's t_lastspike
}

// tsodyksFields are the per-connection keys of tsodyks_synapse, in draw order.
var tsodyksFields = []field[TsodyksConn]{
	floatField("U", "", "Increment of u at each spike (utilization of synaptic efficacy)", func(c *TsodyksConn) *float64 { return &c.U }),
	floatField("tau_psc", "ms", "Time constant of the postsynaptic current (should equal the target's synaptic time constant)", func(c *TsodyksConn) *float64 { return &c.TauPsc }),
	floatField("tau_rec", "ms", "Time constant of recovery of resources", func(c *TsodyksConn) *float64 { return &c.TauRec }),
	floatField("tau_fac", "ms", "Time constant of facilitation (0: none)", func(c *TsodyksConn) *float64 { return &c.TauFac }),
	floatField("x", "", "Fraction of resources in the recovered state (state)", func(c *TsodyksConn) *float64 { return &c.X }),
	floatField("y", "", "Fraction of resources in the active state (state)", func(c *TsodyksConn) *float64 { return &c.Y }),
	floatField("u", "", "Release probability (state)", func(c *TsodyksConn) *float64 { return &c.Uu }),
}

// DefaultTsodyks returns NEST's defaults.
func DefaultTsodyks() TsodyksConn {
	return TsodyksConn{U: 0.5, TauPsc: 3, TauRec: 800, TauFac: 0, X: 1, Y: 0, Uu: 0}
}

// Validate checks c in NEST's order: x + y <= 1, U in [0,1], tau_psc > 0, tau_rec > 0,
// tau_fac >= 0, u in [0,1]. As in NEST, a NaN passes every check.
func (c *TsodyksConn) Validate(model string) error {
	switch {
	case c.X+c.Y > 1:
		return badProperty(model, "x + y must be <= 1.0 (x = %g, y = %g).", c.X, c.Y)
	case c.U > 1 || c.U < 0:
		return badProperty(model, "'U' must be in [0,1] (U = %g).", c.U)
	case c.TauPsc <= 0:
		return badProperty(model, "'tau_psc' must be > 0 (tau_psc = %g).", c.TauPsc)
	case c.TauRec <= 0:
		return badProperty(model, "'tau_rec' must be > 0 (tau_rec = %g).", c.TauRec)
	case c.TauFac < 0:
		return badProperty(model, "'tau_fac' must be >= 0 (tau_fac = %g).", c.TauFac)
	case c.Uu > 1 || c.Uu < 0:
		return badProperty(model, "'u' must be in [0,1] (u = %g).", c.Uu)
	}
	return nil
}

// Spike advances c from its last presynaptic spike to one at time t (ms) and returns the fraction
// of resources the spike activates, Δ (the delivered weight is Δ·weight). With h = t − t_last and
// z = 1 − x − y the inactive fraction, the exact propagators of the linear dynamics
// ẋ = z/τ_rec, ẏ = −y/τ_psc, u̇ = −u/τ_fac are
//
//	P_uu = exp(−h/τ_fac) (0 if τ_fac = 0),  P_yy = exp(−h/τ_psc),  P_zz = expm1(−h/τ_rec),
//	P_xy = (P_zz·τ_rec − (P_yy − 1)·τ_psc)/(τ_psc − τ_rec),
//
// and, in NEST's order: u ← u·P_uu; x ← x + (P_xy·y − P_zz·z); y ← y·P_yy; u ← u + U·(1 − u);
// Δ = u·x; x ← x − Δ; y ← y + Δ. (τ_psc = τ_rec divides by zero, as in NEST.)
func (c *TsodyksConn) Spike(t float64) float64 {
	p := tsodyksProp{h: math.NaN()}
	return c.spike(t, &p)
}

// spike is Spike with the propagators taken from p, which it updates unless they are those of
// the same interval and time constants already (the connections of one source usually share both).
func (c *TsodyksConn) spike(t float64, p *tsodyksProp) float64 {
	p.at(t-c.TLast, c)
	z := 1 - c.X - c.Y
	c.Uu *= p.puu
	// float64() around products keeps them rounded as NEST's (no fused multiply-add)
	c.X += float64(p.pxy*c.Y) - float64(p.pzz*z)
	c.Y *= p.pyy
	c.Uu += float64(c.U * (1 - c.Uu))
	delta := c.Uu * c.X
	c.X -= delta
	c.Y += delta
	c.TLast = t
	return delta
}

// tsodyksProp are the propagators of Spike for an interval h and three time constants.
type tsodyksProp struct {
	h, tauFac, tauPsc, tauRec float64
	puu, pyy, pzz, pxy        float64
}

// at makes p the propagators of interval h for the time constants of c.
func (p *tsodyksProp) at(h float64, c *TsodyksConn) {
	if h != p.h || c.TauFac != p.tauFac || c.TauPsc != p.tauPsc || c.TauRec != p.tauRec {
		p.compute(h, c)
	}
}

// compute sets p to the propagators of interval h for the time constants of c.
func (p *tsodyksProp) compute(h float64, c *TsodyksConn) {
	p.h, p.tauFac, p.tauPsc, p.tauRec = h, c.TauFac, c.TauPsc, c.TauRec
	p.puu = 0
	if c.TauFac != 0 {
		p.puu = math.Exp(-h / c.TauFac)
	}
	p.pyy = math.Exp(-h / c.TauPsc)
	p.pzz = math.Expm1(-h / c.TauRec)
	p.pxy = (float64(p.pzz*c.TauRec) - float64((p.pyy-1)*c.TauPsc)) / (c.TauPsc - c.TauRec)
}

// TsodyksSynapse is tsodyks_synapse: short-term depression and facilitation after Tsodyks,
// Uziel and Markram (2000), with every parameter per connection.
type TsodyksSynapse struct {
	tableSynapse[TsodyksConn]
}

// NewTsodyksSynapse returns tsodyks_synapse with NEST's defaults.
func NewTsodyksSynapse() SynapseModel {
	return &TsodyksSynapse{tableSynapse[TsodyksConn]{name: "tsodyks_synapse", SynBase: SynBase{Weight: 1, Delay: 1}, Conn: DefaultTsodyks(), fields: tsodyksFields, check: (*TsodyksConn).Validate}}
}

// Copy implements SynapseModel.
func (m *TsodyksSynapse) Copy(name string) SynapseModel { c := *m; c.name = name; return &c }

// Defaults implements SynapseModel.
func (m *TsodyksSynapse) Defaults() status.Dict { return m.defaultsOf(m.SizeOf()) }

// Doc implements SynapseModel.
func (m *TsodyksSynapse) Doc() string {
	return "Synapse with short-term depression and facilitation (Tsodyks, Uziel and Markram 2000). " +
		"Resources move from recovered (x) to active (y) to inactive (z = 1 - x - y) and back: " +
		"dx/dt = z/tau_rec, dy/dt = -y/tau_psc, du/dt = -u/tau_fac, integrated exactly between spikes. " +
		"At a spike u += U(1 - u), then the fraction u*x moves from x to y and the spike carries weight*u*x. " +
		"tau_psc should equal the target's synaptic time constant."
}

// SizeOf implements SynapseModel: the kernel's 16 bytes and eight float64 (four parameters,
// x, y, u, t_lastspike).
func (m *TsodyksSynapse) SizeOf() int { return 16 + 64 }

// NewState implements SynapseModel.
func (m *TsodyksSynapse) NewState() SynState {
	return &tsodyksState{tableState[TsodyksConn]{m: &m.tableSynapse}}
}

// NeedsHistory implements SynapseModel.
func (m *TsodyksSynapse) NeedsHistory() bool { return false }

// fieldNames returns the names of fs in order.
func fieldNames[P any](fs []field[P]) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return out
}

// tsodyksState holds the connections of one tsodyks_synapse model on one VP.
type tsodyksState struct {
	tableState[TsodyksConn]
}

// Send applies TsodyksConn.Spike to every connection of the batch; connection j delivers Δ·w_j.
// The stored weight is unchanged. The propagators are computed once for the connections that
// share the interval since their last spike and their time constants.
func (s *tsodyksState) Send(b *SendBatch) {
	conns, w, out := s.c[b.First:b.Last], b.W[b.First:b.Last], b.Out
	p := tsodyksProp{h: math.NaN()}
	for i := range conns {
		out[i] = conns[i].spike(b.T, &p) * w[i]
	}
}

// fieldValue returns the field of p named key.
func fieldValue[P any](p *P, fs []field[P], key string) (float64, bool) {
	for _, f := range fs {
		if f.name == key && f.f != nil {
			return *f.f(p), true
		}
	}
	return 0, false
}

// tsodyksRow is the number of float64 WriteState writes per connection.
const tsodyksRow = 8

func (s *tsodyksState) WriteState(e *state.Encoder) {
	e.Int(len(s.c))
	for i := range s.c {
		c := &s.c[i]
		for _, v := range [tsodyksRow]float64{c.U, c.TauPsc, c.TauRec, c.TauFac, c.X, c.Y, c.Uu, c.TLast} {
			e.F64(v)
		}
	}
}

func (s *tsodyksState) ReadState(d *state.Decoder) error {
	n := d.Int()
	if n < 0 || n > d.Remaining()/(8*tsodyksRow) {
		d.Fail("%d tsodyks_synapse connections", n)
		return d.Err()
	}
	conns := make([]TsodyksConn, n)
	for i := range conns {
		conns[i] = TsodyksConn{U: d.F64(), TauPsc: d.F64(), TauRec: d.F64(), TauFac: d.F64(),
			X: d.F64(), Y: d.F64(), Uu: d.F64(), TLast: d.F64()}
	}
	if err := d.Err(); err != nil {
		return err
	}
	s.c = conns
	return nil
}

// AppendFrom implements SynState: the parameters and the state (x, y, u, last spike) of
// connection j of src.
func (s *tsodyksState) AppendFrom(src SynState, j int) {
	s.c = append(s.c, sameState(s, src).c[j])
}
