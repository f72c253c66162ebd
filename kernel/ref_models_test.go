package kernel

import (
	"math"
	"testing"
)

// TestIafPscExpDCClosedForm: iaf_psc_exp driven by a 1000 pA dc_generator (weight 1, delay 0.1),
// voltmeter at 0.1 ms (README "Closed forms"). The current first moves V in the step ending at
// 0.3 ms (the generator's event of step 0 arrives in step 1 and acts from step 2), so with
// f(m) = (1 - exp(-m h/tau_m)) tau_m I / C, V at stamp n0 + m is E_L + f(m), n0 = 2. At the first
// stamp where that reaches V_th the neuron fires; that sample and the next t_ref/h = 20 are
// V_reset; then V rises again the same way from the last refractory stamp.
func TestIafPscExpDCClosedForm(t *testing.T) {
	const (
		h, EL, Vth, Vreset = 0.1, -70.0, -55.0, -70.0
		C, taum, I         = 250.0, 10.0, 1000.0
		refSteps           = 20
		simMs              = 20.0
	)
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		n := mustCreate(t, k, "iaf_psc_exp", 1, nil)
		dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": I})
		vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": h})
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(dc, n, nil, Params{"weight": 1.0, "delay": 0.1}))
		must(t, k.Connect(vm, n, nil, nil))
		must(t, k.Connect(n, sr, nil, nil))
		must(t, k.Simulate(simMs))

		f := func(m int64) float64 { return (1 - math.Exp(-float64(m)*h/taum)) * taum * I / C }
		want := map[int64]float64{}
		var spikes []float64
		n0 := int64(2)
		for s := int64(1); s <= int64(math.Round(simMs/h)); s++ {
			switch {
			case s <= n0:
				if _, set := want[s]; !set {
					want[s] = EL
				}
			case EL+f(s-n0) >= Vth:
				spikes = append(spikes, float64(s)*h)
				for r := s; r <= s+refSteps; r++ {
					want[r] = Vreset
				}
				n0 = s + refSteps
				s = n0
			default:
				want[s] = EL + f(s-n0)
			}
		}
		if len(spikes) < 2 {
			t.Fatalf("closed form gives %d spikes in %g ms", len(spikes), simMs)
		}
		ev := eventsOf(t, k, vm)
		times, vs := floats(ev["times"]), floats(ev["V_m"])
		ks, err := k.GetKernelStatus("min_delay")
		must(t, err)
		// the samples of the last min_delay slice are delivered by the next call
		if wantN := int(math.Round((simMs - ks["min_delay"].(float64)) / h)); len(times) != wantN {
			t.Fatalf("threads %d: %d samples, want %d", threads, len(times), wantN)
		}
		for i, tm := range times {
			s := int64(math.Round(tm / h))
			if math.Abs(vs[i]-want[s]) > 1e-9 {
				t.Fatalf("threads %d: V(%g) = %.15g, closed form %.15g", threads, tm, vs[i], want[s])
			}
		}
		assertClose(t, "iaf_psc_exp spikes", floats(eventsOf(t, k, sr)["times"]), spikes, 1e-9)
	}
}

// TestIafPscDeltaFirstSpike is recording/test_compare_delta: iaf_psc_delta at h = 0.01 ms,
// E_L -49, V_m -60, V_th -50, V_reset -60, C_m 200, tau_m 20, t_ref 5, spike_generator input of
// 2.5 mV with delay 0.1 at 1, 2, 3, 4, 5, 10.5, 12 ms: the first spike is at 4.1 ms.
func TestIafPscDeltaFirstSpike(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"resolution": 0.01, "local_num_threads": threads})
		n := mustCreate(t, k, "iaf_psc_delta", 1, Params{"E_L": -49.0, "V_m": -60.0, "V_th": -50.0,
			"V_reset": -60.0, "C_m": 200.0, "tau_m": 20.0, "t_ref": 5.0})
		sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{1, 2, 3, 4, 5, 10.5, 12}})
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(sg, n, nil, Params{"synapse_model": "static_synapse", "weight": 2.5, "delay": 0.1}))
		must(t, k.Connect(n, sr, nil, nil))
		must(t, k.Simulate(200))
		times := floats(eventsOf(t, k, sr)["times"])
		if len(times) == 0 {
			t.Fatalf("threads %d: no spikes", threads)
		}
		if math.Abs(times[0]-4.1) > 1e-9 {
			t.Errorf("threads %d: first spike at %.17g, want 4.1", threads, times[0])
		}
		// With E_L above threshold the neuron keeps firing; every interval is at least t_ref.
		for i := 1; i < len(times); i++ {
			if times[i]-times[i-1] < 5.0-1e-9 {
				t.Errorf("spike interval %g < t_ref", times[i]-times[i-1])
			}
		}
	}
}
