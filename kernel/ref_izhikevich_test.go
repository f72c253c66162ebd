package kernel

import (
	"math"
	"testing"
)

// TestIzhikevichReference is the reference case izhikevich_a: one izhikevich neuron with I_e = 10
// and NEST's defaults otherwise (regular spiking, consistent_integration), a multimeter recording
// V_m and U_m every 0.1 ms and a spike recorder, simulated for 300 ms. NEST 3.9 wrote
// testdata/izhikevich_a_mm.csv (sender, time_ms, V_m, U_m) and izhikevich_a_sr.csv (8 spikes).
// Every sample and spike time must agree within 1e-9.
func TestIzhikevichReference(t *testing.T) {
	k := quietKernel(t, Params{"resolution": 0.1})
	n := mustCreate(t, k, "izhikevich", 1, Params{"I_e": 10.0})
	mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.1, "record_from": []string{"V_m", "U_m"}})
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(mm, n, nil, nil))
	must(t, k.Connect(n, sr, nil, nil))
	must(t, k.Simulate(300))

	ref := readCSV(t, "izhikevich_a_mm.csv")
	ev := eventsOf(t, k, mm)
	times, vm, um := floats(ev["times"]), floats(ev["V_m"]), floats(ev["U_m"])
	if len(times) != len(ref) {
		t.Fatalf("%d samples, NEST recorded %d", len(times), len(ref))
	}
	var maxV, maxU float64
	for i, r := range ref {
		if times[i] != r[1] {
			t.Fatalf("sample %d at %.17g ms, NEST %.17g", i, times[i], r[1])
		}
		maxV = math.Max(maxV, math.Abs(vm[i]-r[2]))
		maxU = math.Max(maxU, math.Abs(um[i]-r[3]))
	}
	t.Logf("max |ΔV_m| = %.3g mV, max |ΔU_m| = %.3g over %d samples", maxV, maxU, len(ref))
	if maxV > 1e-9 || maxU > 1e-9 {
		t.Errorf("deviation from NEST: V_m %.3g, U_m %.3g (tolerance 1e-9)", maxV, maxU)
	}
	spikes := column(readCSV(t, "izhikevich_a_sr.csv"), 1)
	assertClose(t, "izhikevich spikes", floats(eventsOf(t, k, sr)["times"]), spikes, 1e-9)
}
