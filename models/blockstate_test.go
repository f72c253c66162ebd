package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// stateCase is a neuron model with parameters that exercise all of its state, and the layout of
// its written state after the header: one letter per column, f for float64, b for bool, i for
// int64 (so that tests can find and corrupt single columns).
type stateCase struct {
	name   string
	model  func() NeuronModel
	kind   string // the block type written in the header
	set    status.Dict
	h      float64
	layout string
	// badParam is the column index of a parameter whose value 0 Set would refuse (-1: none).
	badParam int
}

var stateCases = []stateCase{
	{"iaf_psc_alpha", NewIafPscAlpha, "iaf_psc_alpha", status.Dict{"I_e": 1000.0, "tau_syn_in": 5.0, "V_min": -80.0},
		0.1, "ffffffffff" + "ffffff" + "i", 1},
	{"iaf_psc_delta", NewIafPscDelta, "iaf_psc_delta", status.Dict{"I_e": 370.0, "refractory_input": true},
		0.1, "ffffffff" + "b" + "fff" + "i", 1},
	{"iaf_psc_exp", NewIafPscExp, "iaf_psc_exp", status.Dict{"I_e": 1000.0, "tau_syn_ex": 0.7},
		0.1, "fffffffffff" + "fffff" + "i", 1},
	{"iaf_psc_exp escape noise", NewIafPscExp, "iaf_psc_exp", status.Dict{"I_e": 300.0, "delta": 2.0, "rho": 50.0},
		0.1, "fffffffffff" + "fffff" + "i", 1},
	{"parrot_neuron", NewParrotNeuron, "parrot_neuron", nil, 0.1, "", -1},
	{"izhikevich", NewIzhikevich, "izhikevich", status.Dict{"I_e": 8.0, "V_min": -75.0},
		0.1, "fffffff" + "b" + "fff", -1},
	{"izhikevich published", NewIzhikevich, "izhikevich", status.Dict{"I_e": 8.0, "consistent_integration": false},
		0.5, "fffffff" + "b" + "fff", -1},
}

const stateNeurons = 16

// feed writes step k's input into every channel slot the rig has: random spike weights of both
// signs (counts for the parrot) and currents, the same for every rig given the same k.
func feed(rg *blockRig, k int64) {
	rnd := rand.New(rand.NewPCG(uint64(k), 99))
	for _, sl := range rg.reads {
		for i := range sl {
			if rnd.IntN(3) != 0 {
				continue
			}
			switch {
			case len(rg.s.Count) > 0 && &sl[0] == &rg.s.Count[0]:
				sl[i] = float64(1 + rnd.IntN(3))
			case len(rg.s.In) > 0 && &sl[0] == &rg.s.In[0]:
				sl[i] = -30 * rnd.Float64()
			default:
				sl[i] = 40 * rnd.Float64()
			}
		}
	}
}

// refractoryAt reports whether some neuron of an iaf block is refractory (and, for iaf_psc_delta
// with refractory_input, holds input for the end of it); true for the other models.
func refractoryAt(b Block) bool {
	var r []int64
	switch b := b.(type) {
	case *alphaBlock:
		r = b.r
	case *expBlock:
		r = b.r
	case *deltaBlock:
		if !slices.ContainsFunc(b.refrBuf, func(x float64) bool { return x != 0 }) {
			return false
		}
		r = b.r
	default:
		return true
	}
	return slices.ContainsFunc(r, func(x int64) bool { return x > 0 })
}

// fired counts the spikes of a run's spike list (without the step separators).
func fired(sp []Spike) int {
	n := 0
	for _, s := range sp {
		if s.Index >= 0 {
			n++
		}
	}
	return n
}

func writeState(b Block) []byte {
	var e state.Encoder
	b.WriteState(&e)
	return e.Bytes()
}

// run advances rg by steps steps with feed's input and returns the spikes and the bits of every
// recordable of every neuron after each step.
func run(rg *blockRig, steps int) (trace []uint64, spikes []Spike) {
	for range steps {
		feed(rg, rg.k)
		spikes = append(spikes, rg.update()...)
		spikes = append(spikes, Spike{Index: -1}) // step separator
		for rec := range rg.m.Recordables() {
			for i := range rg.b.Len() {
				trace = append(trace, math.Float64bits(rg.b.Sample(rec, i)))
			}
		}
	}
	return trace, spikes
}

// restored returns a rig whose block is a fresh block of c's model, prepared, then filled by
// ReadState from st, continuing at step k with the random stream rng.
func restored(t *testing.T, c stateCase, st []byte, from *blockRig) *blockRig {
	t.Helper()
	rg := newBlockRig(t, c.model(), stateNeurons, c.h, nil)
	rg.b = rg.m.NewBlock()
	rg.b.Prepare(rg.g)
	d := state.NewDecoder(st, c.name)
	if err := rg.b.ReadState(d); err != nil {
		t.Fatalf("ReadState: %v", err)
	}
	if err := d.Done(); err != nil {
		t.Fatalf("ReadState left bytes: %v", err)
	}
	rg.k, rg.rng = from.k, from.rng
	return rg
}

// TestBlockStateContinues runs a block, writes its state, reads it into a fresh block and runs
// both on with the same input: every recordable and every spike must agree bit for bit, and both
// blocks must report the same status and write the same state.
func TestBlockStateContinues(t *testing.T) {
	for _, c := range stateCases {
		t.Run(c.name, func(t *testing.T) {
			a := newBlockRig(t, c.model(), stateNeurons, c.h, c.set)
			// Checkpoint after at least 150 steps, at a step where some neuron is refractory.
			_, before := run(a, 150)
			for !refractoryAt(a.b) {
				if a.k > 2000 {
					t.Fatalf("no neuron is ever refractory: the case does not test the counters")
				}
				_, sp := run(a, 1)
				before = append(before, sp...)
			}
			st := append([]byte(nil), writeState(a.b)...)
			b := restored(t, c, st, a)
			if got := writeState(b.b); !bytes.Equal(got, st) {
				t.Fatalf("the restored block writes a different state")
			}
			for i := range stateNeurons {
				da, db := status.Dict{}, status.Dict{}
				a.b.Get(i, da)
				b.b.Get(i, db)
				if !reflect.DeepEqual(da, db) {
					t.Fatalf("neuron %d: status %v, restored %v", i, da, db)
				}
			}
			ta, sa := run(a, 400)
			tb, sb := run(b, 400)
			if !reflect.DeepEqual(sa, sb) {
				t.Fatalf("spikes differ after the restore")
			}
			for k := range ta {
				if ta[k] != tb[k] {
					t.Fatalf("recordable sample %d: %x, restored %x", k, ta[k], tb[k])
				}
			}
			if fired(before)+fired(sa) == 0 {
				t.Errorf("no spikes: the case does not exercise resets and refractoriness")
			}
			if !bytes.Equal(writeState(a.b), writeState(b.b)) {
				t.Errorf("states differ after 400 more steps")
			}
		})
	}
}

// layoutOffsets returns the byte offset of every column after the header, and the total length,
// for n neurons.
func layoutOffsets(c stateCase, n int) (offs []int, total int) {
	off := 8 + len(c.kind) + 8
	for _, k := range c.layout {
		offs = append(offs, off)
		size := 8
		if k == 'b' {
			size = 1
		}
		off += 8 + size*n
	}
	return offs, off
}

func putU64(b []byte, off int, v uint64) []byte {
	b = append([]byte(nil), b...)
	binary.LittleEndian.PutUint64(b[off:], v)
	return b
}

// TestBlockStateRefused checks that every truncation and a set of corruptions of a valid state
// are refused with an error wrapping state.ErrCorrupt, without panic, and leave the block as it
// was.
func TestBlockStateRefused(t *testing.T) {
	for _, c := range stateCases {
		t.Run(c.name, func(t *testing.T) {
			src := newBlockRig(t, c.model(), stateNeurons, c.h, c.set)
			run(src, 100)
			st := append([]byte(nil), writeState(src.b)...)
			offs, total := layoutOffsets(c, stateNeurons)
			if total != len(st) {
				t.Fatalf("state has %d bytes, layout %q gives %d", len(st), c.layout, total)
			}
			target := newBlockRig(t, c.model(), stateNeurons, c.h, nil)
			run(target, 30)
			keep := append([]byte(nil), writeState(target.b)...)
			refuse := func(what string, bad []byte) {
				t.Helper()
				err := target.b.ReadState(state.NewDecoder(bad, what))
				if !errors.Is(err, state.ErrCorrupt) {
					t.Fatalf("%s: ReadState = %v, want an error wrapping ErrCorrupt", what, err)
				}
				if !bytes.Equal(writeState(target.b), keep) {
					t.Fatalf("%s: the refused state changed the block", what)
				}
			}
			for l := range len(st) {
				refuse("truncated", st[:l])
			}
			kindOff, nOff := 8, 8+len(c.kind)
			wrongKind := append([]byte(nil), st...)
			wrongKind[kindOff] ^= 0x20
			refuse("wrong block type", wrongKind)
			refuse("count -1", putU64(st, nOff, math.MaxUint64))
			refuse("count huge", putU64(st, nOff, 1<<60))
			if len(offs) > 0 {
				refuse("count +1", putU64(st, nOff, stateNeurons+1))
				refuse("first column huge", putU64(st, offs[0], 1<<62))
				refuse("last column short", putU64(st, offs[len(offs)-1], stateNeurons-1))
			}
			for j, k := range c.layout {
				switch k {
				case 'b':
					bad := append([]byte(nil), st...)
					bad[offs[j]+8+3] = 2
					refuse("bool 2", bad)
				case 'i':
					refuse("negative refractory count", putU64(st, offs[j]+8+8*5, math.MaxUint64))
				}
			}
			if c.badParam >= 0 {
				refuse("invalid parameter", putU64(st, offs[c.badParam]+8+8*7, math.Float64bits(0)))
			}
			// Leftover bytes are the caller's to refuse (the decoder may hold further pieces).
			d := state.NewDecoder(append(append([]byte(nil), st...), 0), c.name)
			if err := target.b.ReadState(d); err != nil {
				t.Fatalf("ReadState with a trailing byte: %v", err)
			}
			if err := d.Done(); !errors.Is(err, state.ErrCorrupt) {
				t.Errorf("Done with a trailing byte = %v", err)
			}
			// A decoder that already failed is refused at once.
			keep = append([]byte(nil), writeState(target.b)...)
			d = state.NewDecoder(st, c.name)
			d.Fail("earlier piece")
			if err := target.b.ReadState(d); !errors.Is(err, state.ErrCorrupt) {
				t.Errorf("ReadState after an earlier error = %v", err)
			}
			if !bytes.Equal(writeState(target.b), keep) {
				t.Errorf("ReadState after an earlier error changed the block")
			}
		})
	}
}
