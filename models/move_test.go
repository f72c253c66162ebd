package models

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// moveCase is a neuron model with parameters that exercise all of its state, for AppendFrom.
type moveCase struct {
	name  string
	model func() NeuronModel
	set   status.Dict
	h     float64
	// ordered: the model draws from the VP's random stream in neuron order (escape noise), so a
	// moved neuron continues bit for bit only at the same index.
	ordered bool
	// wScale scales feed's spike weights (0: 1), for the conductance-based models.
	wScale float64
}

// moveCases are the block state cases and the ODE models, driven to fire, with a refractory
// period for every model that has one.
func moveCases() []moveCase {
	var cs []moveCase
	for _, c := range stateCases {
		cs = append(cs, moveCase{name: c.name, model: c.model, set: c.set, h: c.h, ordered: c.set["delta"] != nil})
	}
	for _, c := range odeModels {
		set := status.Dict{"t_ref": 2.0}
		for k, v := range c.drive {
			set[k] = v
		}
		cs = append(cs, moveCase{name: c.name, model: c.new, set: set, h: 0.1, wScale: 0.02})
	}
	return cs
}

// newMoveRig is a rig of stateNeurons neurons of c whose constant currents differ from neuron to
// neuron, so that a neuron moved to another index is told apart by its parameters.
func newMoveRig(t *testing.T, c moveCase) *moveRig {
	t.Helper()
	rg := newBlockRig(t, c.model(), stateNeurons, c.h, c.set)
	if ie, ok := c.set["I_e"].(float64); ok {
		for i := range stateNeurons {
			d := status.Dict{"I_e": ie * (0.9 + 0.015*float64(i))}
			if err := rg.b.Set(i, status.NewReader(d, c.name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &moveRig{rg, identity(stateNeurons), c.wScale}
}

// moveRig is a rig whose neuron j is neuron perm[j] of the original block.
type moveRig struct {
	*blockRig
	perm   []int
	wScale float64
}

// input writes step k's input into every channel slot (feed's, with spike weights scaled).
func (rg *moveRig) input(k int64) {
	feed(rg.blockRig, k)
	if rg.wScale == 0 {
		return
	}
	for i := range rg.s.Ex {
		rg.s.Ex[i] *= rg.wScale
		rg.s.In[i] *= rg.wScale
	}
}

// warm runs rg for steps steps with its input and returns the number of spikes.
func (rg *moveRig) warm(steps int) (spikes int) {
	for range steps {
		rg.input(rg.k)
		spikes += len(rg.update())
	}
	return spikes
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// isRefractory reports whether some neuron of b is refractory (see refractoryAt).
func isRefractory(b Block) bool {
	pos := func(r []int64) bool { return slices.ContainsFunc(r, func(x int64) bool { return x > 0 }) }
	switch b := b.(type) {
	case *condExpBlock:
		return pos(b.r)
	case *condAlphaBlock:
		return pos(b.r)
	case *aeifBlock:
		return pos(b.r)
	case *hhBlock:
		return pos(b.r)
	}
	return refractoryAt(b)
}

// moved returns a rig whose block is built by AppendFrom of the neurons of a.b in the order
// perm, into a fresh block (prepared on a's grid first if prepare), continuing at a's step
// with a's random stream.
func moved(t *testing.T, c moveCase, a *moveRig, perm []int, prepare bool) *moveRig {
	t.Helper()
	rg := newBlockRig(t, c.model(), stateNeurons, c.h, nil)
	rg.b = rg.m.NewBlock()
	if prepare {
		rg.b.Prepare(rg.g)
	}
	for _, p := range perm {
		rg.b.AppendFrom(a.b, p)
	}
	rg.k, rg.rng = a.k, a.rng
	full := make([]int, len(perm))
	for j, p := range perm {
		full[j] = a.perm[p]
	}
	return &moveRig{rg, full, a.wScale}
}

// stepBoth advances a (an original block) and b (its neurons in the order b.perm) by one step
// with the same input per neuron, and fails unless every spike and recordable agrees bit for bit.
func stepBoth(t *testing.T, a, b *moveRig) (spikes int) {
	t.Helper()
	a.input(a.k)
	for c, sl := range a.reads {
		for j, p := range b.perm {
			b.reads[c][j] = sl[p]
		}
	}
	sa, sb := a.update(), b.update()
	for k := range sb {
		sb[k].Index = int32(b.perm[sb[k].Index])
	}
	slices.SortFunc(sb, func(x, y Spike) int { return int(x.Index - y.Index) })
	if !reflect.DeepEqual(sa, sb) {
		t.Fatalf("step %d: spikes %v, moved %v", a.k, sa, sb)
	}
	for rec, name := range a.m.Recordables() {
		for j, p := range b.perm {
			if x, y := a.b.Sample(rec, p), b.b.Sample(rec, j); math.Float64bits(x) != math.Float64bits(y) {
				t.Fatalf("step %d: %s of neuron %d %v, moved %v", a.k, name, p, x, y)
			}
		}
	}
	return len(sa)
}

// checkSameBlock fails unless b, put back into a's order by AppendFrom, reports the same status
// and writes the same state as a.
func checkSameBlock(t *testing.T, c moveCase, a, b *moveRig) {
	t.Helper()
	inv := make([]int, len(b.perm))
	for j, p := range b.perm {
		inv[p] = j
	}
	back := moved(t, c, b, inv, false)
	for i := range stateNeurons {
		da, db := status.Dict{}, status.Dict{}
		a.b.Get(i, da)
		back.b.Get(i, db)
		if !reflect.DeepEqual(da, db) {
			t.Fatalf("neuron %d: status %v, moved back %v", i, da, db)
		}
	}
	if !bytes.Equal(writeState(a.b), writeState(back.b)) {
		t.Fatalf("the block moved back writes a different state")
	}
}

// TestAppendFromContinues runs a block, moves its neurons one by one in a shuffled order into a
// fresh block (unprepared, or prepared on the same grid), and runs both on with the
// correspondingly permuted input: every spike and recordable must agree bit for bit, and the
// moved block, put back into the original order, must write the original's state.
func TestAppendFromContinues(t *testing.T) {
	for _, c := range moveCases() {
		for _, prepare := range []bool{false, true} {
			t.Run(c.name+map[bool]string{false: " fresh", true: " prepared"}[prepare], func(t *testing.T) {
				a := newMoveRig(t, c)
				spikes := a.warm(150)
				for !isRefractory(a.b) {
					if a.k > 2000 {
						t.Fatalf("no neuron is ever refractory: the case does not test the counters")
					}
					spikes += a.warm(1)
				}
				perm := rand.New(rand.NewPCG(uint64(a.k), 5)).Perm(stateNeurons)
				if c.ordered {
					perm = identity(stateNeurons)
				}
				b := moved(t, c, a, perm, prepare)
				if b.b.Len() != stateNeurons {
					t.Fatalf("Len %d after %d AppendFrom", b.b.Len(), stateNeurons)
				}
				checkSameBlock(t, c, a, b)
				for range 400 {
					spikes += stepBoth(t, a, b)
				}
				if spikes == 0 {
					t.Errorf("no spikes: the case does not exercise resets and refractoriness")
				}
				checkSameBlock(t, c, a, b)
			})
		}
	}
}

// TestAppendFromOtherGrid: a neuron moved into a block prepared on another grid gets the derived
// values of that grid, as if the block had been prepared after the move.
func TestAppendFromOtherGrid(t *testing.T) {
	for _, c := range moveCases() {
		t.Run(c.name, func(t *testing.T) {
			a := newMoveRig(t, c)
			a.warm(100)
			g := clock.NewGrid(2*c.h, 1000)
			early, late := a.m.NewBlock(), a.m.NewBlock()
			early.Prepare(g)
			for i := range stateNeurons {
				early.AppendFrom(a.b, i)
				late.AppendFrom(a.b, i)
			}
			late.Prepare(g)
			ra, rb := newBlockRig(t, a.m, stateNeurons, 2*c.h, nil), newBlockRig(t, a.m, stateNeurons, 2*c.h, nil)
			ra.b, rb.b = early, late
			tb, sb := run(rb, 200)
			ta, sa := run(ra, 200)
			if !reflect.DeepEqual(sa, sb) || !slices.Equal(ta, tb) {
				t.Fatalf("moving into a block prepared on another grid differs from preparing after the move")
			}
			if !bytes.Equal(writeState(early), writeState(late)) {
				t.Fatalf("states differ")
			}
		})
	}
}

// TestAppendFromOtherType: AppendFrom of a block of another type panics, naming both types.
func TestAppendFromOtherType(t *testing.T) {
	src := NewIafPscDelta().NewBlock()
	src.Append(NewIafPscDelta(), 1)
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "deltaBlock") || !strings.Contains(msg, "alphaBlock") {
			t.Errorf("panic %q, want one naming both block types", msg)
		}
	}()
	NewIafPscAlpha().NewBlock().AppendFrom(src, 0)
}

// synMoveCases are one store per synapse model with state: three connections with different
// parameters.
func synMoveCases() []struct {
	m    SynapseModel
	vals [][]float64
} {
	return append(synRoundTripCases(), []struct {
		m    SynapseModel
		vals [][]float64
	}{
		{NewStdpSynapse(), [][]float64{{20, 0.01, 1, 1, 1, 100, 0}, {15, 0.05, 0.9, 0.5, 1, 120, 0.3}, {30, 0.02, 1.1, 1, 0.4, 90, 1}}},
		{NewStdpSynapseHom(), [][]float64{{0}, {0.5}, {2}}},
	}...)
}

// synKeys are the per-connection keys worth asking Value about: every documented parameter, the
// connection keys and the time of the last spike.
func synKeys(m SynapseModel) []string {
	keys := append([]string{"t_lastspike"}, m.ConnKeys()...)
	for _, p := range m.Params() {
		keys = append(keys, p.Name)
	}
	return keys
}

// movedSyn returns a harness whose store holds the connections of h in the order perm (new j is
// old perm[j]), built by AppendFrom into a fresh store, with the weights, targets, delays and a
// copy of the spike history.
func movedSyn(t *testing.T, h *synHarness, perm []int) *synHarness {
	t.Helper()
	r := &synHarness{m: h.m, s: h.m.NewState(), arch: &Archive{}, b: h.b}
	r.b.W, r.b.Tgt, r.b.DR = nil, nil, nil
	for _, p := range perm {
		r.s.AppendFrom(h.s, p)
		r.b.W = append(r.b.W, h.b.W[p])
		r.b.Tgt = append(r.b.Tgt, h.b.Tgt[p])
		r.b.DR = append(r.b.DR, h.b.DR[p])
	}
	var e state.Encoder
	h.arch.WriteState(&e)
	if err := r.arch.ReadState(state.NewDecoder(e.Bytes(), "archive")); err != nil {
		t.Fatal(err)
	}
	r.b.Arch, r.b.Out = r.arch, make([]float64, len(h.b.Out))
	return r
}

// checkSynValues fails unless connection j of r and connection perm[j] of h have the same value
// of every key.
func checkSynValues(t *testing.T, h, r *synHarness, perm []int) {
	t.Helper()
	for j, p := range perm {
		for _, key := range synKeys(h.m) {
			va, oka := h.s.Value(p, key)
			vb, okb := r.s.Value(j, key)
			if oka != okb || math.Float64bits(va) != math.Float64bits(vb) {
				t.Fatalf("%s: %s of connection %d = %v (%v), moved %v (%v)", h.m.Name(), key, p, va, oka, vb, okb)
			}
		}
	}
}

// TestSynAppendFrom runs half of a spike sequence, moves every connection in a shuffled order
// into a fresh store, and runs the other half into both: every value and every delivered weight
// agree bit for bit.
func TestSynAppendFrom(t *testing.T) {
	w := []float64{45, 10, 80}
	tgt := []uint32{0, 1, 0}
	delays := []int64{10, 15, 37}
	perm := []int{2, 0, 1}
	for _, c := range synMoveCases() {
		t.Run(c.m.Name(), func(t *testing.T) {
			events := synEvents(11, 120)
			h := newSynHarness(t, c.m, c.vals, w, tgt, delays)
			h.run(events[:len(events)/2])
			r := movedSyn(t, h, perm)
			if r.s.Len() != len(perm) {
				t.Fatalf("Len %d after %d AppendFrom", r.s.Len(), len(perm))
			}
			checkSynValues(t, h, r, perm)
			a, b := h.run(events[len(events)/2:]), r.run(events[len(events)/2:])
			for k := range a {
				base := k / len(perm) * len(perm)
				if x, y := a[base+perm[k%len(perm)]], b[k]; math.Float64bits(x) != math.Float64bits(y) {
					t.Fatalf("delivered weight %d: moved %v, original %v", k, y, x)
				}
			}
			checkSynValues(t, h, r, perm)
			if slices.Equal(a[:3], a[len(a)-3:]) {
				t.Errorf("delivered weights do not change (%v): the test exercises nothing", a[:3])
			}
		})
	}
}

// TestSynAppendFromOtherType: AppendFrom of a store of another model panics.
func TestSynAppendFromOtherType(t *testing.T) {
	src := NewTsodyksSynapse().NewState()
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "tsodyksState") {
			t.Errorf("panic %q, want one naming the types", msg)
		}
	}()
	NewStdpSynapse().NewState().AppendFrom(src, 0)
}
