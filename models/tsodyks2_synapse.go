package models

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Tsodyks2Conn is the per-connection parameters and state of tsodyks2_synapse: the asymptotic
// release probability U, the release probability u, the fraction of available resources x, the
// time constants of recovery and facilitation, and the time of the last presynaptic spike.
type Tsodyks2Conn struct {
	U, Uu, X, TauRec, TauFac float64
	TLast                    float64 // ms; −1 before the first spike, as NEST's t_lastspike
}

// tsodyks2Fields are the per-connection keys of tsodyks2_synapse, in draw order.
var tsodyks2Fields = []field[Tsodyks2Conn]{
	floatField("U", "", "Asymptotic value of the release probability (increment of u at each spike)", func(c *Tsodyks2Conn) *float64 { return &c.U }),
	floatField("u", "", "Release probability (state; setting U does not change it)", func(c *Tsodyks2Conn) *float64 { return &c.Uu }),
	floatField("tau_rec", "ms", "Time constant of depression (recovery of resources)", func(c *Tsodyks2Conn) *float64 { return &c.TauRec }),
	floatField("tau_fac", "ms", "Time constant of facilitation (0: none)", func(c *Tsodyks2Conn) *float64 { return &c.TauFac }),
	floatField("x", "", "Fraction of available resources (state)", func(c *Tsodyks2Conn) *float64 { return &c.X }),
}

// DefaultTsodyks2 returns NEST's defaults (u = U).
func DefaultTsodyks2() Tsodyks2Conn {
	return Tsodyks2Conn{U: 0.5, Uu: 0.5, X: 1, TauRec: 800, TauFac: 0, TLast: -1}
}

// Validate checks c in NEST's order: U in [0,1], u in [0,1], tau_rec > 0, tau_fac >= 0; x is not
// checked. As in NEST, a NaN passes every check.
func (c *Tsodyks2Conn) Validate(model string) error {
	switch {
	case c.U > 1 || c.U < 0:
		return badProperty(model, "'U' must be in [0,1] (U = %g).", c.U)
	case c.Uu > 1 || c.Uu < 0:
		return badProperty(model, "'u' must be in [0,1] (u = %g).", c.Uu)
	case c.TauRec <= 0:
		return badProperty(model, "'tau_rec' must be > 0 (tau_rec = %g).", c.TauRec)
	case c.TauFac < 0:
		return badProperty(model, "'tau_fac' must be >= 0 (tau_fac = %g).", c.TauFac)
	}
	return nil
}

// Spike advances c to a presynaptic spike at time t (ms) and returns x·u, the factor of the
// delivered weight. Unless it is the first spike (t_last < 0), with h = t − t_last the state
// decays first (Tsodyks, Pawelzik and Markram 1998, Eqs. 4-5), using the u of the previous spike:
//
//	x ← 1 + ((x − x·u) − 1)·exp(−h/τ_rec),
//	u ← U + u·(1 − U)·exp(−h/τ_fac)   (the last factor 0 if τ_fac = 0).
//
// The first spike delivers x₀·u₀.
func (c *Tsodyks2Conn) Spike(t float64) float64 {
	p := tsodyks2Decay{h: math.NaN()}
	return c.spike(t, &p)
}

// spike is Spike with the decay factors taken from p, which it updates unless they are those of
// the same interval and time constants already.
func (c *Tsodyks2Conn) spike(t float64, p *tsodyks2Decay) float64 {
	if c.TLast >= 0 {
		p.at(t-c.TLast, c)
		// float64() around products keeps them rounded as NEST's (no fused multiply-add)
		c.X = 1 + float64((c.X-float64(c.X*c.Uu)-1)*p.x)
		c.Uu = c.U + float64(float64(c.Uu*(1-c.U))*p.u)
	}
	c.TLast = t
	return c.X * c.Uu
}

// tsodyks2Decay are the decay factors of x and u over an interval h for two time constants.
type tsodyks2Decay struct {
	h, tauRec, tauFac float64
	x, u              float64
}

// at makes p the decay factors of interval h for the time constants of c.
func (p *tsodyks2Decay) at(h float64, c *Tsodyks2Conn) {
	if h != p.h || c.TauRec != p.tauRec || c.TauFac != p.tauFac {
		p.compute(h, c)
	}
}

// compute sets p to the decay factors of interval h for the time constants of c.
func (p *tsodyks2Decay) compute(h float64, c *Tsodyks2Conn) {
	p.h, p.tauRec, p.tauFac = h, c.TauRec, c.TauFac
	p.x = math.Exp(-h / c.TauRec)
	p.u = 0
	if c.TauFac != 0 {
		p.u = math.Exp(-h / c.TauFac)
	}
}

// Tsodyks2Synapse is tsodyks2_synapse: short-term depression and facilitation after Tsodyks,
// Pawelzik and Markram (1998), the weight itself scaled by x·u, every parameter per connection.
type Tsodyks2Synapse struct {
	tableSynapse[Tsodyks2Conn]
}

// NewTsodyks2Synapse returns tsodyks2_synapse with NEST's defaults.
func NewTsodyks2Synapse() SynapseModel {
	return &Tsodyks2Synapse{tableSynapse[Tsodyks2Conn]{name: "tsodyks2_synapse", SynBase: SynBase{Weight: 1, Delay: 1}, Conn: DefaultTsodyks2(), fields: tsodyks2Fields, check: (*Tsodyks2Conn).Validate}}
}

// Copy implements SynapseModel.
func (m *Tsodyks2Synapse) Copy(name string) SynapseModel { c := *m; c.name = name; return &c }

// Defaults implements SynapseModel.
func (m *Tsodyks2Synapse) Defaults() status.Dict { return m.defaultsOf(m.SizeOf()) }

// Doc implements SynapseModel.
func (m *Tsodyks2Synapse) Doc() string {
	return "Synapse with short-term depression and facilitation (Tsodyks, Pawelzik and Markram 1998). " +
		"A spike carries weight*x*u; between spikes 1 - x decays with tau_rec and u - U with tau_fac: " +
		"at a spike after an interval h, x = 1 + (x - x*u - 1)*exp(-h/tau_rec) and u = U + u*(1 - U)*exp(-h/tau_fac) " +
		"are computed first (the first spike sends the initial x*u)."
}

// SizeOf implements SynapseModel: the kernel's 16 bytes and six float64 (U, u, x, tau_rec,
// tau_fac, t_lastspike).
func (m *Tsodyks2Synapse) SizeOf() int { return 16 + 48 }

// NewState implements SynapseModel.
func (m *Tsodyks2Synapse) NewState() SynState {
	return &tsodyks2State{tableState[Tsodyks2Conn]{m: &m.tableSynapse, fresh: Tsodyks2Conn{TLast: -1}}}
}

// NeedsHistory implements SynapseModel.
func (m *Tsodyks2Synapse) NeedsHistory() bool { return false }

// tsodyks2State holds the connections of one tsodyks2_synapse model on one VP.
type tsodyks2State struct {
	tableState[Tsodyks2Conn]
}

// Send applies Tsodyks2Conn.Spike to every connection of the batch; connection j delivers
// (x·u)·w_j. The stored weight is unchanged. The decay factors are computed once for the
// connections that share the interval since their last spike and their time constants.
func (s *tsodyks2State) Send(b *SendBatch) {
	conns, w, out := s.c[b.First:b.Last], b.W[b.First:b.Last], b.Out
	p := tsodyks2Decay{h: math.NaN()}
	for i := range conns {
		out[i] = conns[i].spike(b.T, &p) * w[i]
	}
}

// tsodyks2Row is the number of float64 WriteState writes per connection.
const tsodyks2Row = 6

func (s *tsodyks2State) WriteState(e *state.Encoder) {
	e.Int(len(s.c))
	for i := range s.c {
		c := &s.c[i]
		for _, v := range [tsodyks2Row]float64{c.U, c.Uu, c.X, c.TauRec, c.TauFac, c.TLast} {
			e.F64(v)
		}
	}
}

func (s *tsodyks2State) ReadState(d *state.Decoder) error {
	n := d.Int()
	if n < 0 || n > d.Remaining()/(8*tsodyks2Row) {
		d.Fail("%d tsodyks2_synapse connections", n)
		return d.Err()
	}
	conns := make([]Tsodyks2Conn, n)
	for i := range conns {
		conns[i] = Tsodyks2Conn{U: d.F64(), Uu: d.F64(), X: d.F64(), TauRec: d.F64(), TauFac: d.F64(), TLast: d.F64()}
	}
	if err := d.Err(); err != nil {
		return err
	}
	s.c = conns
	return nil
}

// AppendFrom implements SynState: the parameters and the state (x, u, last spike) of connection
// j of src.
func (s *tsodyks2State) AppendFrom(src SynState, j int) {
	s.c = append(s.c, sameState(s, src).c[j])
}
