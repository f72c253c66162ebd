package kernel

import (
	"math"
	"testing"
)

// TestCurrentsAfterIdleSteps: an iaf_psc_exp neuron runs 5 ms with no current input (its
// blocks then read a row of zeros instead of current ring buffers), then a dc_generator
// (start 0, delay 1) is connected to receptor 0. The generator's first step is 5.0-5.1, the
// neuron reads it in step 6.0-6.1 and V leaves E_L at 6.2, rising as
// V = E_L + τ·I/C·(1 − e^{−m·h/τ}) after m steps. Into receptor 1 (I1, filtered into I_syn_ex),
// the trace must equal that of a network whose generator (start 5.1, so active from the same
// step) was connected from the start, bit for bit.
func TestCurrentsAfterIdleSteps(t *testing.T) {
	const h, EL, tau, C, I = 0.1, -70.0, 10.0, 250.0, 300.0
	run := func(receptor int64, late bool) map[int64]float64 {
		k := quietKernel(t, nil)
		n := mustCreate(t, k, "iaf_psc_exp", 1, nil)
		vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": h})
		must(t, k.Connect(vm, n, nil, nil))
		start := 5.1 // active from the step 5.0-5.1, as a generator connected at 5 ms
		if late {
			start = 0
		}
		dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": I, "start": start})
		syn := Params{"delay": 1.0, "receptor_type": receptor}
		if late {
			must(t, k.Simulate(5))
		}
		must(t, k.Connect(dc, n, nil, syn))
		if late {
			must(t, k.Simulate(5))
		} else {
			must(t, k.Simulate(10))
		}
		return samplesByStep(t, eventsOf(t, k, vm), "V_m", h)
	}
	// The samples of a Simulate call's last slice (min_delay 1 ms) come with the next call.
	const last = 90
	got := run(0, true)
	for s := int64(1); s <= last; s++ {
		want := EL
		if s >= 62 {
			want = EL + tau*I/C*(1-math.Exp(-float64(s-61)*h/tau))
		}
		if v, ok := got[s]; !ok || math.Abs(v-want) > 1e-9 {
			t.Fatalf("receptor 0: V(%g) = %.15g, want %.15g", float64(s)*h, got[s], want)
		}
	}
	late, early := run(1, true), run(1, false)
	if late[last] <= EL+1e-3 {
		t.Fatalf("receptor 1: V(9) = %g: the current did not act", late[last])
	}
	for s := int64(1); s <= last; s++ {
		if math.Float64bits(late[s]) != math.Float64bits(early[s]) {
			t.Fatalf("receptor 1: V(%g) = %.17g connected at 5 ms, %.17g connected at 0", float64(s)*h, late[s], early[s])
		}
	}
}
