package kernel

import (
	"encoding/json"
	"math"
	"os"
	"sort"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// NEST 3.9 references of tsodyks_synapse, tsodyks2_synapse and stdp_pl_synapse_hom
// (testdata/<case>.json with NEST's CSV output): each network is rebuilt with the kernel API, with
// the spike times and parameters read from the network file, and every recorded value is
// compared within 1e-9, on one and two threads.

// refScript is the script of a reference network file: one call per entry, {"Create": {...}}.
type refScript []map[string]any

// calls returns the arguments of every call of the given kind.
func (s refScript) calls(kind string) []map[string]any {
	var out []map[string]any
	for _, e := range s {
		if c, ok := e[kind].(map[string]any); ok {
			out = append(out, c)
		}
	}
	return out
}

func readRefScript(t *testing.T, file string) refScript {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	must(t, err)
	var net struct {
		Script refScript `json:"script"`
	}
	must(t, json.Unmarshal(b, &net))
	return net.Script
}

// create returns the params of the Create call named as (nil if it has none).
func (s refScript) create(t *testing.T, as string) Params {
	t.Helper()
	for _, c := range s.calls("Create") {
		if c["as"] == as {
			p, _ := c["params"].(map[string]any)
			return refParams(t, p)
		}
	}
	t.Fatalf("reference network has no node %q", as)
	return nil
}

// synSpec returns the syn_spec of the Connect call from pre to post.
func (s refScript) synSpec(t *testing.T, pre, post string) Params {
	t.Helper()
	for _, c := range s.calls("Connect") {
		if c["pre"] == pre && c["post"] == post {
			p, _ := c["syn_spec"].(map[string]any)
			return refParams(t, p)
		}
	}
	t.Fatalf("reference network has no connection %s -> %s", pre, post)
	return nil
}

// copyModel returns the params of the CopyModel call that makes model name.
func (s refScript) copyModel(t *testing.T, name string) (old string, p Params) {
	t.Helper()
	for _, c := range s.calls("CopyModel") {
		if c["new"] == name {
			p, _ := c["params"].(map[string]any)
			return c["old"].(string), refParams(t, p)
		}
	}
	t.Fatalf("reference network has no CopyModel to %q", name)
	return "", nil
}

// refParams converts JSON values into kernel values (lists into []float64 or []string).
func refParams(t *testing.T, p map[string]any) Params {
	t.Helper()
	out := Params{}
	for k, v := range p {
		if l, ok := v.([]any); ok {
			if fs, err := status.ToFloats(l); err == nil {
				v = fs
			} else {
				ss, err := status.ToStrings(l)
				must(t, err)
				v = ss
			}
		}
		out[k] = v
	}
	return out
}

// TestTsodyksReference replays tsodyks_synapse_a and tsodyks2_synapse_a: a parrot relays 11 spikes
// through the short-term plastic synapse into an iaf_psc_exp neuron; its V_m and I_syn_ex, sampled
// every 0.1 ms, must match NEST's.
func TestTsodyksReference(t *testing.T) {
	for _, c := range []string{"tsodyks_synapse_a", "tsodyks2_synapse_a"} {
		script := readRefScript(t, c+".json")
		ref := readCSV(t, c+"_mm.csv")
		for _, threads := range []int{1, 2} {
			k := quietKernel(t, Params{"local_num_threads": threads, "resolution": 0.1})
			sg := mustCreate(t, k, "spike_generator", 1, script.create(t, "sg"))
			p := mustCreate(t, k, "parrot_neuron", 1, nil)
			post := mustCreate(t, k, "iaf_psc_exp", 1, script.create(t, "post"))
			mm := mustCreate(t, k, "multimeter", 1, script.create(t, "mm"))
			must(t, k.Connect(sg, p, nil, script.synSpec(t, "sg", "p")))
			must(t, k.Connect(p, post, nil, script.synSpec(t, "p", "post")))
			must(t, k.Connect(mm, post, nil, nil))
			must(t, k.Simulate(1200))
			ev := eventsOf(t, k, mm)
			times, vm, isyn := floats(ev["times"]), floats(ev["V_m"]), floats(ev["I_syn_ex"])
			if len(times) != len(ref) {
				t.Fatalf("%s, %d threads: %d samples, want %d", c, threads, len(times), len(ref))
			}
			dev := 0.0
			for i, r := range ref {
				if times[i] != r[1] {
					t.Fatalf("%s, %d threads: sample %d at %g, want %g", c, threads, i, times[i], r[1])
				}
				dev = max(dev, math.Abs(vm[i]-r[2]), math.Abs(isyn[i]-r[3]))
			}
			if dev > 1e-9 {
				t.Errorf("%s, %d threads: max deviation %g from NEST", c, threads, dev)
			}
			t.Logf("%s, %d threads: %d samples, max deviation %.3g", c, threads, len(ref), dev)
		}
	}
}

// TestStdpPlReference replays stdp_pl_synapse_hom_a: two spike trains through parrots onto an
// iaf_psc_alpha neuron (I_e 376 pA, tau_minus 30 ms) through a copy of stdp_pl_synapse_hom with a
// weight_recorder; all 72 recorded weights and all spikes must match NEST's.
func TestStdpPlReference(t *testing.T) {
	script := readRefScript(t, "stdp_pl_synapse_hom_a.json")
	refW := readCSV(t, "stdp_pl_synapse_hom_a_wr.csv")
	refS := readCSV(t, "stdp_pl_synapse_hom_a_sr.csv")
	synSortRows(refW, 2, 0) // by time, then sender (NEST lists a slice's events by sender)
	synSortRows(refS, 1, 0)
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads, "resolution": 0.1})
		sg1 := mustCreate(t, k, "spike_generator", 1, script.create(t, "sg1"))
		sg2 := mustCreate(t, k, "spike_generator", 1, script.create(t, "sg2"))
		p := mustCreate(t, k, "parrot_neuron", 2, nil)
		post := mustCreate(t, k, "iaf_psc_alpha", 1, script.create(t, "post"))
		wr := mustCreate(t, k, "weight_recorder", 1, nil)
		old, cp := script.copyModel(t, "pl_rec")
		cp["weight_recorder"] = wr
		must(t, k.CopyModel(old, "pl_rec", cp))
		p0, err := p.Slice(0, 1, 1)
		must(t, err)
		p1, err := p.Slice(1, 2, 1)
		must(t, err)
		must(t, k.Connect(sg1, p0, nil, script.synSpec(t, "sg1", "p[0:1]")))
		must(t, k.Connect(sg2, p1, nil, script.synSpec(t, "sg2", "p[1:2]")))
		must(t, k.Connect(p, post, "all_to_all", script.synSpec(t, "p", "post")))
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		all, err := p.Concat(post)
		must(t, err)
		must(t, k.Connect(all, sr, nil, nil))
		must(t, k.Simulate(1000))

		ev := eventsOf(t, k, wr)
		var got [][]float64
		for i, s := range ints(ev["senders"]) {
			got = append(got, []float64{float64(s), float64(ints(ev["targets"])[i]), floats(ev["times"])[i], floats(ev["weights"])[i]})
		}
		synSortRows(got, 2, 0)
		devW := synCompareRows(t, "weight_recorder", threads, got, refW, 2, 3)
		spk := eventsOf(t, k, sr)
		var gs [][]float64
		for i, s := range ints(spk["senders"]) {
			gs = append(gs, []float64{float64(s), floats(spk["times"])[i]})
		}
		synSortRows(gs, 1, 0)
		devS := synCompareRows(t, "spikes", threads, gs, refS, 1)
		t.Logf("%d threads: %d weights, max deviation %.3g; %d spikes, max deviation %.3g", threads, len(refW), devW, len(refS), devS)
	}
}

// synSortRows sorts rows by column a, then column b.
func synSortRows(rows [][]float64, a, b int) {
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i][a] != rows[j][a] {
			return rows[i][a] < rows[j][a]
		}
		return rows[i][b] < rows[j][b]
	})
}

// synCompareRows compares got with want: the columns in tol within 1e-9, the others exactly. It
// returns the largest deviation.
func synCompareRows(t *testing.T, what string, threads int, got, want [][]float64, tol ...int) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s, %d threads: %d rows, want %d", what, threads, len(got), len(want))
	}
	dev := 0.0
	for i, w := range want {
		for j := range w {
			d := math.Abs(got[i][j] - w[j])
			isTol := false
			for _, c := range tol {
				isTol = isTol || c == j
			}
			if (isTol && d > 1e-9) || (!isTol && d != 0) {
				t.Fatalf("%s, %d threads: row %d = %v, want %v", what, threads, i, got[i], w)
			}
			if isTol {
				dev = max(dev, d)
			}
		}
	}
	return dev
}
