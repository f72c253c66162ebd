package models

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

func TestIafPscExpDefaults(t *testing.T) {
	m := NewIafPscExp()
	want := status.Dict{"E_L": -70.0, "C_m": 250.0, "tau_m": 10.0, "t_ref": 2.0, "V_th": -55.0, "V_reset": -70.0,
		"tau_syn_ex": 2.0, "tau_syn_in": 2.0, "I_e": 0.0, "rho": 0.01, "delta": 0.0, "V_m": -70.0}
	if d := m.Defaults(); !reflect.DeepEqual(d, want) {
		t.Errorf("Defaults() = %v, want %v", d, want)
	}
	if r := m.Recordables(); !reflect.DeepEqual(r, []string{"I_syn_ex", "I_syn_in", "V_m"}) {
		t.Errorf("Recordables() = %v", r)
	}
}

// TestIafPscExpDC: 1000 pA in I0 in every step from step 0. The current acts from step 1, so V
// follows E_L + (1 − e^{−(t−h)/τm})·τm·I/C (the closed form shifted by one sample), stays at V_reset
// at the spike sample and t_ref/h = 20 samples after, then rises again the same way.
func TestIafPscExpDC(t *testing.T) {
	const (
		el, c, tauM, i, h, vth = -70.0, 250.0, 10.0, 1000.0, 0.1, -55.0
	)
	free := func(steps int) float64 { return el + (1-math.Exp(-float64(steps)*h/tauM))*tauM*i/c }
	rg := newBlockRig(t, NewIafPscExp(), 1, h, nil)
	phase := -1 // steps of free integration; V(after step k) = free(phase)
	refr := 0
	var spikes, wantSpikes []float64
	for rg.k < 300 {
		rg.s.I0[0] = i
		spikeTimes(rg, rg.update(), &spikes)
		var want float64
		if refr > 0 {
			refr--
			want = el
		} else {
			phase++
			want = free(phase)
			if want >= vth {
				if math.Abs(want-vth) < 1e-9 {
					t.Fatalf("closed form too close to threshold at %g to decide", rg.now())
				}
				wantSpikes = append(wantSpikes, rg.now())
				want, refr, phase = el, 20, 0
			}
		}
		if v := rg.sample("V_m", 0); math.Abs(v-want) > 1e-9 {
			t.Fatalf("V(%g) = %.15g, want %.15g", rg.now(), v, want)
		}
	}
	if len(wantSpikes) < 3 || !sameTimes(spikes, wantSpikes) {
		t.Errorf("spikes %v, want %v", spikes, wantSpikes)
	}
	if math.Abs(wantSpikes[0]-4.9) > 1e-9 {
		t.Errorf("first spike at %g, want 4.9 (4.8 with I_e, one step later)", wantSpikes[0])
	}
}

// TestIafPscExpSpikeInput: a weight of w pA makes the synaptic current jump by w in the arrival
// step; V sees it from the next step through P21.
func TestIafPscExpSpikeInput(t *testing.T) {
	const h, tauM, tauS, c = 0.1, 10.0, 2.0, 250.0
	beta := tauS * tauM / (tauM - tauS)
	p21 := beta / c * (math.Exp(-h/tauM) - math.Exp(-h/tauS))
	rg := newBlockRig(t, NewIafPscExp(), 1, h, nil)
	rg.update()
	rg.s.Ex[0], rg.s.In[0] = 100, -40
	rg.update()
	if ex, in, v := rg.sample("I_syn_ex", 0), rg.sample("I_syn_in", 0), rg.sample("V_m", 0); ex != 100 || in != -40 || v != -70 {
		t.Errorf("after arrival: I_syn_ex %g, I_syn_in %g, V_m %g; want 100, -40, -70", ex, in, v)
	}
	rg.update()
	if v, want := rg.sample("V_m", 0), -70+60*p21; math.Abs(v-want) > 1e-13 {
		t.Errorf("one step after arrival V = %.15g, want %.15g", v, want)
	}
	if ex := rg.sample("I_syn_ex", 0); math.Abs(ex-100*math.Exp(-h/tauS)) > 1e-12 {
		t.Errorf("I_syn_ex = %g", ex)
	}
}

// TestIafPscExpReceptor1: a current on receptor 1 is filtered through the excitatory synapse,
// i_ex ← P11·i_ex + (1 − P11)·i_1, from the step after it is read; it is the same as adding
// (1 − P11)·I to the excitatory spike input one step later.
func TestIafPscExpReceptor1(t *testing.T) {
	const h, tauS, i = 0.1, 2.0, 500.0
	p11 := math.Exp(-h / tauS)
	set := status.Dict{"tau_syn_ex": tauS, "tau_m": 20.0}
	rg := newBlockRig(t, NewIafPscExp(), 1, h, set)
	eq := newBlockRig(t, NewIafPscExp(), 1, h, set)
	var spikes, eqSpikes []float64
	for rg.k < 400 {
		rg.s.I1[0] = i
		if eq.k > 0 {
			eq.s.Ex[0] = (1 - p11) * i
		}
		spikeTimes(rg, rg.update(), &spikes)
		spikeTimes(eq, eq.update(), &eqSpikes)
		if ex, want := rg.sample("I_syn_ex", 0), i*(1-math.Pow(p11, float64(rg.k-1))); math.Abs(ex-want) > 1e-9 {
			t.Fatalf("I_syn_ex(%g) = %.15g, want %.15g", rg.now(), ex, want)
		}
		if v, ve := rg.sample("V_m", 0), eq.sample("V_m", 0); v != ve {
			t.Fatalf("V(%g) = %.17g, equivalent spike input gives %.17g", rg.now(), v, ve)
		}
		if rg.sample("I_syn_in", 0) != 0 {
			t.Fatalf("receptor 1 leaked into I_syn_in")
		}
	}
	if len(spikes) == 0 || !sameTimes(spikes, eqSpikes) {
		t.Errorf("spikes %v vs %v", spikes, eqSpikes)
	}
}

// expReference is a one-neuron-at-a-time transcription of NEST's iaf_psc_exp::update with escape
// noise, used to check the block's draws.
func expReference(n, steps int, h float64, p expParams, inputs func(k, i int) float64, rng *vp.Stream) [][]int32 {
	p22, p11 := math.Exp(-h/p.TauM), math.Exp(-h/p.TauSynEx)
	p11in := math.Exp(-h / p.TauSynIn)
	_, p21 := iafPropagator(p.TauSynEx, p.TauM, p.Cm, h)
	_, p21in := iafPropagator(p.TauSynIn, p.TauM, p.Cm, h)
	p20 := p.TauM / p.Cm * (1 - p22)
	theta, reset := p.VTh-p.EL, p.VReset-p.EL
	refr := int64(math.Ceil(p.TRef/h - 1e-9))
	v, iex, iin, r := make([]float64, n), make([]float64, n), make([]float64, n), make([]int64, n)
	out := make([][]int32, steps)
	for k := range steps {
		for i := range n {
			if r[i] == 0 {
				v[i] = v[i]*p22 + iex[i]*p21 + iin[i]*p21in + p.IE*p20
			} else {
				r[i]--
			}
			iex[i] *= p11
			iin[i] *= p11in
			if w := inputs(k, i); w > 0 {
				iex[i] += w
			} else {
				iin[i] += w
			}
			if rng.Float64() < p.Rho*math.Exp(1/p.Delta*(v[i]-theta))*h*1e-3 {
				r[i] = refr
				v[i] = reset
				out[k] = append(out[k], int32(i))
			}
		}
	}
	return out
}

// TestIafPscExpEscapeNoise: with delta > 0 every neuron draws once per step from the VP stream
// (refractory or not), the spikes match a scalar transcription of NEST's update, and they are
// reproducible for a fixed stream seed; with delta = 0 nothing is drawn.
func TestIafPscExpEscapeNoise(t *testing.T) {
	const n, steps, h = 50, 2000, 0.1
	m := NewIafPscExp().(*IafPscExp)
	set := status.Dict{"rho": 100.0, "delta": 2.0, "I_e": 350.0}
	p := m.p
	p.Rho, p.Delta, p.IE = 100, 2, 350
	inputs := func(k, i int) float64 {
		x := uint64(k*n+i) * 0x9e3779b97f4a7c15
		if x>>60 == 0 {
			return float64(int64(x>>40&0xff) - 128)
		}
		return 0
	}
	run := func(seed uint32) ([][]int32, vp.Stream) {
		rg := newBlockRig(t, m, n, h, set)
		rg.rng = vp.NewStream(seed, vp.KindVP, 3)
		out := make([][]int32, steps)
		for k := range steps {
			for i := range n {
				if w := inputs(k, i); w > 0 {
					rg.s.Ex[i] = w
				} else {
					rg.s.In[i] = w
				}
			}
			for _, sp := range rg.update() {
				out[k] = append(out[k], sp.Index)
			}
		}
		return out, rg.rng
	}
	a, streamA := run(7)
	b, _ := run(7)
	c, _ := run(8)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different spikes")
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("different seeds, same spikes")
	}
	refStream := vp.NewStream(7, vp.KindVP, 3)
	ref := expReference(n, steps, h, p, inputs, &refStream)
	if !reflect.DeepEqual(a, ref) {
		t.Errorf("spikes differ from the scalar transcription of NEST's update")
	}
	if streamA != refStream {
		t.Errorf("the block drew a different number of variates than one per neuron and step")
	}
	total := 0
	for _, s := range a {
		total += len(s)
	}
	if total < 150 {
		t.Errorf("only %d spikes; the test does not exercise the noise", total)
	}
	// delta = 0: hard threshold, no draws.
	rg := newBlockRig(t, m, n, h, status.Dict{"I_e": 1000.0})
	before := rg.rng
	for rg.k < 100 {
		rg.update()
	}
	if rg.rng != before {
		t.Errorf("delta = 0 drew random numbers")
	}
	// delta = 1e-10 exactly: NEST tests delta < 1e-10 (hard threshold) and delta > 1e-10 (escape
	// noise), so neither applies: no draws and no spikes.
	rg = newBlockRig(t, m, n, h, status.Dict{"I_e": 1000.0, "delta": 1e-10})
	before = rg.rng
	for rg.k < 100 {
		if sp := rg.update(); len(sp) > 0 {
			t.Fatalf("delta = 1e-10 fired: %v", sp)
		}
	}
	if rg.rng != before {
		t.Errorf("delta = 1e-10 drew random numbers")
	}
}

func TestIafPscExpStatus(t *testing.T) {
	m := NewIafPscExp()
	checkRoundTrip(t, m, status.Dict{"E_L": -65.0, "C_m": 200.0, "tau_m": 15.0, "t_ref": 3.0, "V_th": -50.0,
		"V_reset": -68.0, "tau_syn_ex": 0.5, "tau_syn_in": 5.0, "I_e": 10.0, "rho": 5.0, "delta": 0.5, "V_m": -67.0})
	checkELShift(t, m, 10)
	checkCopyIndependence(t, NewIafPscExp)
	checkValidation(t, m, []validationCase{
		{"V_reset>=V_th", status.Dict{"V_reset": -55.0}, "Reset potential must be smaller than threshold"},
		{"C_m=0", status.Dict{"C_m": 0.0}, "Capacitance must be strictly positive"},
		{"tau_m=0", status.Dict{"tau_m": 0.0}, "Membrane and synapse time constants must be strictly positive"},
		{"tau_syn_ex<0", status.Dict{"tau_syn_ex": -1.0}, "Membrane and synapse time constants must be strictly positive"},
		{"tau_syn_in=0", status.Dict{"tau_syn_in": 0.0}, "Membrane and synapse time constants must be strictly positive"},
		{"t_ref<0", status.Dict{"t_ref": -2.0}, "Refractory time must not be negative"},
		{"rho<0", status.Dict{"rho": -0.1}, "Stochastic firing intensity must not be negative"},
		{"delta<0", status.Dict{"delta": -1.0}, "Width of threshold region must not be negative"},
	})
	if _, ok := m.Defaults()["V_min"]; ok {
		t.Errorf("iaf_psc_exp has no V_min")
	}
}

// TestIafPscExpSingular: τs = τm uses the singular limit of P21 (h/C·e^{−h/τm}) and stays finite.
func TestIafPscExpSingular(t *testing.T) {
	rg := newBlockRig(t, NewIafPscExp(), 1, 0.1, status.Dict{"tau_syn_ex": 10.0})
	rg.s.Ex[0] = 100
	rg.update()
	rg.update()
	want := -70 + 100*0.1/250*math.Exp(-0.01)
	if v := rg.sample("V_m", 0); math.Abs(v-want) > 1e-12 {
		t.Errorf("V = %.15g, want %.15g", v, want)
	}
}

func TestIafPscExpChannels(t *testing.T) {
	m := NewIafPscExp()
	for _, tc := range []struct {
		kind EventKind
		port int
		want Channel
		err  status.Kind
	}{
		{SpikeEvent, 0, ChanSpike, ""},
		{SpikeEvent, 1, 0, status.UnknownReceptorType},
		{CurrentEvent, 0, ChanI0, ""},
		{CurrentEvent, 1, ChanI1, ""},
		{CurrentEvent, 2, 0, status.UnknownReceptorType},
		{CurrentEvent, -1, 0, status.UnknownReceptorType},
	} {
		ch, err := m.Channel(tc.kind, tc.port)
		if status.KindOf(err) != tc.err || (err == nil && ch != tc.want) {
			t.Errorf("Channel(%d, %d) = %v, %v; want %v, %q", tc.kind, tc.port, ch, err, tc.want, tc.err)
		}
	}
	if got := m.Channels(); !reflect.DeepEqual(got, []Channel{ChanSpike, ChanI0, ChanI1}) {
		t.Errorf("Channels() = %v", got)
	}
}

func BenchmarkUpdateIafPscExp(b *testing.B) {
	benchUpdate(b, NewIafPscExp(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 300 + 200*rnd.Float64()}
	})
}

// BenchmarkUpdateIafPscExpPopulation is one population of the microcircuit's size per thread
// (38,585 neurons, one parameter set, as after a Create with scalar parameters): the
// propagators are shared.
func BenchmarkUpdateIafPscExpPopulation(b *testing.B) {
	benchUpdateN(b, NewIafPscExp(), 38585, func(int, *rand.Rand) status.Dict {
		return status.Dict{"I_e": 400.0}
	})
}

// BenchmarkUpdateIafPscExpEscapeNoise is the same with escape noise (one draw per neuron and step).
func BenchmarkUpdateIafPscExpEscapeNoise(b *testing.B) {
	benchUpdate(b, NewIafPscExp(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 300 + 200*rnd.Float64(), "delta": 2.0, "rho": 10.0}
	})
}

// TestIafPscExpOnePopulationPath: iaf_psc_exp's one-population loop (hard threshold, no current
// inputs) against its general loop (testOnePopulationPath).
func TestIafPscExpOnePopulationPath(t *testing.T) {
	testOnePopulationPath(t, onePopulation{model: NewIafPscExp(), iE: 350, wSpread: 200,
		columns: func(b Block) [][]float64 { e := b.(*expBlock); return [][]float64{e.v, e.iEx, e.iIn} },
		counts:  func(b Block) []int64 { return b.(*expBlock).r },
		used:    func(b Block) bool { e := b.(*expBlock); return e.pop.shared && e.pop.currentsZero },
	})
}
