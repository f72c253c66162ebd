package kernel

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// TestMultimeterTiming is test_multimeter_offset / test_multimeter at resolution 0.125 ms:
// interval 3, offset 5, Simulate(15) samples at 5, 8, 11, 14; interval 2 without offset,
// Simulate(10) gives 4 samples (the sample at 10 belongs to the last slice and is delivered only
// by the next call).
func TestMultimeterTiming(t *testing.T) {
	for _, c := range []struct {
		p     Params
		sim   float64
		times []float64
	}{
		{Params{"interval": 3.0, "offset": 5.0}, 15, []float64{5, 8, 11, 14}},
		{Params{"interval": 2.0}, 10, []float64{2, 4, 6, 8}},
	} {
		for _, threads := range []int{1, 2} {
			k := quietKernel(t, Params{"resolution": 0.125, "local_num_threads": threads})
			n := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
			p := Params{"record_from": []string{"V_m"}}
			for key, v := range c.p {
				p[key] = v
			}
			mm := mustCreate(t, k, "multimeter", 1, p)
			must(t, k.Connect(mm, n, nil, nil))
			must(t, k.Simulate(c.sim))
			assertClose(t, "multimeter times", floats(eventsOf(t, k, mm)["times"]), c.times, 1e-12)
		}
	}
	// Stepping: the sample of the last slice arrives with the next call, so the stepped run
	// ends with the same samples as one call of the total length.
	k := quietKernel(t, Params{"resolution": 0.125})
	n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 300.0})
	mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 2.0, "record_from": []string{"V_m"}})
	must(t, k.Connect(mm, n, nil, nil))
	for range 10 {
		must(t, k.Simulate(1))
	}
	assertClose(t, "stepped multimeter times", floats(eventsOf(t, k, mm)["times"]), []float64{2, 4, 6, 8}, 1e-12)
	must(t, k.Simulate(1))
	assertClose(t, "stepped multimeter times", floats(eventsOf(t, k, mm)["times"]), []float64{2, 4, 6, 8, 10}, 1e-12)
}

// parrotTrain returns a kernel with a spike_generator feeding a parrot_neuron (delay 1), whose
// spikes are at the given times + 1 ms.
func parrotTrain(t *testing.T, times []float64) (*Kernel, NodeCollection) {
	k := quietKernel(t, nil)
	sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": times})
	p := mustCreate(t, k, "parrot_neuron", 1, nil)
	must(t, k.Connect(sg, p, nil, Params{"delay": 1.0}))
	return k, p
}

// TestRecorderWindow: recorders record event stamps in (origin+start, origin+stop]; start is
// exclusive, stop inclusive, for spike recorders and multimeters; spike_generator emits in the
// same window.
func TestRecorderWindow(t *testing.T) {
	for _, c := range []struct {
		name   string
		window Params
		want   []float64
	}{
		{"none", Params{}, []float64{2, 3, 4, 5, 6}},
		{"start", Params{"start": 3.0}, []float64{4, 5, 6}},
		{"stop", Params{"stop": 4.0}, []float64{2, 3, 4}},
		{"both", Params{"start": 2.0, "stop": 5.0}, []float64{3, 4, 5}},
		{"origin", Params{"origin": 1.0, "start": 2.0, "stop": 4.0}, []float64{4, 5}},
		{"empty", Params{"start": 3.0, "stop": 3.0}, nil},
	} {
		k, p := parrotTrain(t, []float64{1, 2, 3, 4, 5})
		sr := mustCreate(t, k, "spike_recorder", 1, c.window)
		must(t, k.Connect(p, sr, nil, nil))
		must(t, k.Simulate(10))
		assertClose(t, c.name, floats(eventsOf(t, k, sr)["times"]), c.want, 1e-9)
	}
	// spike_generator: spikes are emitted only in (start, stop]
	k := quietKernel(t, nil)
	sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{1, 2, 3, 4}, "start": 1.0, "stop": 3.0})
	p := mustCreate(t, k, "parrot_neuron", 1, nil)
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(sg, p, nil, Params{"delay": 1.0}))
	must(t, k.Connect(p, sr, nil, nil))
	must(t, k.Simulate(10))
	assertClose(t, "spike_generator window", floats(eventsOf(t, k, sr)["times"]), []float64{3, 4}, 1e-9)
	// multimeter: samples in (start, stop]
	k = quietKernel(t, nil)
	n := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
	mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.5, "start": 1.0, "stop": 3.0, "record_from": []string{"V_m"}})
	must(t, k.Connect(mm, n, nil, nil))
	must(t, k.Simulate(10))
	assertClose(t, "multimeter window", floats(eventsOf(t, k, mm)["times"]), []float64{1.5, 2, 2.5, 3}, 1e-9)
}

// TestNEvents: n_events counts the recorded events; setting it to 0 clears them, any other value
// is a BadProperty and changes nothing.
func TestNEvents(t *testing.T) {
	k, p := parrotTrain(t, []float64{1, 2, 3})
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 1.0, "record_from": []string{"V_m"}})
	n := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
	must(t, k.Connect(p, sr, nil, nil))
	must(t, k.Connect(mm, n, nil, nil))
	must(t, k.Simulate(10))
	nev := func(nc NodeCollection) int64 {
		st, err := k.GetStatus(nc, "n_events")
		must(t, err)
		return st[0]["n_events"].(int64)
	}
	if got := nev(sr); got != 3 {
		t.Fatalf("spike_recorder n_events = %d, want 3", got)
	}
	if got := nev(mm); got != 9 {
		t.Fatalf("multimeter n_events = %d, want 9", got)
	}
	for _, bad := range []any{int64(1), int64(-1), 5} {
		err := k.SetStatus(sr, Params{"n_events": bad})
		if status.KindOf(err) != status.BadProperty || !strings.Contains(err.Error(), "n_events") {
			t.Errorf("n_events = %v: got %v, want BadProperty naming n_events", bad, err)
		}
	}
	if got := nev(sr); got != 3 || len(floats(eventsOf(t, k, sr)["times"])) != 3 {
		t.Fatalf("after refused n_events: n_events %d", got)
	}
	must(t, k.SetStatus(sr, Params{"n_events": 0}))
	must(t, k.SetStatus(mm, Params{"n_events": int64(0)}))
	if nev(sr) != 0 || nev(mm) != 0 {
		t.Fatalf("n_events after reset: %d, %d", nev(sr), nev(mm))
	}
	ev := eventsOf(t, k, sr)
	if len(floats(ev["times"])) != 0 || len(ints(ev["senders"])) != 0 {
		t.Fatalf("events not cleared: %v", ev)
	}
	if len(floats(eventsOf(t, k, mm)["V_m"])) != 0 {
		t.Fatalf("multimeter events not cleared")
	}
	must(t, k.Simulate(5))
	if got := nev(mm); got != 5 {
		t.Fatalf("multimeter n_events after more simulation = %d, want 5", got)
	}
	assertClose(t, "multimeter times after reset", floats(eventsOf(t, k, mm)["times"]), []float64{10, 11, 12, 13, 14}, 1e-9)
}

// TestTimeInSteps: with time_in_steps the memory backend reports times as integer steps and
// offsets (0 for grid spikes).
func TestTimeInSteps(t *testing.T) {
	k := quietKernel(t, nil)
	n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1000.0})
	sr := mustCreate(t, k, "spike_recorder", 1, Params{"time_in_steps": true})
	must(t, k.Connect(n, sr, nil, nil))
	must(t, k.Simulate(12))
	ev := eventsOf(t, k, sr)
	steps, ok := ev["times"].([]int64)
	if !ok {
		t.Fatalf("times is %T, want []int64", ev["times"])
	}
	if !reflect.DeepEqual(steps, []int64{48, 116}) {
		t.Errorf("times in steps = %v, want [48 116]", steps)
	}
	if off := floats(ev["offsets"]); !reflect.DeepEqual(off, []float64{0, 0}) {
		t.Errorf("offsets = %v", off)
	}
	err := k.SetStatus(sr, Params{"time_in_steps": false})
	if status.KindOf(err) != status.BadProperty {
		t.Errorf("time_in_steps changed after Simulate: %v, want BadProperty", err)
	}
}

// TestMultimeterInterleavedOrder: one multimeter on two neurons reports, per slice, all samples of
// one neuron, then all of the next, in connection order (NEST's DataLoggingRequest replies).
func TestMultimeterInterleavedOrder(t *testing.T) {
	k := quietKernel(t, nil)
	nrn := mustCreate(t, k, "iaf_psc_alpha", 2, Params{"I_e": []float64{200, 400}})
	mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 0.5, "record_from": []string{"V_m", "I_syn_ex"}})
	n1, _ := nrn.Slice(0, 1, 1)
	n2, _ := nrn.Slice(1, 2, 1)
	must(t, k.Connect(mm, n2, nil, nil)) // connection order: node 2, then node 1
	must(t, k.Connect(mm, n1, nil, nil))
	must(t, k.Simulate(3.0)) // min_delay 1 ms: slices [0,1), [1,2) delivered, [2,3) pending
	ev := eventsOf(t, k, mm)
	wantS := []int64{2, 2, 1, 1, 2, 2, 1, 1}
	wantT := []float64{0.5, 1, 0.5, 1, 1.5, 2, 1.5, 2}
	if !reflect.DeepEqual(ints(ev["senders"]), wantS) {
		t.Fatalf("senders = %v, want %v", ev["senders"], wantS)
	}
	assertClose(t, "times", floats(ev["times"]), wantT, 1e-12)
	if len(floats(ev["V_m"])) != 8 || len(floats(ev["I_syn_ex"])) != 8 {
		t.Fatalf("recordables: %d V_m, %d I_syn_ex", len(floats(ev["V_m"])), len(floats(ev["I_syn_ex"])))
	}
	vm := floats(ev["V_m"])
	if !(vm[0] > vm[2]) { // neuron 2 has the larger current
		t.Errorf("V_m of node 2 (%g) should exceed node 1 (%g)", vm[0], vm[2])
	}
}

// TestASCIIBackend: file name data_path/data_prefix + label-or-model + "-" + node id padded to the
// digits of network_size + "-" + vp padded to the digits of the VP count + ".dat"; two header lines,
// a tab-separated column header and fixed-precision rows; IOError at Prepare when the file
// exists and overwrite_files is false.
func TestASCIIBackend(t *testing.T) {
	dir := t.TempDir()
	k := quietKernel(t, Params{"data_path": dir})
	sr := mustCreate(t, k, "spike_recorder", 1, nil) // node 1
	n := mustCreate(t, k, "iaf_psc_alpha", 11, Params{"I_e": 1000.0})
	n1, _ := n.Slice(0, 1, 1)
	mm := mustCreate(t, k, "multimeter", 1, Params{"interval": 1.0, "record_from": []string{"V_m"}, "label": "vm", "precision": 5})
	must(t, k.SetStatus(sr, Params{"record_to": "ascii"})) // network size 13: two digits
	must(t, k.SetStatus(mm, Params{"record_to": "ascii"}))
	must(t, k.Connect(n1, sr, nil, nil))
	must(t, k.Connect(mm, n1, nil, nil))
	must(t, k.Simulate(12))

	read := func(name string) []string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("%v (files: %v)", err, names)
		}
		return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	}
	lines := read("spike_recorder-01-0.dat")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "# NEST version: ") || lines[1] != "# RecordingBackendASCII version: 2" {
		t.Fatalf("spike_recorder file:\n%s", strings.Join(lines, "\n"))
	}
	if want := []string{"sender\ttime_ms", "2\t4.800", "2\t11.600"}; !reflect.DeepEqual(lines[2:4], want[:2]) || lines[4] != "2\t11.600" {
		t.Errorf("spike_recorder rows %q, want %q", lines[2:], want)
	}
	lines = read("vm-13-0.dat")
	if lines[2] != "sender\ttime_ms\tV_m" || len(lines) != 3+11 {
		t.Fatalf("multimeter file:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(lines[3], "2\t1.00000\t-") || len(strings.Split(lines[3], "\t")[2]) != len("-61.12345") {
		t.Errorf("multimeter row %q", lines[3])
	}
	if n, err := k.GetStatus(sr, "n_events"); err != nil || n[0]["n_events"].(int64) != 2 {
		t.Errorf("n_events of the ascii recorder: %v %v", n, err)
	}

	// time_in_steps: steps and offset columns
	dir2 := t.TempDir()
	k = quietKernel(t, Params{"data_path": dir2, "data_prefix": "run1_"})
	n = mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1000.0})
	sr = mustCreate(t, k, "spike_recorder", 1, Params{"record_to": "ascii", "time_in_steps": true})
	must(t, k.Connect(n, sr, nil, nil))
	must(t, k.Simulate(5))
	dir = dir2
	lines = read("run1_spike_recorder-2-0.dat")
	if want := []string{"sender\ttime_step\ttime_offset", "1\t48\t0.000"}; !reflect.DeepEqual(lines[2:], want) {
		t.Errorf("time_in_steps file rows %q, want %q", lines[2:], want)
	}

	// IOError when the file exists; nothing else changes, and overwrite_files lets it run.
	k = quietKernel(t, Params{"data_path": dir2, "data_prefix": "run1_"})
	n = mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1000.0})
	sr = mustCreate(t, k, "spike_recorder", 1, Params{"record_to": "ascii"})
	must(t, k.Connect(n, sr, nil, nil))
	err := k.Simulate(5)
	if status.KindOf(err) != status.IOError || !strings.Contains(err.Error(), "run1_spike_recorder-2-0.dat") {
		t.Fatalf("existing file: %v, want IOError naming the file", err)
	}
	if k.Time() != 0 {
		t.Fatalf("time advanced to %g after the failed Simulate", k.Time())
	}
	must(t, k.SetKernelStatus(Params{"overwrite_files": true}))
	must(t, k.Simulate(5))
	lines = read("run1_spike_recorder-2-0.dat")
	if want := []string{"sender\ttime_ms", "1\t4.800"}; !reflect.DeepEqual(lines[2:], want) {
		t.Errorf("overwritten file rows %q, want %q", lines[2:], want)
	}
}

// TestPoissonGeneratorWindow: a poisson_generator is active in the steps that start in
// (start, stop], so its spikes have stamps in (start+h, stop+h] and reach a target over delay d in
// (start+h+d, stop+h+d]. With λ = 100 spikes per step every step of the window delivers (the
// parrots repeat each spike with its multiplicity).
func TestPoissonGeneratorWindow(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		pg := mustCreate(t, k, "poisson_generator", 1, Params{"rate": 1e6, "start": 1.0, "stop": 2.0})
		p := mustCreate(t, k, "parrot_neuron", 2, nil)
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(pg, p, nil, Params{"delay": 1.0}))
		must(t, k.Connect(p, sr, nil, nil))
		must(t, k.Simulate(5))
		var ev []eventRec // distinct (sender, time): the parrot repeats each multiplicity unit
		for _, e := range sortedEvents(t, k, sr) {
			if len(ev) == 0 || ev[len(ev)-1] != e {
				ev = append(ev, e)
			}
		}
		var want []eventRec
		for s := 22; s <= 31; s++ {
			for _, id := range []int64{2, 3} {
				want = append(want, eventRec{sender: id, time: float64(s) * 0.1})
			}
		}
		if len(ev) != len(want) {
			t.Fatalf("threads %d: parrot spikes at %d distinct (sender, time), want %d", threads, len(ev), len(want))
		}
		for i := range want {
			if ev[i].sender != want[i].sender || math.Abs(ev[i].time-want[i].time) > 1e-9 {
				t.Fatalf("threads %d: spike %d = %+v, want %+v", threads, i, ev[i], want[i])
			}
		}
	}
}

// TestDCGeneratorWindow: a dc_generator with start 1.0, stop 2.0 and delay 0.1 is consumed by
// the neuron in the steps (1.0, 1.1] ... (1.9, 2.0] and acts on V one step later, so V leaves E_L
// at 1.2, rises as with I_e until 2.1 and relaxes from there.
func TestDCGeneratorWindow(t *testing.T) {
	const (
		h, EL, tau, C, I = 0.1, -70.0, 10.0, 250.0, 1000.0
	)
	k := quietKernel(t, nil)
	n := mustCreate(t, k, "iaf_psc_alpha", 1, nil)
	dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": I, "start": 1.0, "stop": 2.0})
	vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": h})
	must(t, k.Connect(dc, n, nil, Params{"delay": 0.1}))
	must(t, k.Connect(vm, n, nil, nil))
	must(t, k.Simulate(5))
	got := samplesByStep(t, eventsOf(t, k, vm), "V_m", h)
	rise := func(steps int) float64 { return EL + tau*I/C*(1-math.Exp(-float64(steps)*h/tau)) }
	for s := int64(1); s <= 49; s++ {
		var want float64
		switch {
		case s <= 11:
			want = EL
		case s <= 21:
			want = rise(int(s - 11))
		default:
			want = EL + (rise(10)-EL)*math.Exp(-float64(s-21)*h/tau)
		}
		if math.Abs(got[s]-want) > 1e-9 {
			t.Fatalf("V(%g) = %.15g, want %.15g", float64(s)*h, got[s], want)
		}
	}
}

// TestSpikeMultiplicity: a spike_generator spike of multiplicity 3 and weight factor 2 reaches a
// parrot_neuron, which repeats it as one spike of multiplicity 3: the recorder stores three events,
// and an iaf_psc_delta behind the parrot jumps by 3 × its weight. Spikes on the parrot's receptor 1
// are not repeated.
func TestSpikeMultiplicity(t *testing.T) {
	k := quietKernel(t, nil)
	sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{1.0, 3.0},
		"spike_multiplicities": []int64{3, 1}, "spike_weights": []float64{2.0, 1.0}})
	p := mustCreate(t, k, "parrot_neuron", 1, nil)
	d := mustCreate(t, k, "iaf_psc_delta", 1, Params{"tau_m": 1e9, "C_m": 1e9})
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	vm := mustCreate(t, k, "voltmeter", 1, Params{"interval": 0.1})
	must(t, k.Connect(sg, p, nil, Params{"delay": 1.0, "weight": 5.0}))
	must(t, k.Connect(p, d, nil, Params{"delay": 1.0, "weight": 0.5}))
	must(t, k.Connect(p, sr, nil, nil))
	must(t, k.Connect(vm, d, nil, nil))
	sg2 := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{2.0}})
	must(t, k.Connect(sg2, p, nil, Params{"receptor_type": 1, "delay": 1.0}))
	must(t, k.Simulate(6))
	assertClose(t, "parrot spikes", floats(eventsOf(t, k, sr)["times"]), []float64{2, 2, 2, 4}, 1e-9)
	got := samplesByStep(t, eventsOf(t, k, vm), "V_m", 0.1)
	for s, want := range map[int64]float64{29: -70, 30: -68.5, 49: -68.5, 50: -68} {
		if math.Abs(got[s]-want) > 1e-6 {
			t.Errorf("V(%g) = %.10g, want %g", float64(s)*0.1, got[s], want)
		}
	}
}

// TestListParameters: as in PyNEST, a list given for a parameter whose value is a list
// (spike_times, spike_weights, record_from) goes whole to every node, also when its length equals
// the number of nodes; a list for a scalar parameter gives one value per node.
func TestListParameters(t *testing.T) {
	k := quietKernel(t, nil)
	sg := mustCreate(t, k, "spike_generator", 2, Params{"spike_times": []float64{1.0, 2.0}, "spike_weights": []float64{1, 3}})
	st, err := k.GetStatus(sg, "spike_times", "spike_weights")
	must(t, err)
	for i := range st {
		if !reflect.DeepEqual(st[i]["spike_times"], []float64{1, 2}) || !reflect.DeepEqual(st[i]["spike_weights"], []float64{1, 3}) {
			t.Errorf("spike_generator %d: %v", i, st[i])
		}
	}
	must(t, k.SetStatus(sg, Params{"spike_times": []float64{4.0, 5.0}, "start": []float64{0, 4.0}}))
	st, err = k.GetStatus(sg, "spike_times", "start")
	must(t, err)
	for i, want := range []float64{0, 4} {
		if !reflect.DeepEqual(st[i]["spike_times"], []float64{4, 5}) || st[i]["start"] != want {
			t.Errorf("spike_generator %d after SetStatus: %v", i, st[i])
		}
	}
	mm := mustCreate(t, k, "multimeter", 2, Params{"record_from": []string{"V_m", "I_syn_ex"}})
	st, err = k.GetStatus(mm, "record_from")
	must(t, err)
	for i := range st {
		if !reflect.DeepEqual(st[i]["record_from"], []string{"V_m", "I_syn_ex"}) {
			t.Errorf("multimeter %d: %v", i, st[i])
		}
	}
	p := mustCreate(t, k, "parrot_neuron", 2, nil)
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(sg, p, "one_to_one", Params{"delay": 1.0}))
	must(t, k.Connect(p, sr, nil, nil))
	must(t, k.Simulate(10))
	got := sortedEvents(t, k, sr)
	// parrot 5 repeats generator 1 (4, 5 -> 5, 6); parrot 6 repeats generator 2, which is active
	// after 4.0 only (its spike at 4.0 is at the exclusive start)
	want := []eventRec{{sender: 5, time: 5}, {sender: 5, time: 6}, {sender: 6, time: 6}}
	if len(got) != len(want) {
		t.Fatalf("spikes %v, want %v", got, want)
	}
	for i := range want {
		if got[i].sender != want[i].sender || math.Abs(got[i].time-want[i].time) > 1e-9 {
			t.Fatalf("spikes %v, want %v", got, want)
		}
	}
}
