package kernel

import (
	"math"
	"strings"
	"testing"
)

// TestStepCurrentGeneratorReference is the reference case step_current_generator_a: a
// step_current_generator (amplitude_times 20, 80, 150, 220 ms; values 300, 600, -100, 450 pA)
// into an iaf_psc_alpha over weight 1 and delay 1 ms, V_m sampled every 0.1 ms for 300 ms. NEST
// 3.9 wrote testdata/step_current_generator_a_mm.csv and _sr.csv; every sample and spike time
// must agree within 1e-9, for one and two threads.
func TestStepCurrentGeneratorReference(t *testing.T) {
	ref := readCSV(t, "step_current_generator_a_mm.csv")
	spikes := column(readCSV(t, "step_current_generator_a_sr.csv"), 1)
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"resolution": 0.1, "local_num_threads": threads})
		n := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
		scg := mustCreate(t, k, "step_current_generator", 1, Params{
			"amplitude_times": []float64{20, 80, 150, 220}, "amplitude_values": []float64{300, 600, -100, 450}})
		mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.1, "record_from": []string{"V_m"}})
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(scg, n, nil, Params{"weight": 1.0, "delay": 1.0}))
		must(t, k.Connect(mm, n, nil, nil))
		must(t, k.Connect(n, sr, nil, nil))
		must(t, k.Simulate(300))
		ev := eventsOf(t, k, mm)
		times, vm := floats(ev["times"]), floats(ev["V_m"])
		if len(times) != len(ref) {
			t.Fatalf("%d samples, NEST recorded %d", len(times), len(ref))
		}
		maxV := 0.0
		for i, r := range ref {
			if times[i] != r[1] {
				t.Fatalf("sample %d at %.17g ms, NEST %.17g", i, times[i], r[1])
			}
			maxV = math.Max(maxV, math.Abs(vm[i]-r[2]))
		}
		if maxV > 1e-9 {
			t.Errorf("threads %d: max |ΔV_m| = %.3g mV from NEST (tolerance 1e-9)", threads, maxV)
		}
		assertClose(t, "step_current_generator spikes", floats(eventsOf(t, k, sr)["times"]), spikes, 1e-9)
		k.Close()
	}
}

// TestStepCurrentGeneratorErrors checks NEST's parameter rules.
func TestStepCurrentGeneratorErrors(t *testing.T) {
	cases := []struct {
		name string
		p    Params
		want string
	}{
		{"times without values", Params{"amplitude_times": []float64{1}}, "reset together"},
		{"sizes differ", Params{"amplitude_times": []float64{1, 2}, "amplitude_values": []float64{1}}, "same size"},
		{"zero time", Params{"amplitude_times": []float64{0}, "amplitude_values": []float64{1}}, "strictly positive"},
		{"not increasing", Params{"amplitude_times": []float64{2, 2}, "amplitude_values": []float64{1, 2}}, "strictly increasing"},
		{"off grid", Params{"amplitude_times": []float64{1.05}, "amplitude_values": []float64{1}}, "not representable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := quietKernel(t, nil)
			_, err := k.Create("step_current_generator", 1, c.p)
			if err == nil || !strings.Contains(err.Error(), "BadProperty") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want BadProperty with %q", err, c.want)
			}
		})
	}
	k := quietKernel(t, nil)
	g := mustCreate(t, k, "step_current_generator", 1, Params{"allow_offgrid_times": true,
		"amplitude_times": []float64{1.05, 2.0}, "amplitude_values": []float64{1, 2}})
	st, err := k.GetStatus(g, "amplitude_times")
	must(t, err)
	assertClose(t, "off-grid times rounded up", floats(st[0]["amplitude_times"]), []float64{1.1, 2.0}, 0)
	if err := k.SetStatus(g, Params{"allow_offgrid_times": false}); err == nil {
		t.Fatal("allow_offgrid_times changed without new times: want an error")
	}
}
