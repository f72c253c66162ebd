package models

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
)

// Tests of tsodyks_synapse, tsodyks2_synapse and stdp_pl_synapse_hom at the model level: the
// short-term plasticity rules against a numerical integration of the differential equations they
// solve exactly, and WriteState/ReadState round trips that continue bit for bit.

// rk4 integrates ẏ = f(y) over [0, T] with n classical Runge-Kutta steps.
func rk4(y []float64, f func(y, dy []float64), T float64, n int) {
	h := T / float64(n)
	k := make([][]float64, 4)
	for i := range k {
		k[i] = make([]float64, len(y))
	}
	tmp := make([]float64, len(y))
	stage := func(dst []float64, from []float64, c float64) {
		for i := range y {
			tmp[i] = y[i] + c*from[i]
		}
		f(tmp, dst)
	}
	for range n {
		f(y, k[0])
		stage(k[1], k[0], h/2)
		stage(k[2], k[1], h/2)
		stage(k[3], k[2], h)
		for i := range y {
			y[i] += h / 6 * (k[0][i] + 2*k[1][i] + 2*k[2][i] + k[3][i])
		}
	}
}

// stpTrain is the presynaptic spike train of the short-term plasticity tests (ms): a burst, a
// pause, irregular intervals.
var stpTrain = []float64{12.3, 20, 25.5, 31, 40.1, 52.2, 60, 300, 305.4, 333.3, 700.7, 702.1}

// TestTsodyksSpikeMatchesODE: tsodyks_synapse's exact update against RK4 of ẋ = z/τ_rec,
// ẏ = −y/τ_psc, u̇ = −u/τ_fac (z = 1 − x − y), with the jumps u += U(1 − u), Δ = u·x, x −= Δ,
// y += Δ at each spike, for depressing, facilitating and mixed parameters and a non-trivial
// initial state (z > 0, so that t_lastspike = 0 matters).
func TestTsodyksSpikeMatchesODE(t *testing.T) {
	cases := []TsodyksConn{
		DefaultTsodyks(),
		{U: 0.1, TauPsc: 2, TauRec: 100, TauFac: 1000, X: 0.7, Y: 0.1, Uu: 0.2},
		{U: 0.45, TauPsc: 5, TauRec: 40, TauFac: 20, X: 0.5, Y: 0.3, Uu: 0.9},
	}
	for ci, c0 := range cases {
		c := c0
		y := []float64{c0.X, c0.Y, c0.Uu}
		f := func(s, ds []float64) {
			ds[0] = (1 - s[0] - s[1]) / c0.TauRec
			ds[1] = -s[1] / c0.TauPsc
			ds[2] = 0
			if c0.TauFac > 0 {
				ds[2] = -s[2] / c0.TauFac
			}
		}
		last := 0.0
		for _, ts := range stpTrain {
			got := c.Spike(ts)
			rk4(y, f, ts-last, int((ts-last)*200))
			if c0.TauFac == 0 {
				y[2] = 0
			}
			y[2] += c0.U * (1 - y[2])
			want := y[2] * y[0]
			y[0] -= want
			y[1] += want
			last = ts
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("case %d, spike at %g: Δ = %.15g, ODE %.15g", ci, ts, got, want)
			}
		}
		if math.Abs(c.X-y[0]) > 1e-9 || math.Abs(c.Y-y[1]) > 1e-9 || math.Abs(c.Uu-y[2]) > 1e-9 {
			t.Errorf("case %d: final x, y, u = %g, %g, %g; ODE %g, %g, %g", ci, c.X, c.Y, c.Uu, y[0], y[1], y[2])
		}
	}
}

// TestTsodyks2SpikeMatchesODE: tsodyks2_synapse against RK4 of ẋ = (1 − x)/τ_rec,
// u̇ = (U − u)/τ_fac (u jumps to U at once if τ_fac = 0) with, at each spike, delivery of x·u,
// then x −= u·x and u += U(1 − u).
func TestTsodyks2SpikeMatchesODE(t *testing.T) {
	cases := []Tsodyks2Conn{
		DefaultTsodyks2(),
		{U: 0.1, Uu: 0.1, X: 1, TauRec: 100, TauFac: 1000, TLast: -1},
		{U: 0.45, Uu: 0.8, X: 0.6, TauRec: 40, TauFac: 20, TLast: -1},
	}
	for ci, c0 := range cases {
		c := c0
		y := []float64{c0.X, c0.Uu}
		f := func(s, ds []float64) {
			ds[0] = (1 - s[0]) / c0.TauRec
			ds[1] = 0
			if c0.TauFac > 0 {
				ds[1] = (c0.U - s[1]) / c0.TauFac
			}
		}
		for i, ts := range stpTrain {
			got := c.Spike(ts)
			if i > 0 {
				rk4(y, f, ts-stpTrain[i-1], int((ts-stpTrain[i-1])*200))
				if c0.TauFac == 0 {
					y[1] = c0.U
				}
			}
			want := y[0] * y[1]
			y[0] -= y[1] * y[0]
			y[1] += c0.U * (1 - y[1])
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("case %d, spike at %g: x·u = %.15g, ODE %.15g", ci, ts, got, want)
			}
		}
	}
}

// synHarness drives one store of a synapse model: nConns connections from one source onto two
// targets, with an Archive when the model reads the history.
type synHarness struct {
	m    SynapseModel
	s    SynState
	arch *Archive
	b    SendBatch
}

func newSynHarness(t *testing.T, m SynapseModel, vals [][]float64, w []float64, tgt []uint32, delays []int64) *synHarness {
	t.Helper()
	grid := clock.NewGrid(0.1, 1000)
	h := &synHarness{m: m, s: m.NewState(), arch: &Archive{}}
	h.arch.Grow(2, ArchParams{TauMinus: 30, TauMinusTriplet: 110})
	h.b = SendBatch{W: slices.Clone(w), Tgt: tgt, Grid: grid, Arch: h.arch, Out: make([]float64, len(w))}
	for j := range w {
		if err := h.s.Add(vals[j], w[j]); err != nil {
			t.Fatal(err)
		}
		h.b.DR = append(h.b.DR, PackDR(delays[j], ChanSpike, 0))
		if m.NeedsHistory() {
			h.arch.Register(int(tgt[j]), grid.Ms(delays[j]), 1)
		}
	}
	return h
}

// synEvent is a presynaptic spike (tgt < 0) or a spike of target tgt, at time t (ms).
type synEvent struct {
	t   float64
	tgt int
}

// run applies the events and returns the weights every presynaptic spike delivered.
func (h *synHarness) run(events []synEvent) []float64 {
	var out []float64
	for _, e := range events {
		if e.tgt >= 0 {
			h.arch.RecordSpike(e.tgt, e.t, 0.1)
			continue
		}
		h.b.T, h.b.First, h.b.Last = e.t, 0, len(h.b.W)
		h.s.Send(&h.b)
		out = append(out, h.b.Out...)
	}
	return out
}

// encode returns the state (store, weights and archive) as bytes.
func (h *synHarness) encode() []byte {
	var e state.Encoder
	h.s.WriteState(&e)
	e.F64s(h.b.W)
	h.arch.WriteState(&e)
	return e.Bytes()
}

// restore returns a harness with fresh stores read from b.
func (h *synHarness) restore(t *testing.T, b []byte) *synHarness {
	t.Helper()
	r := &synHarness{m: h.m, s: h.m.NewState(), arch: &Archive{}, b: h.b}
	d := state.NewDecoder(b, h.m.Name())
	if err := r.s.ReadState(d); err != nil {
		t.Fatal(err)
	}
	r.b.W = d.F64s()
	if err := r.arch.ReadState(d); err != nil {
		t.Fatal(err)
	}
	if err := d.Done(); err != nil {
		t.Fatal(err)
	}
	r.b.Arch, r.b.Out = r.arch, make([]float64, len(h.b.Out))
	return r
}

// synEvents draws n presynaptic spikes and n spikes of each target on the 0.1 ms grid in
// [1, 500] ms, in time order (targets first within a step).
func synEvents(seed uint64, n int) []synEvent {
	rng := rand.New(rand.NewPCG(seed, 3))
	var ev []synEvent
	for _, tgt := range []int{0, 1, -1} {
		steps := map[int64]bool{}
		for len(steps) < n {
			steps[10+rng.Int64N(4990)] = true
		}
		for s := range steps {
			ev = append(ev, synEvent{t: float64(s*100) * (1.0 / 1000), tgt: tgt})
		}
	}
	slices.SortFunc(ev, func(a, b synEvent) int {
		if a.t != b.t {
			if a.t < b.t {
				return -1
			}
			return 1
		}
		return b.tgt - a.tgt
	})
	return ev
}

// synRoundTripCases are one store per model: three connections with different parameters.
func synRoundTripCases() []struct {
	m    SynapseModel
	vals [][]float64
} {
	return []struct {
		m    SynapseModel
		vals [][]float64
	}{
		{NewTsodyksSynapse(), [][]float64{{0.5, 3, 800, 0, 1, 0, 0}, {0.1, 2, 100, 1000, 0.7, 0.1, 0.2}, {0.45, 5, 40, 20, 0.5, 0.3, 0.9}}},
		{NewTsodyks2Synapse(), [][]float64{{0.5, 0.5, 800, 0, 1}, {0.1, 0.1, 100, 1000, 1}, {0.45, 0.8, 40, 20, 0.6}}},
		{NewStdpPlSynapseHom(), [][]float64{{0}, {0.5}, {2}}},
	}
}

// TestSynapseStateRoundTripTsodyksStdpPl: run half of a spike sequence, write the state, read it
// into fresh stores, run the other half into both: every delivered weight and the final state
// agree bit for bit.
func TestSynapseStateRoundTripTsodyksStdpPl(t *testing.T) {
	w := []float64{45, 10, 80}
	tgt := []uint32{0, 1, 0}
	delays := []int64{10, 15, 37}
	for _, c := range synRoundTripCases() {
		events := synEvents(7, 120)
		h := newSynHarness(t, c.m, c.vals, w, tgt, delays)
		h.run(events[:len(events)/2])
		snap := h.encode()
		r := h.restore(t, snap)
		if !bytes.Equal(r.encode(), snap) {
			t.Fatalf("%s: state read back encodes differently", c.m.Name())
		}
		a, b := h.run(events[len(events)/2:]), r.run(events[len(events)/2:])
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("%s: delivered weight %d after the round trip %v, continuous run %v", c.m.Name(), i, b[i], a[i])
			}
		}
		if !bytes.Equal(h.encode(), r.encode()) {
			t.Errorf("%s: final states differ", c.m.Name())
		}
		if slices.Equal(a[:3], a[len(a)-3:]) {
			t.Errorf("%s: delivered weights do not change (%v): the test exercises nothing", c.m.Name(), a[:3])
		}
	}
}

// TestSynapseStateReadErrorsTsodyksStdpPl: truncated or inconsistent state is refused, and the
// store is left unchanged.
func TestSynapseStateReadErrorsTsodyksStdpPl(t *testing.T) {
	for _, c := range synRoundTripCases() {
		h := newSynHarness(t, c.m, c.vals, []float64{1, 2, 3}, []uint32{0, 1, 0}, []int64{10, 10, 10})
		var e state.Encoder
		h.s.WriteState(&e)
		full := e.Bytes()
		for _, n := range []int{0, 7, 8, 16, len(full) - 1} {
			s := c.m.NewState()
			if err := s.ReadState(state.NewDecoder(full[:n], c.m.Name())); err == nil {
				t.Errorf("%s: %d of %d bytes read without error", c.m.Name(), n, len(full))
			}
			if s.Len() != 0 {
				t.Errorf("%s: failed read left %d connections", c.m.Name(), s.Len())
			}
		}
	}
}

// TestSynapsePermuteTruncateTsodyksStdpPl: Permute and Truncate move every per-connection value.
func TestSynapsePermuteTruncateTsodyksStdpPl(t *testing.T) {
	for _, c := range synRoundTripCases() {
		h := newSynHarness(t, c.m, c.vals, []float64{1, 2, 3}, []uint32{0, 1, 0}, []int64{10, 10, 10})
		key := c.m.ConnKeys()[0]
		before := func(j int) float64 { v, _ := h.s.Value(j, key); return v }
		want := []float64{before(2), before(0), before(1)}
		h.s.Permute([]int32{2, 0, 1})
		h.s.Truncate(2)
		if h.s.Len() != 2 {
			t.Fatalf("%s: %d connections after Truncate(2)", c.m.Name(), h.s.Len())
		}
		for j := range 2 {
			if v, ok := h.s.Value(j, key); !ok || v != want[j] {
				t.Errorf("%s: %s of connection %d = %v after Permute, want %v", c.m.Name(), key, j, v, want[j])
			}
		}
	}
}

// TestTsodyksBatchMatchesSpike: Send, which reuses propagators between connections of equal
// interval and time constants, delivers bit for bit what Spike gives each connection alone, when
// intervals and time constants alternate within a batch (batches over different ranges give the
// connections different last spike times).
func TestTsodyksBatchMatchesSpike(t *testing.T) {
	ts := []TsodyksConn{DefaultTsodyks(), DefaultTsodyks(), DefaultTsodyks(), DefaultTsodyks(), DefaultTsodyks()}
	ts[1].TauRec, ts[3].X, ts[4].TauFac = 100, 0.5, 30
	t2 := []Tsodyks2Conn{DefaultTsodyks2(), DefaultTsodyks2(), DefaultTsodyks2(), DefaultTsodyks2(), DefaultTsodyks2()}
	t2[1].TauRec, t2[3].X, t2[4].TauFac = 100, 0.5, 30
	spikes := []struct {
		t           float64
		first, last int
	}{{10, 0, 5}, {15, 0, 2}, {15.5, 2, 5}, {40, 0, 5}, {41, 1, 4}, {90, 0, 5}}
	check := func(name string, s SynState, alone func(j int, t float64) float64) {
		b := SendBatch{W: []float64{1, 2, 3, 4, 5}, Out: make([]float64, 5)}
		for _, sp := range spikes {
			b.T, b.First, b.Last, b.Out = sp.t, sp.first, sp.last, b.Out[:sp.last-sp.first]
			s.Send(&b)
			for j := sp.first; j < sp.last; j++ {
				if want := alone(j, sp.t) * b.W[j]; math.Float64bits(b.Out[j-sp.first]) != math.Float64bits(want) {
					t.Errorf("%s: spike at %g, connection %d: batch %v, alone %v", name, sp.t, j, b.Out[j-sp.first], want)
				}
			}
		}
	}
	s1 := NewTsodyksSynapse().NewState().(*tsodyksState)
	s1.c = slices.Clone(ts)
	check("tsodyks_synapse", s1, func(j int, t float64) float64 { return ts[j].Spike(t) })
	s2 := NewTsodyks2Synapse().NewState().(*tsodyks2State)
	s2.c = slices.Clone(t2)
	check("tsodyks2_synapse", s2, func(j int, t float64) float64 { return t2[j].Spike(t) })
}
