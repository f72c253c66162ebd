package kernel

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// readCSV reads a reference table: header row, then numeric rows.
func readCSV(t *testing.T, name string) [][]float64 {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, r := range rows[1:] {
		var row []float64
		for _, c := range r {
			x, err := strconv.ParseFloat(c, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			row = append(row, x)
		}
		out = append(out, row)
	}
	return out
}

func newTestKernel(t *testing.T, kernelStatus Params) *Kernel {
	t.Helper()
	k, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	if kernelStatus != nil {
		must(t, k.SetKernelStatus(kernelStatus))
	}
	return k
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustCreate(t *testing.T, k *Kernel, model string, n int, p Params) NodeCollection {
	t.Helper()
	nc, err := k.Create(model, n, p)
	if err != nil {
		t.Fatal(err)
	}
	return nc
}

func eventsOf(t *testing.T, k *Kernel, nc NodeCollection) Params {
	t.Helper()
	st, err := k.GetStatus(nc, "events")
	if err != nil {
		t.Fatal(err)
	}
	return st[0]["events"].(Params)
}

func floats(v any) []float64 { return v.([]float64) }

func ints(v any) []int64 { return v.([]int64) }

func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s[%d]: got %.17g, want %.17g (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}

func column(rows [][]float64, c int) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = r[c]
	}
	return out
}

func TestTutorialOneNeuron(t *testing.T) {
	for _, threads := range []int{1, 3} {
		k := newTestKernel(t, Params{"local_num_threads": threads})
		n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 376.0})
		mm1 := mustCreate(t, k, "multimeter", 1, Params{"record_from": []string{"V_m"}, "interval": 0.1})
		mm2 := mustCreate(t, k, "multimeter", 1, Params{"record_from": []string{"V_m"}, "withtime": true})
		sr := mustCreate(t, k, "spike_detector", 1, Params{"withgid": true, "withtime": true})
		must(t, k.Connect(mm1, n, nil, nil))
		must(t, k.Connect(mm2, n, nil, nil))
		must(t, k.Connect(n, sr, nil, nil))
		must(t, k.Simulate(1000.0))

		spikes := readCSV(t, "tutorial_one_neuron_spikes.csv")
		assertClose(t, "spike times", floats(eventsOf(t, k, sr)["times"]), column(spikes, 0), 1e-9)
		for _, c := range []struct {
			mm   NodeCollection
			file string
		}{{mm1, "tutorial_one_neuron_vm_interval0.1.csv"}, {mm2, "tutorial_one_neuron_vm_interval1.0.csv"}} {
			ref := readCSV(t, c.file)
			ev := eventsOf(t, k, c.mm)
			assertClose(t, c.file+" times", floats(ev["times"]), column(ref, 0), 1e-9)
			assertClose(t, c.file+" V_m", floats(ev["V_m"]), column(ref, 1), 1e-9)
		}
	}
}
