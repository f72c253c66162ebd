package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// TestSendRunsMatchDense runs random presynaptic and postsynaptic spike trains through two
// stores of each STDP model with the same connections, one keeping K+ and t_last in runs (as
// the kernel uses it: source boundaries given, Kplus set on single connections, connections made
// after their sources spiked, a checkpoint round trip) and one per connection, each with its own
// identical archive, and requires bit-identical weights, delivered weights, K+ and t_last, and
// the same archive read counts. With odd seeds every connection has one delay, which the runs
// store receives as SendBatch.DR0.
func TestSendRunsMatchDense(t *testing.T) {
	pl := NewStdpPlSynapseHom().(*StdpPlSynapse)
	hom := NewStdpSynapseHom().(*StdpSynapse)
	for _, m := range []SynapseModel{pl, hom} {
		for seed := range uint64(20) {
			sendRunsMatchDense(t, m, seed)
		}
	}
}

func sendRunsMatchDense(t *testing.T, m SynapseModel, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 11))
	const nNeur, nSrc = 12, 6
	// odd seeds: every connection has one delay, and the runs store's batches carry it as
	// SendBatch.DR0 (DR nil), as the kernel hands a store whose delays are one word
	oneDelay := seed%2 == 1
	grid := clock.Default
	var arch [2]Archive
	states := [2]SynState{m.NewState(), m.NewState()}
	trOf := func(s SynState) *preTrace {
		if p, ok := s.(*stdpPlState); ok {
			return &p.tr
		}
		return &s.(*stdpState).tr
	}
	trOf(states[1]).dense = true // the reference: one value per connection
	for i := range arch {
		arch[i].Grow(nNeur, DefaultArchParams)
	}
	// Connections, kept sorted by source as the kernel keeps them.
	type conn struct {
		src int
		tgt uint32
		dr  uint32
		w   [2]float64
	}
	var conns []conn
	connect := func(n int) {
		for range n {
			d := int64(10 + r.IntN(20))
			if oneDelay {
				d = 15
			}
			c := conn{src: r.IntN(nSrc), tgt: uint32(r.IntN(nNeur)), dr: PackDR(d, ChanSpike, 0)}
			c.w[0], c.w[1] = 1, 1
			conns = append(conns, c)
			for i := range states {
				if err := states[i].Add([]float64{0}, 1); err != nil {
					t.Fatal(err)
				}
				arch[i].Register(int(c.tgt), grid.Ms(DRDelay(c.dr)), 1)
			}
		}
		// the kernel's stable sort by source, applied to both states
		perm := make([]int32, len(conns))
		for j := range perm {
			perm[j] = int32(j)
		}
		sorted := make([]int32, 0, len(perm))
		for s := range nSrc {
			for j, c := range conns {
				if c.src == s {
					sorted = append(sorted, int32(j))
				}
			}
		}
		nc := make([]conn, len(conns))
		for j, o := range sorted {
			nc[j] = conns[o]
		}
		conns = nc
		for i := range states {
			states[i].Permute(sorted)
		}
	}
	bounds := func() ([]int, []uint32) {
		first := make([]int, nSrc+1)
		var starts []uint32
		j := 0
		for s := range nSrc {
			first[s] = j
			if j < len(conns) && conns[j].src == s {
				starts = append(starts, uint32(j))
			}
			for j < len(conns) && conns[j].src == s {
				j++
			}
		}
		first[nSrc] = j
		return first, append(starts, uint32(len(conns)))
	}
	connect(400)
	var b [2]SendBatch
	for step := int64(1); step < 3000; step++ {
		tMs := grid.Ms(step)
		if step == 1000 {
			connect(200) // connections made after their sources spiked
		}
		if step%700 == 0 { // a checkpoint round trip of the runs store
			var e = stateEncoder()
			states[0].WriteState(e)
			fresh := m.NewState()
			if err := fresh.ReadState(stateDecoder(e)); err != nil {
				t.Fatal(err)
			}
			states[0] = fresh
		}
		if step%450 == 0 { // SetStatus of Kplus on one connection
			j := r.IntN(len(conns))
			for i := range states {
				rd := status.NewReader(status.Dict{"Kplus": 0.5}, "test")
				if err := states[i].Set(j, rd, conns[j].w[i], true); err != nil {
					t.Fatal(err)
				}
			}
		}
		first, starts := bounds()
		if sa := states[0].(SourceAware); sa.WantSources() {
			sa.Sources(starts)
		}
		for n := range nNeur { // postsynaptic spikes
			if r.IntN(60) == 0 {
				for i := range arch {
					arch[i].RecordSpike(n, tMs, 1)
				}
			}
		}
		for s := range nSrc { // presynaptic spikes
			if r.IntN(40) != 0 || first[s] == first[s+1] {
				continue
			}
			lo, hi := first[s], first[s+1]
			for i := range states {
				w := make([]float64, len(conns))
				tg := make([]uint32, len(conns))
				dr := make([]uint32, len(conns))
				for j, c := range conns {
					w[j], tg[j], dr[j] = c.w[i], c.tgt, c.dr
				}
				b[i] = SendBatch{T: tMs, First: lo, Last: hi, W: w, Tgt: tg, DR: dr, Out: make([]float64, hi-lo), Grid: grid, Arch: &arch[i]}
				if oneDelay && i == 0 {
					b[i].DR, b[i].DR0 = nil, dr[0]
				}
				states[i].Send(&b[i])
				for j := range conns {
					conns[j].w[i] = w[j]
				}
			}
			for j := lo; j < hi; j++ {
				if math.Float64bits(conns[j].w[0]) != math.Float64bits(conns[j].w[1]) || math.Float64bits(b[0].Out[j-lo]) != math.Float64bits(b[1].Out[j-lo]) {
					t.Fatalf("%s seed %d step %d: connection %d weight %g, per connection %g", m.Name(), seed, step, j, conns[j].w[0], conns[j].w[1])
				}
			}
		}
	}
	for j := range conns {
		for _, key := range []string{"Kplus", "t_lastspike"} {
			v0, _ := states[0].Value(j, key)
			v1, _ := states[1].Value(j, key)
			if math.Float64bits(v0) != math.Float64bits(v1) {
				t.Fatalf("%s seed %d: connection %d %s %g, per connection %g", m.Name(), seed, j, key, v0, v1)
			}
		}
	}
	for n := range nNeur {
		h0, h1 := arch[0].post[n].hist, arch[1].post[n].hist
		if len(h0) != len(h1) {
			t.Fatalf("%s seed %d: neuron %d history %d entries, %d", m.Name(), seed, n, len(h0), len(h1))
		}
		for e := range h0 {
			if h0[e] != h1[e] {
				t.Fatalf("%s seed %d: neuron %d history entry %d %+v, %+v", m.Name(), seed, n, e, h0[e], h1[e])
			}
		}
	}
	changed := 0
	for _, c := range conns {
		if c.w[0] != 1 {
			changed++
		}
	}
	if changed < len(conns)/2 {
		t.Fatalf("%s seed %d: only %d of %d weights changed", m.Name(), seed, changed, len(conns))
	}
	if tr := trOf(states[0]); tr.dense {
		t.Errorf("%s seed %d: the runs store ended dense", m.Name(), seed)
	}
}

func stateEncoder() *state.Encoder { return &state.Encoder{} }

func stateDecoder(e *state.Encoder) *state.Decoder { return state.NewDecoder(e.Bytes(), "test") }
