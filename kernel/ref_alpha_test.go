package kernel

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// refRow is one row of a printed reference table: time, value and the tolerance its printed
// precision allows.
type refRow struct {
	t, v, tol float64
}

// readPrinted reads a two-column reference table (time, value) printed with sigDigits significant
// digits (NEST's "%g"-style tables: trailing zeros dropped, so "-70" means -70.0000); every value
// gets the tolerance of half a unit in its last significant digit.
func readPrinted(t *testing.T, name string, sigDigits int) []refRow {
	t.Helper()
	rows := readCSV(t, name)
	out := make([]refRow, len(rows))
	for i, r := range rows {
		tol := 0.0
		if r[1] != 0 {
			e := math.Floor(math.Log10(math.Abs(r[1])))
			tol = 0.5*math.Pow(10, e-float64(sigDigits-1)) + 1e-12
		}
		out[i] = refRow{t: r[0], v: r[1], tol: tol}
	}
	return out
}

// samplesByStep maps the multimeter samples of the first recordable to their step (time / h).
func samplesByStep(t *testing.T, ev Params, key string, h float64) map[int64]float64 {
	t.Helper()
	times, vals := floats(ev["times"]), floats(ev[key])
	out := make(map[int64]float64, len(times))
	for i, tm := range times {
		s := int64(math.Round(tm / h))
		if _, dup := out[s]; dup {
			t.Fatalf("two samples at %g ms", tm)
		}
		out[s] = vals[i]
	}
	return out
}

// compareRows checks every reference row whose time lies on the grid of h against the samples.
func compareRows(t *testing.T, what string, rows []refRow, got map[int64]float64, h float64) {
	t.Helper()
	n := 0
	for _, r := range rows {
		q := r.t / h
		s := int64(math.Round(q))
		if math.Abs(q-float64(s)) > 1e-9 {
			continue
		}
		v, ok := got[s]
		if !ok {
			t.Errorf("%s: no sample at %g ms", what, r.t)
			continue
		}
		if math.Abs(v-r.v) > r.tol {
			t.Errorf("%s: V(%g) = %.10g, want %g (±%g)", what, r.t, v, r.v, r.tol)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("%s: no reference row compared", what)
	}
}

// TestIafPscAlphaDCGenerator: a 1000 pA dc_generator (weight 1, delay 0.1) drives the neuron; the
// current first moves V at 0.3 ms, the neuron fires at 5.0 and is refractory through 7.0
// (iaf_psc_alpha_dc_generator_1000pA.csv).
func TestIafPscAlphaDCGenerator(t *testing.T) {
	for _, threads := range []int{1, 3} {
		testIafPscAlphaDCGenerator(t, threads)
	}
}

func testIafPscAlphaDCGenerator(t *testing.T, threads int) {
	k := quietKernel(t, Params{"local_num_threads": threads})
	n := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
	dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": 1000.0})
	vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": 0.1})
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(dc, n, nil, Params{"weight": 1.0, "delay": 0.1}))
	must(t, k.Connect(vm, n, nil, nil))
	must(t, k.Connect(n, sr, nil, nil))
	must(t, k.Simulate(8.0))
	rows := readPrinted(t, "iaf_psc_alpha_dc_generator_1000pA.csv", 6)
	compareRows(t, "dc_generator", rows, samplesByStep(t, eventsOf(t, k, vm), "V_m", 0.1), 0.1)
	assertClose(t, "spike times", floats(eventsOf(t, k, sr)["times"]), []float64{5.0}, 1e-9)
}

// TestIafPscAlphaIe: I_e = 1000 pA, one spike at 4.8 ms, V(0.1) = -69.602
// (iaf_psc_alpha_I_e_1000pA.csv, iaf_psc_alpha_spikes_I_e_1000pA.csv).
func TestIafPscAlphaIe(t *testing.T) {
	for _, threads := range []int{1, 3} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1000.0})
		vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": 0.1})
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(vm, n, nil, nil))
		must(t, k.Connect(n, sr, nil, nil))
		must(t, k.Simulate(8.0))
		rows := readPrinted(t, "iaf_psc_alpha_I_e_1000pA.csv", 6)
		compareRows(t, "I_e", rows, samplesByStep(t, eventsOf(t, k, vm), "V_m", 0.1), 0.1)
		ref := readCSV(t, "iaf_psc_alpha_spikes_I_e_1000pA.csv")
		ev := eventsOf(t, k, sr)
		assertClose(t, "spike times", floats(ev["times"]), column(ref, 1), 1e-9)
		for i, s := range ints(ev["senders"]) {
			if float64(s) != ref[i][0] {
				t.Errorf("sender %d, want %g", s, ref[i][0])
			}
		}
	}
}

// TestIafPscAlphaMultiResolution: I_e = 1450 pA at resolutions 0.1, 0.2, 0.5 and 1.0 ms; the
// spike is at 3.0 ms for every resolution (iaf_psc_alpha_I_e_1450pA_multires.csv, compared on the
// coarse grid).
func TestIafPscAlphaMultiResolution(t *testing.T) {
	rows := readPrinted(t, "iaf_psc_alpha_I_e_1450pA_multires.csv", 6)
	for _, c := range []struct {
		h       float64
		threads int
	}{{0.1, 1}, {0.2, 1}, {0.5, 1}, {1.0, 1}, {0.1, 3}, {0.5, 3}} {
		h := c.h
		k := quietKernel(t, Params{"resolution": h, "local_num_threads": c.threads})
		n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1450.0})
		vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": h})
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(vm, n, nil, nil))
		must(t, k.Connect(n, sr, nil, nil))
		must(t, k.Simulate(8.0))
		what := "h=" + strconv.FormatFloat(h, 'g', -1, 64)
		compareRows(t, what, rows, samplesByStep(t, eventsOf(t, k, vm), "V_m", h), h)
		assertClose(t, what+" spike times", floats(eventsOf(t, k, sr)["times"]), []float64{3.0, 8.0}, 1e-9)
	}
}

// TestIafPscAlphaPSP: one spike of a spike_generator (spike_times [2.0], start 1.0, stop 3.0),
// weight 100 pA, delay 1.0; it arrives at 3.0 where V is still exactly -70
// (iaf_psc_alpha_psp_w100.csv).
func TestIafPscAlphaPSP(t *testing.T) {
	for _, threads := range []int{1, 3} {
		testIafPscAlphaPSP(t, threads)
	}
}

func testIafPscAlphaPSP(t *testing.T, threads int) {
	k := quietKernel(t, Params{"local_num_threads": threads})
	sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{2.0}, "start": 1.0, "stop": 3.0})
	n := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
	vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": 0.1})
	must(t, k.Connect(sg, n, nil, Params{"weight": 100.0, "delay": 1.0}))
	must(t, k.Connect(vm, n, nil, nil))
	must(t, k.Simulate(7.0))
	rows := readPrinted(t, "iaf_psc_alpha_psp_w100.csv", 6)
	got := samplesByStep(t, eventsOf(t, k, vm), "V_m", 0.1)
	compareRows(t, "psp", rows, got, 0.1)
	if got[30] != -70 {
		t.Errorf("V(3.0) = %.17g, want exactly -70", got[30])
	}
}

// regularSpikes reads iaf_psc_alpha_regular_spiking_I_e_1000pA.txt: 4.8 + 6.8 k ms, k = 0..14.
func regularSpikes(t *testing.T) []float64 {
	t.Helper()
	f, err := os.Open("testdata/iaf_psc_alpha_regular_spiking_I_e_1000pA.txt")
	must(t, err)
	defer f.Close()
	var out []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		x, err := strconv.ParseFloat(line, 64)
		must(t, err)
		out = append(out, x)
	}
	if len(out) != 15 {
		t.Fatalf("reference has %d spikes, want 15", len(out))
	}
	return out
}

// regularNet builds the test_ticket_80_175_179 network: I_e 1000 pA, a spike_recorder with the
// window (0, 100] and a voltmeter over the same window.
func regularNet(t *testing.T, threads int) (k *Kernel, sr, vm NodeCollection) {
	k = quietKernel(t, Params{"local_num_threads": threads})
	n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1000.0})
	sr = mustCreate(t, k, "spike_recorder", 1, Params{"origin": 0.0, "start": 0.0, "stop": 100.0})
	vm = mustCreate(t, k, "voltmeter", 1, Params{"interval": 0.1, "origin": 0.0, "start": 0.0, "stop": 100.0})
	must(t, k.Connect(n, sr, nil, nil))
	must(t, k.Connect(vm, n, nil, nil))
	return k, sr, vm
}

// TestRegularSpikingBlocking is test_ticket_80_175_179: Simulate(102) gives the 15 reference
// spikes (the last exactly at the inclusive stop 100.0), and so does every blocking of the run into
// repeated Simulate or Run calls of 0.1 ... 110 ms, with identical voltmeter traces.
func TestRegularSpikingBlocking(t *testing.T) {
	want := regularSpikes(t)
	for _, threads := range []int{1, 3} {
		testRegularSpikingBlocking(t, threads, want)
	}
}

func testRegularSpikingBlocking(t *testing.T, threads int, want []float64) {
	k, sr, vm := regularNet(t, threads)
	must(t, k.Simulate(102))
	ev := eventsOf(t, k, sr)
	assertClose(t, "Simulate(102) spikes", floats(ev["times"]), want, 1e-9)
	refV := eventsOf(t, k, vm)
	if n := len(floats(refV["times"])); n != 1000 {
		t.Fatalf("voltmeter recorded %d samples in (0, 100], want 1000", n)
	}
	blocks := []float64{0.1, 0.3, 0.5, 0.7, 1.0, 1.3, 1.5, 1.7, 110}
	if threads > 1 {
		blocks = []float64{0.3, 1.3, 110}
	}
	for _, block := range blocks {
		for _, useRun := range []bool{false, true} {
			k, sr, vm := regularNet(t, threads)
			if useRun {
				must(t, k.Prepare())
			}
			for k.Time() < 102-1e-9 {
				if useRun {
					must(t, k.Run(block))
				} else {
					must(t, k.Simulate(block))
				}
			}
			if useRun {
				must(t, k.Cleanup())
			}
			what := fmt.Sprintf("threads %d, block %g", threads, block)
			if useRun {
				what += " (Run)"
			}
			assertClose(t, what+" spikes", floats(eventsOf(t, k, sr)["times"]), want, 1e-9)
			ev := eventsOf(t, k, vm)
			assertClose(t, what+" V_m times", floats(ev["times"]), floats(refV["times"]), 0)
			assertClose(t, what+" V_m", floats(ev["V_m"]), floats(refV["V_m"]), 0)
		}
	}
}

// alpha1to2 returns the closed-form membrane potential of the second neuron of README
// "Closed forms": a 100 pA alpha PSC arriving at 4.0 ms.
func alpha1to2(t float64) float64 {
	const (
		EL   = -70.0
		C    = 250.0
		taum = 10.0
		taus = 2.0
		w    = 100.0
	)
	if t <= 4.0 {
		return EL
	}
	s := t - 4.0
	a := 1/taus - 1/taum
	return EL + (w*math.E/(taus*C))*((math.Exp(-s/taum)-math.Exp(-s/taus))/(a*a)-s*math.Exp(-s/taus)/a)
}

// TestIafPscAlpha1to2ClosedForm: n1 (I_e 1450 pA) fires at 3.0 ms; its spike reaches n2 (weight
// 100 pA, delay 1.0) at 4.0 ms; V of n2 follows the closed form to relative 1e-12 for every
// (resolution, min_delay) pair of test_iaf_psc_alpha_1to2.
func TestIafPscAlpha1to2ClosedForm(t *testing.T) {
	for _, c := range []struct{ h, minDelay float64 }{
		{0.1, 1}, {0.2, 1}, {0.5, 1}, {1, 1}, {0.1, 0.1}, {0.1, 0.2}, {0.1, 0.5},
	} {
		for _, threads := range []int{1, 2} {
			k := quietKernel(t, Params{"resolution": c.h, "local_num_threads": threads})
			must(t, k.SetKernelStatus(Params{"min_delay": c.minDelay, "max_delay": 1.0}))
			n1 := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1450.0})
			n2 := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
			vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": c.h})
			sr := mustCreate(t, k, "spike_recorder", 1, nil)
			must(t, k.Connect(n1, n2, nil, Params{"weight": 100.0, "delay": 1.0}))
			must(t, k.Connect(vm, n2, nil, nil))
			must(t, k.Connect(n1, sr, nil, nil))
			must(t, k.Simulate(8.0))
			st, err := k.GetKernelStatus("min_delay", "max_delay")
			must(t, err)
			if st["min_delay"].(float64) != c.minDelay || st["max_delay"].(float64) != 1.0 {
				t.Errorf("h %g: min/max delay %v, want %g/1", c.h, st, c.minDelay)
			}
			assertClose(t, "n1 spikes", floats(eventsOf(t, k, sr)["times"]), []float64{3.0, 8.0}, 1e-9)
			ev := eventsOf(t, k, vm)
			times, vs := floats(ev["times"]), floats(ev["V_m"])
			if len(times) < int(math.Round(7.0/c.h)) {
				t.Fatalf("h %g min_delay %g: %d samples", c.h, c.minDelay, len(times))
			}
			for i, tm := range times {
				want := alpha1to2(tm)
				if rel := math.Abs(vs[i]-want) / math.Abs(want); rel > 1e-12 {
					t.Fatalf("h %g min_delay %g threads %d: V(%g) = %.17g, closed form %.17g (rel %g)", c.h, c.minDelay, threads, tm, vs[i], want, rel)
				}
			}
		}
	}
}

// TestTutorialTwoNeurons: PyNEST tutorial part 1, two neurons connected with weight 20
// (tutorial_two_neurons_alpha_*.csv, 17 digits).
func TestTutorialTwoNeurons(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		n1 := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 376.0})
		n2 := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 0.0})
		must(t, k.Connect(n1, n2, nil, Params{"weight": 20.0, "delay": 1.0}))
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		both, err := n1.Concat(n2)
		must(t, err)
		must(t, k.Connect(both, sr, nil, nil))
		mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.1, "record_from": []string{"V_m"}})
		must(t, k.Connect(mm, n2, nil, nil))
		must(t, k.Simulate(1000.0))

		spikes := readCSV(t, "tutorial_two_neurons_alpha_spikes.csv")
		ev := eventsOf(t, k, sr)
		assertClose(t, "spike times", floats(ev["times"]), column(spikes, 1), 1e-9)
		for i, s := range ints(ev["senders"]) {
			if float64(s) != spikes[i][0] {
				t.Fatalf("spike %d: sender %d, want %g", i, s, spikes[i][0])
			}
		}
		ref := readCSV(t, "tutorial_two_neurons_alpha_n2_vm.csv")
		mev := eventsOf(t, k, mm)
		assertClose(t, "n2 times", floats(mev["times"]), column(ref, 0), 1e-9)
		assertClose(t, "n2 V_m", floats(mev["V_m"]), column(ref, 1), 1e-9)
		peak := math.Inf(-1)
		for _, v := range floats(mev["V_m"]) {
			peak = math.Max(peak, v)
		}
		if math.Abs(peak-(-69.739232)) > 5e-7 {
			t.Errorf("peak V_m of n2 = %.9g, want -69.739232", peak)
		}
	}
}
