package models

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// ---------------------------------------------------------------------------------------------
// Test rig shared by the neuron model tests: it drives one Block directly through Prepare and
// Update with a Step it owns. Step k (0-based) runs from k·h to (k+1)·h; an event that arrives at
// time t is put into the slot of the step that ends at t, and a value recorded after step k has
// the time stamp (k+1)·h.

type blockRig struct {
	t     testing.TB
	m     NeuronModel
	b     Block
	g     clock.Grid
	s     Step
	rng   vp.Stream
	k     int64       // index of the next step
	reads [][]float64 // the slots the model reads (must be zero after every Update)
}

// newBlockRig makes a block of n neurons of model m, applies set to every neuron (all keys must be
// used) and prepares it for resolution h.
func newBlockRig(t testing.TB, m NeuronModel, n int, h float64, set status.Dict) *blockRig {
	t.Helper()
	rg := &blockRig{t: t, m: m, b: m.NewBlock(), g: clock.NewGrid(h, 1000), rng: vp.NewStream(12345, vp.KindVP, 0)}
	rg.b.Append(m, n)
	if rg.b.Len() != n {
		t.Fatalf("%s: Len() = %d after Append(%d)", m.Name(), rg.b.Len(), n)
	}
	if set != nil {
		for i := range n {
			r := status.NewReader(set, m.Name())
			if err := rg.b.Set(i, r); err != nil {
				t.Fatalf("%s: Set(%v): %v", m.Name(), set, err)
			}
			if u := r.Unused(); len(u) > 0 {
				t.Fatalf("%s: Set left keys unread: %v", m.Name(), u)
			}
		}
	}
	rg.b.Prepare(rg.g)
	for _, ch := range m.Channels() {
		switch ch {
		case ChanSpike:
			rg.s.Ex, rg.s.In = make([]float64, n), make([]float64, n)
			rg.reads = append(rg.reads, rg.s.Ex, rg.s.In)
		case ChanCount:
			rg.s.Count = make([]float64, n)
			rg.reads = append(rg.reads, rg.s.Count)
		case ChanI0:
			rg.s.I0 = make([]float64, n)
			rg.reads = append(rg.reads, rg.s.I0)
		case ChanI1:
			rg.s.I1 = make([]float64, n)
			rg.reads = append(rg.reads, rg.s.I1)
		default:
			t.Fatalf("%s: Channels() lists %d, which has no buffer", m.Name(), ch)
		}
	}
	rg.s.RNG = &rg.rng
	rg.s.H = rg.g.H()
	return rg
}

// update runs one step and returns the spikes it emitted (a copy). It fails the test if the
// block left any slot of the channels it reads non-zero.
func (rg *blockRig) update() []Spike {
	rg.t.Helper()
	rg.s.Spikes = rg.s.Spikes[:0]
	rg.b.Update(&rg.s)
	for _, sl := range rg.reads {
		for i, x := range sl {
			if x != 0 {
				rg.t.Fatalf("%s: step %d: Update left input slot %d at %g", rg.m.Name(), rg.k, i, x)
			}
		}
	}
	rg.k++
	return append([]Spike(nil), rg.s.Spikes...)
}

// now is the time stamp (ms) of the values after the last update.
func (rg *blockRig) now() float64 { return rg.g.Ms(rg.k) }

// stepOf returns the index of the step that ends at time t (ms): the step in which an event
// arriving at t is read, and after which a value stamped t is recorded.
func (rg *blockRig) stepOf(t float64) int64 {
	return rg.g.Tics(t)/rg.g.TicsPerStep - 1
}

// sample returns recordable name of neuron i.
func (rg *blockRig) sample(name string, i int) float64 {
	rg.t.Helper()
	for k, r := range rg.m.Recordables() {
		if r == name {
			return rg.b.Sample(k, i)
		}
	}
	rg.t.Fatalf("%s has no recordable %s", rg.m.Name(), name)
	return 0
}

// refRow is one row of a reference trace.
type refRow struct {
	t, v float64
	tol  float64 // half a unit of the last printed digit
}

// readRefTrace reads a two-column CSV (time_ms, value) from testdata. The tolerance of a value is
// half a unit in its 6th significant digit (the files were written with 6 significant digits,
// trailing zeros dropped) or of its last printed digit if more were printed.
func readRefTrace(t *testing.T, name string) []refRow {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []refRow
	for _, rec := range recs[1:] {
		tm, err1 := strconv.ParseFloat(rec[0], 64)
		v, err2 := strconv.ParseFloat(rec[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad row %v", name, rec)
		}
		rows = append(rows, refRow{t: tm, v: v, tol: printedTolerance(rec[1], v)})
	}
	return rows
}

func printedTolerance(s string, v float64) float64 {
	digits := 0
	for _, c := range strings.TrimLeft(strings.TrimLeft(s, "-+"), "0.") {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	digits = max(digits, 6)
	e := math.Floor(math.Log10(math.Abs(v)))
	return 0.5*math.Pow(10, e-float64(digits-1)) + 1e-12
}

func spikeTimes(rg *blockRig, sp []Spike, times *[]float64) {
	for range sp {
		*times = append(*times, rg.now())
	}
}

func sameTimes(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------------
// Status tests shared by the iaf models.

// checkRoundTrip sets d on neuron 0 of a two-neuron block and checks that Get reports every value
// of d, that neuron 1 keeps the defaults, and that unknown keys are left unread.
func checkRoundTrip(t *testing.T, m NeuronModel, d status.Dict) {
	t.Helper()
	b := m.NewBlock()
	b.Append(m, 2)
	b.Prepare(clock.NewGrid(0.1, 1000))
	in := status.Copy(d)
	in["no_such_key"] = 1.0
	r := status.NewReader(in, m.Name())
	if err := b.Set(0, r); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if u := r.Unused(); !reflect.DeepEqual(u, []string{"no_such_key"}) {
		t.Errorf("Unused() = %v, want [no_such_key]", u)
	}
	got := status.Dict{}
	b.Get(0, got)
	for k, v := range d {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("Get %s = %v, want %v", k, got[k], v)
		}
	}
	other := status.Dict{}
	b.Get(1, other)
	if def := m.Defaults(); !reflect.DeepEqual(other, def) {
		t.Errorf("neuron 1 = %v, want the defaults %v", other, def)
	}
	// Get reports exactly the parameters that Params documents.
	if len(got) != len(m.Params()) {
		t.Errorf("Get reports %d keys, Params documents %d", len(got), len(m.Params()))
	}
	for _, p := range m.Params() {
		if _, ok := got[p.Name]; !ok {
			t.Errorf("Get does not report %s", p.Name)
		}
	}
}

// checkELShift checks NEST's E_L rule: when E_L changes, V_th, V_reset, V_min (if any) and V_m keep
// their absolute values unless given in the same dictionary; the dynamics relax to the new E_L.
func checkELShift(t *testing.T, m NeuronModel, tauM float64) {
	t.Helper()
	rg := newBlockRig(t, m, 1, 0.1, status.Dict{"V_m": -60.0})
	before := status.Dict{}
	rg.b.Get(0, before)
	if err := rg.b.Set(0, status.NewReader(status.Dict{"E_L": -65.0}, m.Name())); err != nil {
		t.Fatal(err)
	}
	after := status.Dict{}
	rg.b.Get(0, after)
	for _, k := range []string{"V_th", "V_reset", "V_min", "V_m"} {
		if _, ok := before[k]; ok && after[k] != before[k] {
			t.Errorf("after E_L -70 -> -65: %s = %v, want unchanged %v", k, after[k], before[k])
		}
	}
	if after["E_L"] != -65.0 {
		t.Errorf("E_L = %v", after["E_L"])
	}
	// One free step: V relaxes towards the new E_L.
	rg.update()
	want := -65 + 5*math.Exp(-0.1/tauM)
	if v := rg.sample("V_m", 0); math.Abs(v-want) > 1e-12 {
		t.Errorf("V_m after one step = %.15g, want %.15g", v, want)
	}
	// Given together with E_L, V_th is taken as is.
	if err := rg.b.Set(0, status.NewReader(status.Dict{"E_L": -60.0, "V_th": -50.0}, m.Name())); err != nil {
		t.Fatal(err)
	}
	after = status.Dict{}
	rg.b.Get(0, after)
	if after["V_th"] != -50.0 || after["V_reset"] != -70.0 {
		t.Errorf("after {E_L -60, V_th -50}: V_th %v, V_reset %v; want -50, -70", after["V_th"], after["V_reset"])
	}
	// The same rule for the defaults.
	c := m.Copy("shifted")
	if err := c.SetDefaults(status.NewReader(status.Dict{"E_L": -65.0}, c.Name())); err != nil {
		t.Fatal(err)
	}
	d := c.Defaults()
	if d["V_th"] != -55.0 || d["V_reset"] != -70.0 || d["V_m"] != -70.0 || d["E_L"] != -65.0 {
		t.Errorf("defaults after E_L -65: %v", d)
	}
}

// validationCase is a dictionary that must be refused with BadProperty.
type validationCase struct {
	name string
	d    status.Dict
	msg  string // part of the expected message
}

// checkValidation checks that each case is refused by Set and SetDefaults with a BadProperty error
// naming the model, and that nothing changes.
func checkValidation(t *testing.T, m NeuronModel, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rg := newBlockRig(t, m, 1, 0.1, nil)
			before := status.Dict{}
			rg.b.Get(0, before)
			err := rg.b.Set(0, status.NewReader(tc.d, m.Name()))
			if status.KindOf(err) != status.BadProperty {
				t.Fatalf("Set(%v) = %v, want BadProperty", tc.d, err)
			}
			if !strings.Contains(err.Error(), m.Name()+":") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q does not name %s or lacks %q", err, m.Name(), tc.msg)
			}
			after := status.Dict{}
			rg.b.Get(0, after)
			if !reflect.DeepEqual(before, after) {
				t.Errorf("failed Set changed the neuron: %v -> %v", before, after)
			}
			c := m.Copy(m.Name())
			defs := c.Defaults()
			err = c.SetDefaults(status.NewReader(tc.d, c.Name()))
			if status.KindOf(err) != status.BadProperty {
				t.Errorf("SetDefaults(%v) = %v, want BadProperty", tc.d, err)
			}
			if !reflect.DeepEqual(defs, c.Defaults()) {
				t.Errorf("failed SetDefaults changed the defaults")
			}
		})
	}
	// A value of the wrong type is a TypeMismatch and changes nothing either.
	rg := newBlockRig(t, m, 1, 0.1, nil)
	err := rg.b.Set(0, status.NewReader(status.Dict{"C_m": "big", "E_L": -60.0}, m.Name()))
	if status.KindOf(err) != status.TypeMismatch {
		t.Errorf("Set(C_m: string) = %v, want TypeMismatch", err)
	}
	d := status.Dict{}
	rg.b.Get(0, d)
	if !reflect.DeepEqual(d, m.Defaults()) {
		t.Errorf("failed Set changed the neuron: %v", d)
	}
}

// checkCopyIndependence checks that SetDefaults on a copy leaves the original alone and the other
// way round, and that blocks take the defaults of the model they are appended from.
func checkCopyIndependence(t *testing.T, newModel func() NeuronModel) {
	t.Helper()
	m := newModel()
	orig := m.Defaults()
	c := m.Copy("my_model")
	if c.Name() != "my_model" || m.Name() == "my_model" {
		t.Fatalf("names: copy %q, original %q", c.Name(), m.Name())
	}
	if err := c.SetDefaults(status.NewReader(status.Dict{"C_m": 500.0, "V_m": -66.0}, c.Name())); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Defaults(), orig) {
		t.Errorf("SetDefaults on the copy changed the original: %v", m.Defaults())
	}
	if err := m.SetDefaults(status.NewReader(status.Dict{"tau_m": 20.0}, m.Name())); err != nil {
		t.Fatal(err)
	}
	if cd := c.Defaults(); cd["tau_m"] != 10.0 || cd["C_m"] != 500.0 || cd["V_m"] != -66.0 {
		t.Errorf("copy defaults = %v", cd)
	}
	if !reflect.DeepEqual(newModel().Defaults(), orig) {
		t.Errorf("a fresh model does not have NEST's defaults")
	}
	b := c.NewBlock()
	b.Append(c, 1)
	b.Append(m, 1)
	d0, d1 := status.Dict{}, status.Dict{}
	b.Get(0, d0)
	b.Get(1, d1)
	if d0["C_m"] != 500.0 || d0["V_m"] != -66.0 || d1["C_m"] != 250.0 || d1["tau_m"] != 20.0 {
		t.Errorf("appended neurons: %v, %v", d0, d1)
	}
}

// ---------------------------------------------------------------------------------------------
// iaf_psc_alpha

func TestIafPscAlphaDefaults(t *testing.T) {
	m := NewIafPscAlpha()
	want := status.Dict{"E_L": -70.0, "C_m": 250.0, "tau_m": 10.0, "t_ref": 2.0, "V_th": -55.0, "V_reset": -70.0,
		"tau_syn_ex": 2.0, "tau_syn_in": 2.0, "I_e": 0.0, "V_min": math.Inf(-1), "V_m": -70.0}
	if d := m.Defaults(); !reflect.DeepEqual(d, want) {
		t.Errorf("Defaults() = %v, want %v", d, want)
	}
	if r := m.Recordables(); !reflect.DeepEqual(r, []string{"I_syn_ex", "I_syn_in", "V_m"}) {
		t.Errorf("Recordables() = %v", r)
	}
}

// TestIafPscAlphaReferenceTraces compares V_m with NEST's test-suite values at every recorded time,
// and the spike times.
func TestIafPscAlphaReferenceTraces(t *testing.T) {
	for _, tc := range []struct {
		file   string
		ie, h  float64
		spikes []float64
	}{
		{"iaf_psc_alpha_I_e_1000pA.csv", 1000, 0.1, []float64{4.8}},
		{"iaf_psc_alpha_I_e_1450pA_multires.csv", 1450, 0.1, []float64{3.0, 8.0}},
		{"iaf_psc_alpha_I_e_1450pA_multires.csv", 1450, 0.2, []float64{3.0, 8.0}},
		{"iaf_psc_alpha_I_e_1450pA_multires.csv", 1450, 0.5, []float64{3.0, 8.0}},
		{"iaf_psc_alpha_I_e_1450pA_multires.csv", 1450, 1.0, []float64{3.0, 8.0}},
	} {
		t.Run(tc.file+"/h="+strconv.FormatFloat(tc.h, 'g', -1, 64), func(t *testing.T) {
			rows := readRefTrace(t, tc.file)
			rg := newBlockRig(t, NewIafPscAlpha(), 1, tc.h, status.Dict{"I_e": tc.ie})
			want := map[int64]refRow{} // step after which the row is recorded
			for _, row := range rows {
				if rg.g.OnGrid(row.t) {
					want[rg.stepOf(row.t)] = row
				}
			}
			var spikes []float64
			checked := 0
			for rg.k < rg.g.Tics(8.0)/rg.g.TicsPerStep {
				k := rg.k
				spikeTimes(rg, rg.update(), &spikes)
				if row, ok := want[k]; ok {
					checked++
					if v := rg.sample("V_m", 0); math.Abs(v-row.v) > row.tol {
						t.Errorf("V_m(%g) = %.8g, want %g (tolerance %g)", row.t, v, row.v, row.tol)
					}
				}
			}
			if checked != len(want) || checked == 0 {
				t.Errorf("checked %d of %d rows", checked, len(want))
			}
			if !sameTimes(spikes, tc.spikes) {
				t.Errorf("spikes at %v, want %v", spikes, tc.spikes)
			}
		})
	}
}

// TestIafPscAlphaPSP: one spike of ±100 pA arriving at 3.0 ms. V(3.0) is still E_L exactly; from
// then on V follows the closed-form alpha PSP (to relative 1e-12) and NEST's printed values.
func TestIafPscAlphaPSP(t *testing.T) {
	rows := readRefTrace(t, "iaf_psc_alpha_psp_w100.csv")
	const (
		el, c, tauM, tauS = -70.0, 250.0, 10.0, 2.0
		arrival           = 3.0
	)
	psp := func(w, s float64) float64 {
		if s <= 0 {
			return 0
		}
		a := 1/tauS - 1/tauM
		return w * math.E / (tauS * c) * ((math.Exp(-s/tauM)-math.Exp(-s/tauS))/(a*a) - s*math.Exp(-s/tauS)/a)
	}
	for _, w := range []float64{100, -100} {
		rg := newBlockRig(t, NewIafPscAlpha(), 1, 0.1, nil)
		byStep := map[int64]refRow{}
		for _, row := range rows {
			byStep[rg.stepOf(row.t)] = row
		}
		in := rg.stepOf(arrival)
		if in != 29 {
			t.Fatalf("a spike arriving at 3.0 ms is read in step %d, want 29 (2.9 -> 3.0)", in)
		}
		for rg.k < 70 {
			k := rg.k
			if k == in {
				if w > 0 {
					rg.s.Ex[0] = w
				} else {
					rg.s.In[0] = w
				}
			}
			if sp := rg.update(); len(sp) > 0 {
				t.Fatalf("w=%g: unexpected spike at %g", w, rg.now())
			}
			tm := rg.now()
			v := rg.sample("V_m", 0)
			if want := el + psp(w, tm-arrival); math.Abs(v-want) > 1e-12*math.Abs(want) {
				t.Errorf("w=%g: V(%g) = %.15g, closed form %.15g", w, tm, v, want)
			}
			if tm <= arrival+1e-9 && v != el {
				t.Errorf("w=%g: V(%g) = %.17g, want E_L exactly", w, tm, v)
			}
			if row, ok := byStep[k]; ok && w > 0 && math.Abs(v-row.v) > row.tol {
				t.Errorf("V(%g) = %.8g, NEST %g", tm, v, row.v)
			}
		}
	}
	// The synaptic current peaks at w pA at t = arrival + tau_s.
	rg := newBlockRig(t, NewIafPscAlpha(), 1, 0.1, nil)
	rg.s.Ex[0] = 100
	rg.s.In[0] = -50
	rg.update() // arrival at 0.1
	for rg.k < 21 {
		rg.update()
	}
	if i := rg.sample("I_syn_ex", 0); math.Abs(i-100) > 1e-12 {
		t.Errorf("I_syn_ex at tau_s after arrival = %.15g, want 100", i)
	}
	if i := rg.sample("I_syn_in", 0); math.Abs(i+50) > 1e-12 {
		t.Errorf("I_syn_in at tau_s after arrival = %.15g, want -50", i)
	}
}

// TestIafPscAlphaCurrentInput: a current read in step k acts on V from step k+1, and V stays at
// V_reset from the spike through t_ref.
func TestIafPscAlphaCurrentInput(t *testing.T) {
	// Reference: the same current as I_e, acting from the first step.
	ref := newBlockRig(t, NewIafPscAlpha(), 1, 0.1, status.Dict{"I_e": 1000.0})
	var refV, refSpikes []float64
	for ref.k < 100 {
		spikeTimes(ref, ref.update(), &refSpikes)
		refV = append(refV, ref.sample("V_m", 0))
	}
	// Neuron 0 reads 1000 pA in I0 in every step, neuron 1 nothing: neuron 0 lags by one step.
	rg := newBlockRig(t, NewIafPscAlpha(), 2, 0.1, nil)
	var spikes []float64
	for rg.k < 100 {
		k := rg.k
		rg.s.I0[0] = 1000
		for _, sp := range rg.update() {
			if sp.Index != 0 || sp.Mult != 1 {
				t.Fatalf("spike %+v", sp)
			}
			spikes = append(spikes, rg.now())
		}
		want := -70.0
		if k > 0 {
			want = refV[k-1]
		}
		if v := rg.sample("V_m", 0); v != want {
			t.Fatalf("V(%g) = %.15g, want %.15g", rg.now(), v, want)
		}
		if v := rg.sample("V_m", 1); v != -70 {
			t.Fatalf("neuron 1 received no input but V = %g", v)
		}
	}
	if !sameTimes(refSpikes, []float64{4.8}) || !sameTimes(spikes, []float64{4.9}) {
		t.Errorf("spikes %v (I_e) and %v (I0), want [4.8] and [4.9]", refSpikes, spikes)
	}
}

func TestIafPscAlphaStatus(t *testing.T) {
	m := NewIafPscAlpha()
	checkRoundTrip(t, m, status.Dict{"E_L": -65.0, "C_m": 200.0, "tau_m": 15.0, "t_ref": 3.0, "V_th": -50.0,
		"V_reset": -68.0, "tau_syn_ex": 0.5, "tau_syn_in": 5.0, "I_e": 10.0, "V_min": -90.0, "V_m": -67.0})
	checkELShift(t, m, 10)
	checkCopyIndependence(t, NewIafPscAlpha)
	checkValidation(t, m, []validationCase{
		{"V_reset>=V_th", status.Dict{"V_reset": -55.0}, "Reset potential must be smaller than threshold"},
		{"V_th below V_reset", status.Dict{"V_th": -75.0}, "Reset potential must be smaller than threshold"},
		{"C_m=0", status.Dict{"C_m": 0.0}, "Capacitance must be > 0"},
		{"C_m<0", status.Dict{"C_m": -1.0}, "Capacitance must be > 0"},
		{"tau_m=0", status.Dict{"tau_m": 0.0}, "time constants must be strictly positive"},
		{"tau_syn_ex<0", status.Dict{"tau_syn_ex": -2.0}, "time constants must be strictly positive"},
		{"tau_syn_in=0", status.Dict{"tau_syn_in": 0.0}, "time constants must be strictly positive"},
		{"t_ref<0", status.Dict{"t_ref": -0.1}, "Refractory time must not be negative"},
		{"valid and invalid", status.Dict{"I_e": 5.0, "t_ref": -1.0}, "Refractory time must not be negative"},
	})
}

func TestIafPscAlphaChannels(t *testing.T) {
	m := NewIafPscAlpha()
	if ch, err := m.Channel(SpikeEvent, 0); err != nil || ch != ChanSpike {
		t.Errorf("spike 0: %v %v", ch, err)
	}
	if ch, err := m.Channel(CurrentEvent, 0); err != nil || ch != ChanI0 {
		t.Errorf("current 0: %v %v", ch, err)
	}
	for _, k := range []EventKind{SpikeEvent, CurrentEvent} {
		if _, err := m.Channel(k, 1); status.KindOf(err) != status.UnknownReceptorType {
			t.Errorf("kind %d port 1: %v, want UnknownReceptorType", k, err)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Benchmarks shared by the neuron models.

// benchUpdate measures Update on a block of 10,000 neurons driven by random input: 10% of the
// neurons receive a random spike weight each step (plus a current for models with current
// channels), and I_e is drawn per neuron so that a fraction of them fire. The cost of writing
// the sparse input is included.
func benchUpdate(b *testing.B, m NeuronModel, set func(i int, rnd *rand.Rand) status.Dict) {
	benchUpdateN(b, m, 10000, set)
}

// benchUpdateN is benchUpdate for n neurons.
func benchUpdateN(b *testing.B, m NeuronModel, n int, set func(i int, rnd *rand.Rand) status.Dict) {
	const frames = 64
	rnd := rand.New(rand.NewPCG(1, 2))
	blk := m.NewBlock()
	blk.Append(m, n)
	for i := range n {
		if d := set(i, rnd); d != nil {
			if err := blk.Set(i, status.NewReader(d, m.Name())); err != nil {
				b.Fatal(err)
			}
		}
	}
	blk.Prepare(clock.NewGrid(0.1, 1000))
	st := Step{H: 0.1, Spikes: make([]Spike, 0, n)}
	stream := vp.NewStream(1, vp.KindVP, 0)
	st.RNG = &stream
	var chans []*[]float64
	for _, ch := range m.Channels() {
		switch ch {
		case ChanSpike:
			st.Ex, st.In = make([]float64, n), make([]float64, n)
			chans = append(chans, &st.Ex, &st.In)
		case ChanCount:
			st.Count = make([]float64, n)
			chans = append(chans, &st.Count)
		case ChanI0:
			st.I0 = make([]float64, n)
			chans = append(chans, &st.I0)
		case ChanI1:
			st.I1 = make([]float64, n)
			chans = append(chans, &st.I1)
		}
	}
	type entry struct {
		slot *[]float64
		i    int32
		v    float64
	}
	input := make([][]entry, frames)
	for f := range input {
		for range n / 10 {
			slot := chans[rnd.IntN(len(chans))]
			v := rnd.Float64() * 100
			switch {
			case slot == &st.In:
				v = -v
			case slot == &st.Count:
				v = float64(1 + rnd.IntN(3))
			}
			input[f] = append(input[f], entry{slot, int32(rnd.IntN(n)), v})
		}
	}
	spikes := 0
	b.ReportAllocs()
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		for _, e := range input[k%frames] {
			(*e.slot)[e.i] += e.v
		}
		st.Spikes = st.Spikes[:0]
		blk.Update(&st)
		spikes += len(st.Spikes)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/neuron")
	b.ReportMetric(float64(spikes)/float64(b.N)/float64(n), "spikes/neuron")
}

func BenchmarkUpdateIafPscAlpha(b *testing.B) {
	benchUpdate(b, NewIafPscAlpha(), func(i int, rnd *rand.Rand) status.Dict {
		return status.Dict{"I_e": 300 + 200*rnd.Float64()}
	})
}
