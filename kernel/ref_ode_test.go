package kernel

import (
	"encoding/csv"
	"math"
	"os"
	"testing"
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
