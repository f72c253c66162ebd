package kernel

import (
	"encoding/csv"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// TestODEModelsAgainstNEST runs the reference cases of testdata/ode (a neuron with I_e, a
// multimeter at 0.1 ms and a spike recorder for 300 ms, as in the case's .json) and compares
// every recorded variable and every spike time with NEST 3.9's output. The traces agree bit for
// bit (the tolerance of 1e-12 leaves room only for a C library whose exp or pow rounds
// differently).
func TestODEModelsAgainstNEST(t *testing.T) {
	cases := []struct {
		name, model string
		params      Params
		rec         []string
		tol         float64
	}{
		{"iaf_cond_exp_a", "iaf_cond_exp", Params{"I_e": 300.0}, []string{"V_m", "g_ex", "g_in"}, 1e-12},
		{"iaf_cond_alpha_a", "iaf_cond_alpha", Params{"I_e": 300.0}, []string{"V_m", "g_ex", "g_in"}, 1e-12},
		{"aeif_cond_alpha_a", "aeif_cond_alpha", Params{"I_e": 700.0}, []string{"V_m", "w", "g_ex"}, 1e-12},
		{"hh_psc_alpha_a", "hh_psc_alpha", Params{"I_e": 1000.0}, []string{"V_m", "Act_m", "Inact_h", "Act_n"}, 1e-12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := quietKernel(t, Params{"resolution": 0.1})
			n := mustCreate(t, k, c.model, 1, c.params)
			mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.1, "record_from": c.rec})
			sr := mustCreate(t, k, "spike_recorder", 1, nil)
			must(t, k.Connect(mm, n, nil, nil))
			must(t, k.Connect(n, sr, nil, nil))
			must(t, k.Simulate(300))

			spikes := readCSV(t, "ode/"+c.name+"_sr.csv")
			gotSpikes := floats(eventsOf(t, k, sr)["times"])
			if len(gotSpikes) != len(spikes) {
				t.Errorf("%d spikes, NEST %d: %v", len(gotSpikes), len(spikes), gotSpikes)
			}
			for i := range min(len(spikes), len(gotSpikes)) {
				if gotSpikes[i] != spikes[i][1] {
					t.Errorf("spike %d at %.17g, NEST %.17g", i, gotSpikes[i], spikes[i][1])
				}
			}
			ref, head := readCSV(t, "ode/"+c.name+"_mm.csv"), csvHeader(t, "ode/"+c.name+"_mm.csv")
			ev := eventsOf(t, k, mm)
			assertClose(t, "times", floats(ev["times"]), column(ref, 1), 1e-12)
			for col, name := range head[2:] {
				got, want := floats(ev[name]), column(ref, col+2)
				dev := maxDeviation(got, want)
				t.Logf("%s %s: max |Δ| = %.3g over %d samples", c.name, name, dev, len(want))
				if !(dev <= c.tol) {
					t.Errorf("%s: max deviation %.3g > %g", name, dev, c.tol)
				}
			}
		})
	}
}

func csvHeader(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// maxDeviation is max |got − want|, +Inf if the lengths differ, NaN if any value is NaN.
func maxDeviation(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range want {
		d := math.Abs(got[i] - want[i])
		if math.IsNaN(d) {
			return d
		}
		m = max(m, d)
	}
	return m
}

// TestODEModelsSpikeInput: spikes from a spike_generator at 10 ms with delay 1 ms reach the
// synapses in the step that ends at 11 ms, so the exponential conductances of iaf_cond_exp show
// the full jump in the sample at 11.0 (none at 10.9); excitatory weights act on g_ex, inhibitory
// ones on g_in with the opposite sign, hh_psc_alpha keeps the sign of its currents, and the alpha
// models start rising after the arrival.
func TestODEModelsSpikeInput(t *testing.T) {
	cases := []struct {
		model, ex, in  string
		exAt11, inAt11 float64 // samples at 11.0 ms
		inSign         float64 // sign of the inhibitory trace after 11.0 ms
	}{
		{"iaf_cond_exp", "g_ex", "g_in", 4, 2, 1},
		{"iaf_cond_alpha", "g_ex", "g_in", 0, 0, 1},
		{"aeif_cond_alpha", "g_ex", "g_in", 0, 0, 1},
		{"hh_psc_alpha", "I_syn_ex", "I_syn_in", 0, 0, -1},
	}
	for _, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			k := quietKernel(t, nil)
			n := mustCreate(t, k, c.model, 1, nil)
			sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{10.0}})
			mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.1, "record_from": []string{c.ex, c.in}})
			must(t, k.Connect(sg, n, nil, Params{"weight": 4.0, "delay": 1.0}))
			must(t, k.Connect(sg, n, nil, Params{"weight": -2.0, "delay": 1.0}))
			must(t, k.Connect(mm, n, nil, nil))
			must(t, k.Simulate(20))
			ev := eventsOf(t, k, mm)
			times, ex, in := floats(ev["times"]), floats(ev[c.ex]), floats(ev[c.in])
			for i, tm := range times {
				switch {
				case tm < 10.95:
					if ex[i] != 0 || in[i] != 0 {
						t.Fatalf("t %g: %s %g, %s %g before the arrival", tm, c.ex, ex[i], c.in, in[i])
					}
				case tm < 11.05:
					if ex[i] != c.exAt11 || in[i] != c.inAt11 {
						t.Errorf("t %g: %s %g, %s %g; want %g, %g", tm, c.ex, ex[i], c.in, in[i], c.exAt11, c.inAt11)
					}
				default:
					if !(ex[i] > 0) || !(in[i]*c.inSign > 0) {
						t.Fatalf("t %g: %s %g, %s %g: wrong signs", tm, c.ex, ex[i], c.in, in[i])
					}
				}
			}
		})
	}
}

// TestNumericalInstabilityStopsTheRun: an aeif_cond_alpha neuron driven beyond what the
// integrator can follow stops Simulate with NEST's NumericalInstability naming the node, for one
// and two threads; the kernel refuses to go on afterwards.
func TestNumericalInstabilityStopsTheRun(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		mustCreate(t, k, "aeif_cond_alpha", 2, nil)
		mustCreate(t, k, "aeif_cond_alpha", 1, Params{"I_e": -1e9})
		err := k.Simulate(10)
		if status.KindOf(err) != status.NumericalInstability || !strings.Contains(err.Error(), "node 3") {
			t.Fatalf("threads %d: Simulate = %v, want NumericalInstability naming node 3", threads, err)
		}
		if err := k.Simulate(1); err == nil {
			t.Fatalf("threads %d: Simulate after the failure succeeded", threads)
		}
		k.Close()
	}
}
