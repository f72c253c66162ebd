package models

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/status"
)

func TestIzhikevichDefaults(t *testing.T) {
	m := NewIzhikevich()
	want := status.Dict{"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0, "I_e": 0.0, "V_th": 30.0,
		"V_min": -math.MaxFloat64, "consistent_integration": true, "V_m": -65.0, "U_m": -13.0}
	if d := m.Defaults(); !reflect.DeepEqual(d, want) {
		t.Errorf("Defaults() = %v, want %v", d, want)
	}
	if r := m.Recordables(); !reflect.DeepEqual(r, []string{"U_m", "V_m"}) {
		t.Errorf("Recordables() = %v", r)
	}
	if len(m.Params()) != len(want) {
		t.Errorf("Params() documents %d entries, want %d", len(m.Params()), len(want))
	}
	if !strings.Contains(m.Doc(), "consistent_integration") {
		t.Errorf("Doc() does not explain consistent_integration")
	}
}

// izhStep is one step of NEST's izhikevich::update for a single neuron, written out plainly: the
// test's own statement of the scheme, against which the block is checked bit for bit.
func izhStep(p izhParams, h float64, v, u, iIn, spike float64) (nv, nu float64, fired bool) {
	if p.Consistent {
		vOld, uOld := v, u
		dv := 0.04 * vOld
		dv = dv * vOld
		five := 5 * vOld
		dv = dv + five
		dv = dv + 140 - uOld + iIn + p.IE
		hdv := h * dv
		v += hdv + spike
		ha := h * p.A
		bv := p.B * vOld
		u += ha * (bv - uOld)
	} else {
		for range 2 {
			dv := 0.04 * v
			dv = dv * v
			five := 5 * v
			dv = dv + five
			dv = dv + 140 - u + iIn + p.IE + spike
			hh := h * 0.5
			v += hh * dv
		}
		ha := h * p.A
		bv := p.B * v
		u += ha * (bv - u)
	}
	if v < p.VMin {
		v = p.VMin
	}
	if v >= p.VTh {
		return p.C, u + p.D, true
	}
	return v, u, false
}

// TestIzhikevichSchemes drives neurons of both schemes, at several resolutions, with random spike
// weights of either sign and random currents, and compares every step with izhStep bit for bit
// (state and spikes); currents act from the step after they arrive.
func TestIzhikevichSchemes(t *testing.T) {
	for _, h := range []float64{0.1, 0.25, 1.0} {
		for _, consistent := range []bool{true, false} {
			set := status.Dict{"consistent_integration": consistent, "I_e": 4.0, "V_min": -90.0, "a": 0.1, "d": 2.0}
			rg := newBlockRig(t, NewIzhikevich(), 3, h, set)
			p := NewIzhikevich().(*Izhikevich).p
			p.Consistent, p.IE, p.VMin, p.A, p.D = consistent, 4, -90, 0.1, 2
			rnd := rand.New(rand.NewPCG(7, uint64(h*10)))
			var v, u, iIn [3]float64
			for i := range 3 {
				v[i], u[i] = -65, -13
			}
			fired := 0
			for k := 0; k < int(500/h); k++ {
				var sp, cur [3]float64
				for i := range 3 {
					if rnd.IntN(4) == 0 {
						sp[i] = 20 * (rnd.Float64() - 0.4)
					}
					if rnd.IntN(8) == 0 {
						cur[i] = 20 * rnd.Float64()
					}
					if sp[i] > 0 {
						rg.s.Ex[i] = sp[i]
					} else {
						rg.s.In[i] = sp[i]
					}
					rg.s.I0[i] = cur[i]
				}
				got := rg.update()
				var want []Spike
				for i := range 3 {
					var f bool
					v[i], u[i], f = izhStep(p, h, v[i], u[i], iIn[i], sp[i])
					iIn[i] = cur[i]
					if f {
						want = append(want, Spike{Index: int32(i), Mult: 1})
					}
					if rg.sample("V_m", i) != v[i] || rg.sample("U_m", i) != u[i] {
						t.Fatalf("h %g consistent %v step %d neuron %d: V_m %.17g U_m %.17g, want %.17g %.17g",
							h, consistent, k, i, rg.sample("V_m", i), rg.sample("U_m", i), v[i], u[i])
					}
				}
				if !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
					t.Fatalf("h %g consistent %v step %d: spikes %v, want %v", h, consistent, k, got, want)
				}
				fired += len(got)
			}
			if fired < 10 {
				t.Errorf("h %g consistent %v: only %d spikes; the test does not exercise the reset", h, consistent, fired)
			}
		}
	}
}

// TestIzhikevichFirstSteps checks NEST's first samples of the reference case (I_e = 10, h = 0.1)
// and the different role of a spike in the two schemes: a voltage jump of w (consistent) versus an
// input current integrated over the step, h·w in total (published).
func TestIzhikevichFirstSteps(t *testing.T) {
	rg := newBlockRig(t, NewIzhikevich(), 1, 0.1, status.Dict{"I_e": 10.0})
	rg.update()
	if v, u := rg.sample("V_m", 0), rg.sample("U_m", 0); v != -64.3 || u != -13 {
		t.Errorf("after one step V_m %.17g U_m %.17g, NEST -64.3, -13", v, u)
	}
	rg.update()
	if v, u := rg.sample("V_m", 0), rg.sample("U_m", 0); v != -63.61203999999999 || u != -12.99972 {
		t.Errorf("after two steps V_m %.17g U_m %.17g, NEST -63.61203999999999, -12.99972", v, u)
	}
	// At rest (v = -70, u = -14 gives dv/dt = 196 - 350 + 140 + 14 = 0) a spike of 5 mV moves v
	// by exactly 5 in the consistent scheme, by h·5 (nearly; dv/dt changes after the first half
	// step) in the published one.
	for _, consistent := range []bool{true, false} {
		rg := newBlockRig(t, NewIzhikevich(), 1, 0.1, status.Dict{"V_m": -70.0, "U_m": -14.0, "consistent_integration": consistent})
		rg.s.Ex[0] = 5
		rg.update()
		dv := rg.sample("V_m", 0) + 70
		if consistent && dv != 5 {
			t.Errorf("consistent: jump %g, want 5", dv)
		}
		if !consistent && math.Abs(dv-0.5) > 0.01 {
			t.Errorf("published: jump %g, want about h·5 = 0.5", dv)
		}
	}
}

// TestIzhikevichThreshold: v ≥ V_th fires (equality included), resets v to c and adds d to u;
// V_min bounds v from below before the threshold test.
func TestIzhikevichThreshold(t *testing.T) {
	rg := newBlockRig(t, NewIzhikevich(), 2, 0.1, status.Dict{"V_m": -70.0, "U_m": -14.0, "V_min": -75.0})
	rg.s.Ex[0] = 100 // -70 + 100 = 30 = V_th exactly
	rg.s.In[1] = -20 // clamped at -75
	sp := rg.update()
	if !reflect.DeepEqual(sp, []Spike{{Index: 0, Mult: 1}}) {
		t.Fatalf("spikes %v, want neuron 0", sp)
	}
	if v, u := rg.sample("V_m", 0), rg.sample("U_m", 0); v != -65 || u != -14+8 {
		t.Errorf("after the spike V_m %g U_m %g, want c = -65, u + d = -6", v, u)
	}
	if v := rg.sample("V_m", 1); v != -75 {
		t.Errorf("V_m %g, want V_min -75", v)
	}
	// Excitatory and inhibitory weights of one step add up.
	rg.s.Ex[1], rg.s.In[1] = 7, -3
	before := rg.sample("V_m", 1)
	uBefore := rg.sample("U_m", 1)
	rg.update()
	f := 0.04*before*before + 5*before + 140 - uBefore
	if v := rg.sample("V_m", 1); math.Abs(v-(before+0.1*f+4)) > 1e-12 {
		t.Errorf("V_m %g after +7 and -3, want %g", v, before+0.1*f+4)
	}
}

// TestIzhikevichStatus: Get reports what Set stored; NEST validates no parameter, so values
// other models would refuse are accepted; a value of the wrong type is a TypeMismatch that
// changes nothing, for Set and SetDefaults alike.
func TestIzhikevichStatus(t *testing.T) {
	m := NewIzhikevich()
	checkRoundTrip(t, m, status.Dict{"a": 0.1, "b": 0.25, "c": -55.0, "d": 0.05, "I_e": 3.0, "V_th": 25.0,
		"V_min": -100.0, "consistent_integration": false, "V_m": -60.0, "U_m": -10.0})
	rg := newBlockRig(t, m, 1, 0.1, nil)
	odd := status.Dict{"a": -1.0, "V_th": -80.0, "c": 50.0, "V_min": 10.0}
	if err := rg.b.Set(0, status.NewReader(odd, m.Name())); err != nil {
		t.Errorf("Set(%v) = %v; NEST accepts any value", odd, err)
	}
	for _, bad := range []status.Dict{
		{"a": 0.5, "c": "low"},
		{"I_e": 1.0, "consistent_integration": 1.0},
		{"b": 0.3, "V_m": true},
		{"d": 1.0, "U_m": "x"},
	} {
		before := status.Dict{}
		rg.b.Get(0, before)
		if err := rg.b.Set(0, status.NewReader(bad, m.Name())); status.KindOf(err) != status.TypeMismatch {
			t.Errorf("Set(%v) = %v, want TypeMismatch", bad, err)
		}
		after := status.Dict{}
		rg.b.Get(0, after)
		if !reflect.DeepEqual(before, after) {
			t.Errorf("failed Set(%v) changed the neuron: %v -> %v", bad, before, after)
		}
		c := m.Copy("izh2")
		defs := c.Defaults()
		if err := c.SetDefaults(status.NewReader(bad, c.Name())); status.KindOf(err) != status.TypeMismatch {
			t.Errorf("SetDefaults(%v) = %v, want TypeMismatch", bad, err)
		}
		if !reflect.DeepEqual(defs, c.Defaults()) {
			t.Errorf("failed SetDefaults(%v) changed the defaults", bad)
		}
	}
}

// TestIzhikevichCopy: SetDefaults on a copy leaves the original alone; blocks take the defaults of
// the model they are appended from; a changed a takes effect in the u update after Set.
func TestIzhikevichCopy(t *testing.T) {
	m := NewIzhikevich()
	c := m.Copy("fast_spiking")
	if err := c.SetDefaults(status.NewReader(status.Dict{"a": 0.1, "d": 2.0, "V_m": -70.0}, c.Name())); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Defaults(), NewIzhikevich().Defaults()) {
		t.Errorf("SetDefaults on the copy changed the original")
	}
	b := c.NewBlock()
	b.Append(c, 1)
	b.Append(m, 1)
	b.Prepare(clock.NewGrid(0.1, 1000))
	d0, d1 := status.Dict{}, status.Dict{}
	b.Get(0, d0)
	b.Get(1, d1)
	if d0["a"] != 0.1 || d0["V_m"] != -70.0 || d0["U_m"] != -13.0 || d1["a"] != 0.02 || d1["V_m"] != -65.0 {
		t.Errorf("appended neurons: %v, %v", d0, d1)
	}
	if err := b.Set(1, status.NewReader(status.Dict{"a": 0.5}, m.Name())); err != nil {
		t.Fatal(err)
	}
	s := Step{Ex: make([]float64, 2), In: make([]float64, 2), I0: make([]float64, 2), H: 0.1}
	b.Update(&s)
	// neuron 1: v = -65, u = -13: u ← -13 + (0.1·0.5)·(0.2·(-65) + 13) = -13; move u off the nullcline.
	if err := b.Set(1, status.NewReader(status.Dict{"U_m": -10.0}, m.Name())); err != nil {
		t.Fatal(err)
	}
	v := b.Sample(1, 1)
	b.Update(&s)
	if got, want := b.Sample(0, 1), -10+(0.1*0.5)*(0.2*v+10); got != want {
		t.Errorf("U_m after Set(a 0.5) = %.17g, want %.17g", got, want)
	}
}

func TestIzhikevichChannels(t *testing.T) {
	m := NewIzhikevich()
	if ch, err := m.Channel(SpikeEvent, 0); err != nil || ch != ChanSpike {
		t.Errorf("spike 0: %v %v", ch, err)
	}
	if ch, err := m.Channel(CurrentEvent, 0); err != nil || ch != ChanI0 {
		t.Errorf("current 0: %v %v", ch, err)
	}
	for _, k := range []EventKind{SpikeEvent, CurrentEvent} {
		_, err := m.Channel(k, 1)
		if status.KindOf(err) != status.UnknownReceptorType || !strings.Contains(err.Error(), "izhikevich") {
			t.Errorf("kind %d port 1: %v, want UnknownReceptorType naming izhikevich", k, err)
		}
	}
	if !reflect.DeepEqual(m.Channels(), []Channel{ChanSpike, ChanI0}) {
		t.Errorf("Channels() = %v", m.Channels())
	}
}

func BenchmarkUpdateIzhikevich(b *testing.B) {
	benchUpdate(b, NewIzhikevich(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 5 + 10*rnd.Float64()}
	})
}

func BenchmarkUpdateIzhikevichPublished(b *testing.B) {
	benchUpdate(b, NewIzhikevich(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 5 + 10*rnd.Float64(), "consistent_integration": false}
	})
}
