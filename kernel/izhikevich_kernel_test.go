package kernel

import (
	"math"
	"slices"
	"testing"
)

// izhEuler is one step of NEST's izhikevich::update for a single neuron (a 0.02, b 0.2, c −65,
// d 8, V_th 30, I_e 0): the test's own statement of both schemes. spike is this step's summed
// weight, i the current read in the previous step.
func izhEuler(consistent bool, h, v, u, i, spike float64) (float64, float64, bool) {
	const a, b, c, d, vth = 0.02, 0.2, -65.0, 8.0, 30.0
	if consistent {
		f := float64(float64(0.04*v)*v) + float64(5*v) + 140 - u + i
		v, u = v+(float64(h*f)+spike), u+float64(float64(h*a)*(float64(b*v)-u))
	} else {
		for range 2 {
			f := float64(float64(0.04*v)*v) + float64(5*v) + 140 - u + i + spike
			v += float64(h * 0.5 * f)
		}
		u += float64(float64(h*a) * (float64(b*v) - u))
	}
	if v >= vth {
		return c, u + d, true
	}
	return v, u, false
}

// TestIzhikevichInputs drives izhikevich neurons through the kernel with a spike_generator
// (weights with multiplicity, both signs) and a dc_generator, with both schemes and at h = 0.1
// and 1.0 ms, on one and two threads. A spike sent at t with delay δ enters the update of the
// step that ends at t + δ; the generator's current of step k enters the dynamics in step k + δ/h
// + 1. Every sample of V_m and U_m and every spike time must equal izhEuler's exactly.
func TestIzhikevichInputs(t *testing.T) {
	for _, h := range []float64{0.1, 1.0} {
		for _, consistent := range []bool{true, false} {
			for _, threads := range []int{1, 2} {
				checkIzhikevichInputs(t, h, consistent, threads)
			}
		}
	}
}

func checkIzhikevichInputs(t *testing.T, h float64, consistent bool, threads int) {
	t.Helper()
	const simMs, amp = 200.0, 6.0
	spikeMs, weights, mult := []float64{20, 50, 50.5, 90}, []float64{4, -3, 2.5, 30}, []int64{1, 2, 1, 1}
	k := quietKernel(t, Params{"resolution": h, "local_num_threads": threads})
	n := mustCreate(t, k, "izhikevich", 2, Params{"consistent_integration": consistent})
	sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": spikeMs, "spike_weights": weights,
		"spike_multiplicities": mult, "allow_offgrid_times": true})
	dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": amp})
	mm := mustCreate(t, k, "multimeter", 1, Params{"interval": h, "record_from": []string{"V_m", "U_m"}})
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(sg, n, nil, Params{"weight": 1.0, "delay": h}))
	must(t, k.Connect(dc, n, nil, Params{"weight": 1.0, "delay": h}))
	must(t, k.Connect(mm, n, nil, nil))
	must(t, k.Connect(n, sr, nil, nil))
	must(t, k.Simulate(simMs))

	steps := int(math.Round(simMs / h))
	spikeIn := make([]float64, steps)
	for j, s := range spikeMs {
		// stamp: the spike time rounded up to the grid; one delay step later it is read.
		spikeIn[int(math.Ceil(s/h-1e-9))] += weights[j] * float64(mult[j])
	}
	v, u, cur := -65.0, -13.0, 0.0
	want := map[int64][2]float64{}
	var fired []float64
	for s := range steps {
		var f bool
		v, u, f = izhEuler(consistent, h, v, u, cur, spikeIn[s])
		if f {
			fired = append(fired, float64(s+1)*h)
		}
		if s >= 1 {
			cur = amp // the generator's current of step 0 is read at the end of step 1
		}
		want[int64(s+1)] = [2]float64{v, u}
	}
	if len(fired) < 2 {
		t.Fatalf("h %g consistent %v: the expected trace has %d spikes", h, consistent, len(fired))
	}
	ev := eventsOf(t, k, mm)
	times, vm, um, senders := floats(ev["times"]), floats(ev["V_m"]), floats(ev["U_m"]), ints(ev["senders"])
	for j, tm := range times {
		w := want[int64(math.Round(tm/h))]
		if vm[j] != w[0] || um[j] != w[1] {
			t.Fatalf("h %g consistent %v threads %d neuron %d at %g: V_m %.17g U_m %.17g, want %.17g %.17g",
				h, consistent, threads, senders[j], tm, vm[j], um[j], w[0], w[1])
		}
	}
	got := floats(eventsOf(t, k, sr)["times"])
	if len(got) != 2*len(fired) {
		t.Fatalf("h %g consistent %v threads %d: %d spikes, want %d", h, consistent, threads, len(got), 2*len(fired))
	}
	slices.Sort(got) // with two threads the recorder's events are not in time order
	for j, tm := range got {
		if math.Abs(tm-fired[j/2]) > 1e-9 {
			t.Fatalf("h %g consistent %v threads %d: spike %d at %g, want %g", h, consistent, threads, j, tm, fired[j/2])
		}
	}
}
