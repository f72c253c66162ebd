package models

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/status"
)

func TestIafPscDeltaDefaults(t *testing.T) {
	m := NewIafPscDelta()
	want := status.Dict{"E_L": -70.0, "C_m": 250.0, "tau_m": 10.0, "t_ref": 2.0, "V_th": -55.0, "V_reset": -70.0,
		"I_e": 0.0, "V_min": -math.MaxFloat64, "refractory_input": false, "V_m": -70.0}
	if d := m.Defaults(); !reflect.DeepEqual(d, want) {
		t.Errorf("Defaults() = %v, want %v", d, want)
	}
	if r := m.Recordables(); !reflect.DeepEqual(r, []string{"V_m"}) {
		t.Errorf("Recordables() = %v", r)
	}
}

// TestIafPscDeltaSpikeGenerator is the reference case: resolution 0.01 ms, E_L −49 (above V_th),
// spikes of 2.5 mV from a spike_generator (times 1, 2, 3, 4, 5, 10.5, 12) over a connection with
// delay 0.1, so they arrive at 1.1, 2.1, ...; the first spike is at 4.1 ms. Before it, V follows
// the closed form E_L + (V_0 − E_L)·e^{−t/τm} + Σ 2.5·e^{−(t−a)/τm}. The spike arriving at 5.1 falls
// into the refractory period (4.1, 9.1]: dropped, or with refractory_input added at 9.11 decayed by
// e^{−4.01/τm}.
func TestIafPscDeltaSpikeGenerator(t *testing.T) {
	const (
		el, v0, tauM, w, h = -49.0, -60.0, 20.0, 2.5, 0.01
	)
	params := status.Dict{"E_L": el, "V_m": v0, "V_th": -50.0, "V_reset": -60.0, "C_m": 200.0, "tau_m": tauM, "t_ref": 5.0}
	var arrivals []float64
	for _, st := range []float64{1, 2, 3, 4, 5, 10.5, 12} {
		arrivals = append(arrivals, st+0.1)
	}
	for _, refrInput := range []bool{false, true} {
		p := status.Copy(params)
		p["refractory_input"] = refrInput
		rg := newBlockRig(t, NewIafPscDelta(), 1, h, p)
		in := map[int64]bool{}
		for _, a := range arrivals {
			in[rg.stepOf(a)] = true
		}
		if !in[109] || !in[1059] {
			t.Fatalf("arrival steps %v", in)
		}
		var spikes []float64
		var v911, v910 float64
		for rg.k < 20000 {
			if in[rg.k] {
				rg.s.Ex[0] = w
			}
			spikeTimes(rg, rg.update(), &spikes)
			v := rg.sample("V_m", 0)
			tm := rg.now()
			if len(spikes) == 0 {
				want := el + (v0-el)*math.Exp(-tm/tauM)
				for _, a := range arrivals {
					if a <= tm+1e-9 {
						want += w * math.Exp(-(tm-a)/tauM)
					}
				}
				if math.Abs(v-want) > 1e-10 {
					t.Fatalf("V(%g) = %.15g, closed form %.15g", tm, v, want)
				}
			}
			switch rg.k {
			case 910:
				v910 = v
			case 911:
				v911 = v
			}
			if len(spikes) == 1 && tm <= 9.1+1e-9 && v != -60 {
				t.Fatalf("refractory_input=%v: V(%g) = %g during refractoriness", refrInput, tm, v)
			}
		}
		if len(spikes) == 0 || math.Abs(spikes[0]-4.1) > 1e-9 {
			t.Fatalf("refractory_input=%v: first spike at %v, want 4.1", refrInput, spikes)
		}
		if v910 != -60 {
			t.Errorf("V(9.1) = %g, want V_reset", v910)
		}
		want := el + (-60-el)*math.Exp(-h/tauM)
		if refrInput {
			want += w * math.Exp(-4.01/tauM)
		}
		if math.Abs(v911-want) > 1e-12 {
			t.Errorf("refractory_input=%v: V(9.11) = %.15g, want %.15g", refrInput, v911, want)
		}
		// The neuron keeps firing with E_L above threshold; every interspike interval exceeds t_ref.
		for i := 1; i < len(spikes); i++ {
			if spikes[i]-spikes[i-1] <= 5.0 {
				t.Errorf("spikes %g and %g closer than t_ref", spikes[i-1], spikes[i])
			}
		}
	}
}

// TestIafPscDeltaJumps: weights are voltage jumps visible at the arrival time, excitatory and
// inhibitory slots add; V_min clamps; currents act from the next step.
func TestIafPscDeltaJumps(t *testing.T) {
	const h, tauM = 0.1, 10.0
	p33 := math.Exp(-h / tauM)
	for _, tc := range []struct {
		name   string
		set    status.Dict
		ex, in float64
		i0     float64
		want   [3]float64 // V after steps 0, 1, 2 (input in step 0)
	}{
		{"ex", nil, 5, 0, 0, [3]float64{-65, -70 + 5*p33, -70 + 5*p33*p33}},
		{"ex+in", nil, 5, -2, 0, [3]float64{-67, -70 + 3*p33, -70 + 3*p33*p33}},
		{"in unbounded", nil, 0, -1e6, 0, [3]float64{-70 - 1e6, -70 - 1e6*p33, -70 - 1e6*p33*p33}},
		{"V_min", status.Dict{"V_min": -72.0}, 0, -10, 0, [3]float64{-72, -70 - 2*p33, -70 - 2*p33*p33}},
		{"current", nil, 0, 0, 1000, [3]float64{-70, -70 + 1000*tauM/250*(1-p33), -70 + 1000*tauM/250*(1-p33)*p33}},
		{"threshold", nil, 15, 0, 0, [3]float64{-70, -70, -70}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rg := newBlockRig(t, NewIafPscDelta(), 1, h, tc.set)
			rg.s.Ex[0], rg.s.In[0], rg.s.I0[0] = tc.ex, tc.in, tc.i0
			for k, want := range tc.want {
				sp := rg.update()
				wantSpikes := 0
				if tc.name == "threshold" && k == 0 {
					wantSpikes = 1 // V reaches V_th exactly in the arrival step
				}
				if len(sp) != wantSpikes {
					t.Errorf("step %d: spikes %v", k, sp)
				}
				if v := rg.sample("V_m", 0); math.Abs(v-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Errorf("V after step %d = %.15g, want %.15g", k, v, want)
				}
			}
		})
	}
}

// TestIafPscDeltaRefractoryInput: several spikes during refractoriness accumulate, each decayed by
// e^{−r·h/τm} with r the steps left; all are dropped without refractory_input.
func TestIafPscDeltaRefractoryInput(t *testing.T) {
	const h, tauM = 0.1, 10.0
	for _, on := range []bool{false, true} {
		rg := newBlockRig(t, NewIafPscDelta(), 1, h, status.Dict{"refractory_input": on})
		rg.s.Ex[0] = 20 // fire in step 0; refractory for steps 1..20
		if sp := rg.update(); len(sp) != 1 {
			t.Fatalf("no spike")
		}
		rg.update()        // step 1: r 20 -> 19
		rg.s.Ex[0] = 1     // step 2: r = 19
		rg.s.In[0] = -0.25 // net 0.75
		rg.update()
		for rg.k < 15 {
			rg.update()
		}
		rg.s.Ex[0] = 2 // step 15: r = 6
		rg.update()
		for rg.k < 21 {
			rg.update()
			if v := rg.sample("V_m", 0); v != -70 {
				t.Fatalf("V(%g) = %g during refractoriness", rg.now(), v)
			}
		}
		rg.update() // step 21: free again
		want := -70.0
		if on {
			want += 0.75*math.Exp(-19*h/tauM) + 2*math.Exp(-6*h/tauM)
		}
		if v := rg.sample("V_m", 0); math.Abs(v-want) > 1e-12 {
			t.Errorf("refractory_input=%v: V after refractoriness = %.15g, want %.15g", on, v, want)
		}
		rg.update()
		if v, w2 := rg.sample("V_m", 0), -70+(want+70)*math.Exp(-h/tauM); math.Abs(v-w2) > 1e-12 {
			t.Errorf("accumulator not cleared: V = %.15g, want %.15g", v, w2)
		}
	}
}

func TestIafPscDeltaStatus(t *testing.T) {
	m := NewIafPscDelta()
	checkRoundTrip(t, m, status.Dict{"E_L": -65.0, "C_m": 200.0, "tau_m": 15.0, "t_ref": 3.0, "V_th": -50.0,
		"V_reset": -68.0, "I_e": 10.0, "V_min": -90.0, "refractory_input": true, "V_m": -67.0})
	checkELShift(t, m, 10)
	checkCopyIndependence(t, NewIafPscDelta)
	checkValidation(t, m, []validationCase{
		{"V_reset>=V_th", status.Dict{"V_reset": -50.0}, "Reset potential must be smaller than threshold"},
		{"C_m=0", status.Dict{"C_m": 0.0}, "Capacitance must be >0"},
		{"t_ref<0", status.Dict{"t_ref": -1.0}, "Refractory time must not be negative"},
		{"tau_m=0", status.Dict{"tau_m": 0.0}, "Membrane time constant must be > 0"},
		{"tau_m<0", status.Dict{"tau_m": -3.0, "refractory_input": true}, "Membrane time constant must be > 0"},
	})
	// refractory_input is a bool.
	b := m.NewBlock()
	b.Append(m, 1)
	if err := b.Set(0, status.NewReader(status.Dict{"refractory_input": 1.0}, m.Name())); status.KindOf(err) != status.TypeMismatch {
		t.Errorf("refractory_input: 1.0 gave %v, want TypeMismatch", err)
	}
	// V_min keeps its absolute value when E_L changes.
	b.Prepare(clock.NewGrid(0.1, 1000))
	if err := b.Set(0, status.NewReader(status.Dict{"V_min": -80.0}, m.Name())); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(0, status.NewReader(status.Dict{"E_L": -60.0}, m.Name())); err != nil {
		t.Fatal(err)
	}
	d := status.Dict{}
	b.Get(0, d)
	if d["V_min"] != -80.0 {
		t.Errorf("V_min after E_L change = %v", d["V_min"])
	}
}

func TestIafPscDeltaChannels(t *testing.T) {
	m := NewIafPscDelta()
	if ch, err := m.Channel(SpikeEvent, 0); err != nil || ch != ChanSpike {
		t.Errorf("spike 0: %v %v", ch, err)
	}
	if ch, err := m.Channel(CurrentEvent, 0); err != nil || ch != ChanI0 {
		t.Errorf("current 0: %v %v", ch, err)
	}
	if _, err := m.Channel(SpikeEvent, 1); status.KindOf(err) != status.UnknownReceptorType {
		t.Errorf("spike 1: %v", err)
	}
}

func BenchmarkUpdateIafPscDelta(b *testing.B) {
	benchUpdate(b, NewIafPscDelta(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 300 + 200*rnd.Float64(), "refractory_input": i%2 == 0}
	})
}

// TestIafPscDeltaOnePopulationPath: iaf_psc_delta's one-population loop (no current inputs, no
// refractory input) against its general loop (testOnePopulationPath).
func TestIafPscDeltaOnePopulationPath(t *testing.T) {
	testOnePopulationPath(t, onePopulation{model: NewIafPscDelta(), iE: 300, wSpread: 6,
		columns: func(b Block) [][]float64 { return [][]float64{b.(*deltaBlock).y3} },
		counts:  func(b Block) []int64 { return b.(*deltaBlock).r },
		used:    func(b Block) bool { d := b.(*deltaBlock); return d.pop.shared && d.pop.currentsZero },
	})
}
