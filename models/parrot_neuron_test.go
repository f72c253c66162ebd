package models

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// TestParrotNeuronRepeats: a neuron whose Count slot holds n > 0 emits one spike of multiplicity n
// in that step; the slot is zeroed; neurons without input stay silent.
func TestParrotNeuronRepeats(t *testing.T) {
	for _, tc := range []struct {
		name  string
		count []float64
		want  []Spike
	}{
		{"none", []float64{0, 0, 0, 0}, nil},
		{"one", []float64{0, 1, 0, 0}, []Spike{{Index: 1, Mult: 1}}},
		{"multiplicity", []float64{3, 0, 0, 7}, []Spike{{Index: 0, Mult: 3}, {Index: 3, Mult: 7}}},
		{"all", []float64{1, 2, 3, 4}, []Spike{{0, 1}, {1, 2}, {2, 3}, {3, 4}}},
		{"large", []float64{0, 0, 1e6, 0}, []Spike{{Index: 2, Mult: 1000000}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rg := newBlockRig(t, NewParrotNeuron(), 4, 0.1, nil)
			copy(rg.s.Count, tc.count)
			if got := rg.update(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("spikes %v, want %v", got, tc.want)
			}
			if got := rg.update(); len(got) != 0 {
				t.Errorf("next step repeated %v", got)
			}
		})
	}
}

// TestParrotNeuronStream: the output is the input, step by step, with no extra delay.
func TestParrotNeuronStream(t *testing.T) {
	const n = 20
	rnd := rand.New(rand.NewPCG(3, 4))
	rg := newBlockRig(t, NewParrotNeuron(), n, 0.1, nil)
	for rg.k < 500 {
		var want []Spike
		for i := range n {
			if rnd.IntN(4) == 0 {
				m := 1 + rnd.IntN(5)
				rg.s.Count[i] = float64(m)
				want = append(want, Spike{Index: int32(i), Mult: uint32(m)})
			}
		}
		if got := rg.update(); !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: spikes %v, want %v", rg.k-1, got, want)
		}
	}
}

func TestParrotNeuronChannels(t *testing.T) {
	m := NewParrotNeuron()
	for _, tc := range []struct {
		kind EventKind
		port int
		want Channel
		err  status.Kind
	}{
		{SpikeEvent, 0, ChanCount, ""},
		{SpikeEvent, 1, ChanDiscard, ""},
		{SpikeEvent, 2, 0, status.UnknownReceptorType},
		{SpikeEvent, -1, 0, status.UnknownReceptorType},
		{CurrentEvent, 0, 0, status.IllegalConnection},
		{CurrentEvent, 1, 0, status.IllegalConnection},
	} {
		ch, err := m.Channel(tc.kind, tc.port)
		if status.KindOf(err) != tc.err || (err == nil && ch != tc.want) {
			t.Errorf("Channel(%d, %d) = %v, %v; want %v, %q", tc.kind, tc.port, ch, err, tc.want, tc.err)
		}
		if err != nil && !strings.Contains(err.Error(), "parrot_neuron: ") {
			t.Errorf("message %q does not name the model", err)
		}
	}
	// Receptor 1 has no buffer: only Count is read.
	if got := m.Channels(); !reflect.DeepEqual(got, []Channel{ChanCount}) {
		t.Errorf("Channels() = %v", got)
	}
}

func TestParrotNeuronStatus(t *testing.T) {
	m := NewParrotNeuron()
	if d := m.Defaults(); len(d) != 0 {
		t.Errorf("Defaults() = %v, want none", d)
	}
	if len(m.Params()) != 0 || len(m.Recordables()) != 0 || m.Doc() == "" {
		t.Errorf("Params %v, Recordables %v", m.Params(), m.Recordables())
	}
	// Keys that belong to the kernel (archiving) or nobody are left unread for the caller.
	r := status.NewReader(status.Dict{"tau_minus": 30.0, "V_m": -70.0}, m.Name())
	if err := m.SetDefaults(r); err != nil {
		t.Fatal(err)
	}
	if u := r.Unused(); !reflect.DeepEqual(u, []string{"V_m", "tau_minus"}) {
		t.Errorf("Unused() = %v", u)
	}
	c := m.Copy("my_parrot")
	if c.Name() != "my_parrot" || m.Name() != "parrot_neuron" {
		t.Errorf("names %q %q", c.Name(), m.Name())
	}
	b := c.NewBlock()
	b.Append(c, 3)
	b.Append(m, 2)
	if b.Len() != 5 {
		t.Errorf("Len() = %d", b.Len())
	}
	d := status.Dict{}
	b.Get(4, d)
	r = status.NewReader(status.Dict{"x": 1.0}, m.Name())
	if err := b.Set(4, r); err != nil || len(d) != 0 || len(r.Unused()) != 1 {
		t.Errorf("Get %v, Set %v, unused %v", d, err, r.Unused())
	}
}

func BenchmarkUpdateParrotNeuron(b *testing.B) {
	benchUpdate(b, NewParrotNeuron(), func(i int, rnd *rand.Rand) status.Dict { return nil })
}
