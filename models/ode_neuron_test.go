package models

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/ode"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Tests of the GSL-integrated neurons: iaf_cond_exp, iaf_cond_alpha, aeif_cond_alpha, hh_psc_alpha.
// Their traces against NEST are checked through the kernel (kernel/ref_ode_test.go).

var odeModels = []struct {
	name string
	new  func() NeuronModel
	recs []string
	defs status.Dict
	// drive makes a neuron fire regularly.
	drive status.Dict
}{
	{"iaf_cond_exp", NewIafCondExp, []string{"V_m", "g_ex", "g_in"}, status.Dict{
		"V_th": -55.0, "V_reset": -60.0, "t_ref": 2.0, "g_L": 16.6667, "C_m": 250.0, "E_ex": 0.0, "E_in": -85.0,
		"E_L": -70.0, "tau_syn_ex": 0.2, "tau_syn_in": 2.0, "I_e": 0.0, "V_m": -70.0, "g_ex": 0.0, "g_in": 0.0,
	}, status.Dict{"I_e": 300.0}},
	{"iaf_cond_alpha", NewIafCondAlpha, []string{"V_m", "g_ex", "g_in", "t_ref_remaining"}, status.Dict{
		"V_th": -55.0, "V_reset": -60.0, "t_ref": 2.0, "g_L": 16.6667, "C_m": 250.0, "E_ex": 0.0, "E_in": -85.0,
		"E_L": -70.0, "tau_syn_ex": 0.2, "tau_syn_in": 2.0, "I_e": 0.0, "V_m": -70.0, "g_ex": 0.0, "g_in": 0.0,
		"dg_ex": 0.0, "dg_in": 0.0,
	}, status.Dict{"I_e": 300.0}},
	{"aeif_cond_alpha", NewAeifCondAlpha, []string{"V_m", "g_ex", "g_in", "w"}, status.Dict{
		"V_peak": 0.0, "V_reset": -60.0, "t_ref": 0.0, "g_L": 30.0, "C_m": 281.0, "E_ex": 0.0, "E_in": -85.0,
		"E_L": -70.6, "Delta_T": 2.0, "tau_w": 144.0, "a": 4.0, "b": 80.5, "V_th": -50.4, "tau_syn_ex": 0.2,
		"tau_syn_in": 2.0, "I_e": 0.0, "gsl_error_tol": 1e-6, "V_m": -70.6, "g_ex": 0.0, "dg_ex": 0.0, "g_in": 0.0,
		"dg_in": 0.0, "w": 0.0,
	}, status.Dict{"I_e": 700.0}},
	{"hh_psc_alpha", NewHhPscAlpha, []string{"V_m", "I_syn_ex", "I_syn_in", "Act_m", "Inact_h", "Act_n"}, status.Dict{
		"t_ref": 2.0, "g_Na": 12000.0, "g_K": 3600.0, "g_L": 30.0, "C_m": 100.0, "E_Na": 50.0, "E_K": -77.0,
		"E_L": -54.402, "tau_syn_ex": 0.2, "tau_syn_in": 2.0, "I_e": 0.0, "V_m": -65.0,
		"Act_m": 0.052932485257249245, "Inact_h": 0.5961207535084603, "Act_n": 0.3176769140606974,
	}, status.Dict{"I_e": 1000.0}},
}

func TestODEModelDefaults(t *testing.T) {
	for _, c := range odeModels {
		t.Run(c.name, func(t *testing.T) {
			m := c.new()
			if m.Name() != c.name {
				t.Errorf("Name() = %q", m.Name())
			}
			d := m.Defaults()
			for k, want := range c.defs {
				got, ok := d[k].(float64)
				if !ok || math.Abs(got-want.(float64)) > 1e-15 {
					t.Errorf("%s = %v, want %v", k, d[k], want)
				}
			}
			if len(d) != len(c.defs) {
				t.Errorf("Defaults has %d keys, want %d: %v", len(d), len(c.defs), d)
			}
			if r := m.Recordables(); !reflect.DeepEqual(r, c.recs) {
				t.Errorf("Recordables() = %v, want %v", r, c.recs)
			}
			if m.Doc() == "" || len(m.Params()) != len(d) {
				t.Errorf("Doc empty or Params (%d) does not document every default (%d)", len(m.Params()), len(d))
			}
		})
	}
}

func TestODEModelStatus(t *testing.T) {
	checkRoundTrip(t, NewIafCondExp(), status.Dict{"V_th": -50.0, "E_L": -65.0, "g_L": 20.0, "V_m": -58.0, "g_ex": 3.0, "g_in": 1.5})
	checkRoundTrip(t, NewIafCondAlpha(), status.Dict{"tau_syn_ex": 0.5, "V_m": -58.0, "dg_ex": 2.0, "g_in": 1.0})
	checkRoundTrip(t, NewAeifCondAlpha(), status.Dict{"a": 2.0, "b": 60.0, "gsl_error_tol": 1e-8, "w": 12.0, "g_ex": 1.0})
	checkRoundTrip(t, NewHhPscAlpha(), status.Dict{"g_Na": 11000.0, "V_m": -60.0, "Act_m": 0.1, "Inact_h": 0.5, "Act_n": 0.4})
}

func TestODEModelValidation(t *testing.T) {
	cond := []validationCase{
		{"V_reset >= V_th", status.Dict{"V_reset": -55.0}, "Reset potential must be smaller than threshold"},
		{"C_m <= 0", status.Dict{"C_m": 0.0}, "Capacitance must be strictly positive"},
		{"t_ref < 0", status.Dict{"t_ref": -0.1}, "Refractory time cannot be negative"},
		{"tau_syn_ex <= 0", status.Dict{"tau_syn_ex": 0.0}, "All time constants must be strictly positive"},
		{"tau_syn_in <= 0", status.Dict{"tau_syn_in": -1.0}, "All time constants must be strictly positive"},
		{"order: V_reset before C_m", status.Dict{"V_reset": -50.0, "C_m": -1.0}, "Reset potential"},
		{"order: t_ref before tau", status.Dict{"t_ref": -1.0, "tau_syn_ex": -1.0}, "Refractory"},
	}
	checkValidation(t, NewIafCondExp(), cond)
	checkValidation(t, NewIafCondAlpha(), cond)
	checkValidation(t, NewAeifCondAlpha(), []validationCase{
		{"V_reset >= V_peak", status.Dict{"V_reset": 0.0}, "Ensure that: V_reset < V_peak"},
		{"Delta_T < 0", status.Dict{"Delta_T": -1.0}, "Delta_T must be positive"},
		{"overflow", status.Dict{"Delta_T": 0.01, "V_peak": 10.0}, "numerical overflow"},
		{"V_peak < V_th", status.Dict{"V_th": 1.0}, "V_peak >= V_th required"},
		{"C_m <= 0", status.Dict{"C_m": -1.0}, "Capacitance must be strictly positive"},
		{"t_ref < 0", status.Dict{"t_ref": -1.0}, "Refractory time cannot be negative"},
		{"tau_syn_ex <= 0", status.Dict{"tau_syn_ex": 0.0}, "All time constants must be strictly positive"},
		{"tau_syn_in <= 0", status.Dict{"tau_syn_in": 0.0}, "All time constants must be strictly positive"},
		{"tau_w <= 0", status.Dict{"tau_w": 0.0}, "All time constants must be strictly positive"},
		{"gsl_error_tol <= 0", status.Dict{"gsl_error_tol": 0.0}, "The gsl_error_tol must be strictly positive"},
		{"g_ex < 0", status.Dict{"g_ex": -1.0}, "Conductances must not be negative"},
		{"g_in < 0", status.Dict{"g_in": -1.0}, "Conductances must not be negative"},
		{"order: Delta_T before V_peak", status.Dict{"Delta_T": -1.0, "V_th": 5.0}, "Delta_T must be positive"},
		{"order: parameters before state", status.Dict{"C_m": 0.0, "g_ex": -1.0}, "Capacitance"},
	})
	checkValidation(t, NewHhPscAlpha(), []validationCase{
		{"C_m <= 0", status.Dict{"C_m": 0.0}, "Capacitance must be strictly positive"},
		{"t_ref < 0", status.Dict{"t_ref": -2.0}, "Refractory time cannot be negative"},
		{"tau_syn_ex <= 0", status.Dict{"tau_syn_ex": 0.0}, "All time constants must be strictly positive"},
		{"tau_syn_in <= 0", status.Dict{"tau_syn_in": 0.0}, "All time constants must be strictly positive"},
		{"g_K < 0", status.Dict{"g_K": -1.0}, "All conductances must be non-negative"},
		{"g_Na < 0", status.Dict{"g_Na": -1.0}, "All conductances must be non-negative"},
		{"g_L < 0", status.Dict{"g_L": -1.0}, "All conductances must be non-negative"},
		{"Act_m < 0", status.Dict{"Act_m": -0.1}, "All (in)activation variables must be non-negative"},
		{"Inact_h < 0", status.Dict{"Inact_h": -0.1}, "All (in)activation variables must be non-negative"},
		{"Act_n < 0", status.Dict{"Act_n": -0.1}, "All (in)activation variables must be non-negative"},
		{"order: C_m before conductances", status.Dict{"C_m": 0.0, "g_K": -1.0}, "Capacitance"},
	})
}

func TestODEModelChannels(t *testing.T) {
	for _, c := range odeModels {
		m := c.new()
		for _, k := range []EventKind{SpikeEvent, CurrentEvent} {
			want := map[EventKind]Channel{SpikeEvent: ChanSpike, CurrentEvent: ChanI0}[k]
			if ch, err := m.Channel(k, 0); err != nil || ch != want {
				t.Errorf("%s: Channel(%d, 0) = %v, %v", c.name, k, ch, err)
			}
			if _, err := m.Channel(k, 1); status.KindOf(err) != status.UnknownReceptorType {
				t.Errorf("%s: Channel(%d, 1) = %v, want UnknownReceptorType", c.name, k, err)
			}
		}
		if !reflect.DeepEqual(m.Channels(), []Channel{ChanSpike, ChanI0}) {
			t.Errorf("%s: Channels() = %v", c.name, m.Channels())
		}
	}
}

// TestODEModelSynapses: a positive weight acts on the excitatory synapse, a negative one on the
// inhibitory synapse, in NEST's sign convention (conductances positive, hh currents signed).
func TestODEModelSynapses(t *testing.T) {
	const w, wIn = 5.0, -3.0
	cases := []struct {
		name          string
		new           func() NeuronModel
		ex, in        string
		peakEx, wantI float64 // peak of the excitatory trace, sign·|peak| of the inhibitory
	}{
		{"iaf_cond_exp", NewIafCondExp, "g_ex", "g_in", w, -wIn},
		{"iaf_cond_alpha", NewIafCondAlpha, "g_ex", "g_in", w, -wIn},
		{"aeif_cond_alpha", NewAeifCondAlpha, "g_ex", "g_in", w, -wIn},
		{"hh_psc_alpha", NewHhPscAlpha, "I_syn_ex", "I_syn_in", w, wIn},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rg := newBlockRig(t, c.new(), 1, 0.1, nil)
			rg.update()
			rg.s.Ex[0], rg.s.In[0] = w, wIn
			rg.update()
			peakEx, peakIn := 0.0, 0.0
			for range 40 {
				if v := rg.sample(c.ex, 0); v > peakEx {
					peakEx = v
				}
				if v := rg.sample(c.in, 0); math.Abs(v) > math.Abs(peakIn) {
					peakIn = v
				}
				rg.update()
			}
			if math.Abs(peakEx-c.peakEx) > 0.02*c.peakEx || math.Abs(peakIn-c.wantI) > 0.02*math.Abs(c.wantI) {
				t.Errorf("peaks %s %.6g, %s %.6g; want %g, %g", c.ex, peakEx, c.in, peakIn, c.peakEx, c.wantI)
			}
		})
	}
}

// TestODEModelRefractory: the cond models hold V at V_reset for t_ref after a spike and count
// t_ref_remaining down; aeif with t_ref = 0 is never held.
func TestODEModelRefractory(t *testing.T) {
	rg := newBlockRig(t, NewIafCondAlpha(), 1, 0.1, status.Dict{"I_e": 1000.0})
	for len(rg.update()) == 0 {
		if rg.k > 1000 {
			t.Fatal("no spike")
		}
	}
	if v, r := rg.sample("V_m", 0), rg.sample("t_ref_remaining", 0); v != -60 || math.Abs(r-2.0) > 1e-12 {
		t.Fatalf("at the spike: V_m %g, t_ref_remaining %g; want -60, 2", v, r)
	}
	for k := range 20 {
		rg.update()
		if v := rg.sample("V_m", 0); v != -60 {
			t.Fatalf("refractory step %d: V_m %g, want V_reset", k, v)
		}
	}
	rg.update()
	if v := rg.sample("V_m", 0); v == -60 {
		t.Errorf("V_m still held after t_ref")
	}
}

// TestODEModelInstability: a neuron whose state cannot be advanced stops the block with a
// NumericalInstability naming the model and the neuron, and never returns NaN silently.
func TestODEModelInstability(t *testing.T) {
	cases := []struct {
		name string
		new  func() NeuronModel
		bad  status.Dict
	}{
		{"iaf_cond_exp", NewIafCondExp, status.Dict{"I_e": math.Inf(1)}},
		{"iaf_cond_alpha", NewIafCondAlpha, status.Dict{"I_e": math.NaN()}},
		{"aeif_cond_alpha", NewAeifCondAlpha, status.Dict{"I_e": -1e9}},
		{"hh_psc_alpha", NewHhPscAlpha, status.Dict{"I_e": math.Inf(-1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rg := newBlockRig(t, c.new(), 3, 0.1, nil)
			if err := rg.b.Set(1, status.NewReader(c.bad, c.name)); err != nil {
				// A non-finite parameter never reaches the integrator: Set refuses it.
				if ie, _ := c.bad["I_e"].(float64); math.IsInf(ie, 0) || math.IsNaN(ie) {
					if status.KindOf(err) != status.BadProperty || !strings.Contains(err.Error(), "I_e must be a finite number") {
						t.Errorf("Set(I_e: %v) = %v, want BadProperty naming I_e", ie, err)
					}
					return
				}
				t.Fatal(err)
			}
			for k := 0; rg.s.Err == nil && k < 100; k++ {
				rg.b.Update(&rg.s)
			}
			err := rg.s.Err
			if status.KindOf(err) != status.NumericalInstability || !strings.Contains(err.Error(), c.name) {
				t.Fatalf("Err = %v, want NumericalInstability naming %s", err, c.name)
			}
			if !errors.Is(err, ode.ErrNotFinite) && !errors.Is(err, errUnstable) {
				t.Errorf("Err = %v does not wrap the integrator's error", err)
			}
			if rg.s.ErrIndex != 1 {
				t.Errorf("ErrIndex = %d, want 1", rg.s.ErrIndex)
			}
		})
	}
}

// TestODEModelState: a block written after N steps and read into a fresh block continues bit for
// bit like the original under identical input.
func TestODEModelState(t *testing.T) {
	for _, c := range odeModels {
		t.Run(c.name, func(t *testing.T) {
			const n = 4
			m := c.new()
			a := newBlockRig(t, m, n, 0.1, c.drive)
			input := func(rg *blockRig, k int64) {
				r := rand.New(rand.NewPCG(uint64(k), 3))
				for i := range n {
					rg.s.Ex[i] = 0.5 * r.Float64()
					rg.s.In[i] = -0.1 * r.Float64()
					rg.s.I0[i] = 50 * r.Float64()
				}
			}
			for a.k < 137 {
				input(a, a.k)
				a.update()
			}
			var e state.Encoder
			a.b.(interface{ WriteState(*state.Encoder) }).WriteState(&e)
			b := newBlockRig(t, m, 0, 0.1, nil)
			b.s, b.k = Step{}, a.k
			fresh := m.NewBlock()
			d := state.NewDecoder(e.Bytes(), c.name+" block")
			if err := fresh.(interface{ ReadState(*state.Decoder) error }).ReadState(d); err != nil {
				t.Fatal(err)
			}
			if err := d.Done(); err != nil {
				t.Fatal(err)
			}
			b.b = fresh
			b.s.Ex, b.s.In, b.s.I0 = make([]float64, n), make([]float64, n), make([]float64, n)
			b.reads = [][]float64{b.s.Ex, b.s.In, b.s.I0}
			spikesA, spikesB := 0, 0
			for a.k < 2000 {
				input(a, a.k)
				input(b, b.k)
				sa, sb := a.update(), b.update()
				spikesA += len(sa)
				spikesB += len(sb)
				if !reflect.DeepEqual(sa, sb) {
					t.Fatalf("step %d: spikes %v, restored %v", a.k, sa, sb)
				}
				for i := range n {
					for rec := range m.Recordables() {
						if x, y := a.b.Sample(rec, i), b.b.Sample(rec, i); math.Float64bits(x) != math.Float64bits(y) {
							t.Fatalf("step %d neuron %d %s: %v, restored %v", a.k, i, m.Recordables()[rec], x, y)
						}
					}
				}
			}
			if spikesA == 0 {
				t.Errorf("no spikes: the test does not exercise resets")
			}
			// A truncated piece is refused and leaves the block unchanged.
			short := state.NewDecoder(e.Bytes()[:len(e.Bytes())-9], c.name+" block")
			if err := fresh.(interface{ ReadState(*state.Decoder) error }).ReadState(short); err == nil {
				t.Errorf("truncated state accepted")
			}
			if fresh.Len() != n {
				t.Errorf("failed ReadState changed the block: Len %d", fresh.Len())
			}
		})
	}
}

func BenchmarkUpdateIafCondExp(b *testing.B) {
	benchUpdate(b, NewIafCondExp(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 200 + 200*rnd.Float64()}
	})
}

func BenchmarkUpdateIafCondAlpha(b *testing.B) {
	benchUpdate(b, NewIafCondAlpha(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 200 + 200*rnd.Float64()}
	})
}

func BenchmarkUpdateAeifCondAlpha(b *testing.B) {
	benchUpdate(b, NewAeifCondAlpha(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 500 + 300*rnd.Float64()}
	})
}

func BenchmarkUpdateHhPscAlpha(b *testing.B) {
	benchUpdate(b, NewHhPscAlpha(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 500 + 700*rnd.Float64()}
	})
}

// TestAeifSpikesPerStep: with t_ref = 0 a strongly driven aeif_cond_alpha fires several times in
// one step (threshold and reset after every integration sub-step), each spike adding b to w; with
// t_ref > 0 the rest of the spike step and t_ref more steps hold V at V_reset.
func TestAeifSpikesPerStep(t *testing.T) {
	rg := newBlockRig(t, NewAeifCondAlpha(), 1, 0.1, status.Dict{"I_e": 1e6})
	most := 0
	for range 30 {
		w := rg.sample("w", 0)
		sp := rg.update()
		most = max(most, len(sp))
		if len(sp) > 0 && rg.sample("w", 0)-w < float64(len(sp))*80.5*0.95 {
			t.Fatalf("step %d: %d spikes raised w by %g only", rg.k, len(sp), rg.sample("w", 0)-w)
		}
	}
	if most < 2 {
		t.Errorf("at most %d spikes per step, want several", most)
	}

	rg = newBlockRig(t, NewAeifCondAlpha(), 1, 0.1, status.Dict{"I_e": 2000.0, "t_ref": 2.0})
	for len(rg.update()) == 0 {
		if rg.k > 1000 {
			t.Fatal("no spike")
		}
	}
	for k := range 21 {
		if v := rg.sample("V_m", 0); v != -60 {
			t.Fatalf("refractory sample %d: V_m %g, want V_reset", k, v)
		}
		rg.update()
	}
	if v := rg.sample("V_m", 0); v == -60 {
		t.Errorf("V_m still held after t_ref")
	}
}

// TestAeifDeltaT0: with Delta_T = 0 there is no exponential current and aeif_cond_alpha fires at
// V_th (the clamp of V in the dynamics still uses V_peak).
func TestAeifDeltaT0(t *testing.T) {
	rg := newBlockRig(t, NewAeifCondAlpha(), 1, 0.1, status.Dict{"I_e": 700.0, "Delta_T": 0.0})
	spikes := 0
	for rg.k < 3000 {
		spikes += len(rg.update())
		if v := rg.sample("V_m", 0); v >= -50.4 {
			t.Fatalf("t %g: V_m %g at or above V_th after the threshold test", rg.now(), v)
		}
	}
	if spikes < 2 {
		t.Errorf("%d spikes in 300 ms", spikes)
	}
}
