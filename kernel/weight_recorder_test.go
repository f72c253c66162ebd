package kernel

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// The weight_recorder tests (nest-spec 2.7, 2.8 and the weight_recorder documentation page) use
// two presynaptic parrots A, B and two postsynaptic parrots C, D, each driven by its own
// spike_generator, connected all_to_all A,B -> C,D on receptor 1 (not repeated) with delay 1 ms.

// syWR holds the network of a weight_recorder test.
type syWR struct {
	k          *Kernel
	wr         NodeCollection
	pre, post  NodeCollection
	trains     map[uint64][]int64 // parrot id -> spike steps (h = 0.1 ms)
	w0         float64
	model      string
	static     bool
	h          float64
	delaySteps int64
}

var (
	syPreTrains  = [][]int64{{100, 200, 300, 400}, {150, 250, 351}} // A, B: 10, 20, 30, 40 ms; 15, 25, 35.1 ms
	syPostTrains = [][]int64{{120, 290, 305}, {180, 260, 390}}      // C, D
)

// syWRNet creates the weight_recorder (first, with wrParams), then the network; setup attaches
// the recorder to a synapse model and returns that model's name. extra nodes are created at the
// end (to change the width of the node ids in ascii file names).
func syWRNet(t *testing.T, threads int, wrParams Params, setup func(k *Kernel, wr NodeCollection) (model string, static bool), extra int) *syWR {
	t.Helper()
	n := &syWR{w0: 10, h: 0.1, delaySteps: 10, trains: map[uint64][]int64{}}
	n.k = quietKernel(t, Params{"local_num_threads": threads})
	k := n.k
	n.wr = syCreate(t, k, "weight_recorder", 1, wrParams)
	n.model, n.static = setup(k, n.wr)
	trains := append(slices.Clone(syPreTrains), syPostTrains...)
	gens := make([]Params, 4)
	for i, tr := range trains {
		times := make([]float64, len(tr))
		for j, s := range tr {
			times[j] = float64(s-10) * n.h // 1 ms ahead of the parrot
		}
		gens[i] = Params{"spike_times": times}
	}
	sg, err := k.CreateEach("spike_generator", gens)
	syMust(t, err)
	parrots := syCreate(t, k, "parrot_neuron", 4, nil)
	for i, id := range parrots.ids {
		n.trains[id] = trains[i]
	}
	n.pre, _ = parrots.Slice(0, 2, 1)
	n.post, _ = parrots.Slice(2, 4, 1)
	syMust(t, k.Connect(sg, parrots, "one_to_one", Params{"delay": 1.0}))
	syMust(t, k.Connect(n.pre, n.post, "all_to_all", Params{"synapse_model": n.model, "weight": n.w0, "delay": float64(n.delaySteps) * n.h, "receptor_type": 1}))
	if extra > 0 {
		syCreate(t, k, "parrot_neuron", extra, nil)
	}
	return n
}

// syWREvent is one weight_recorder event.
type syWREvent struct {
	s, tg       int64
	t, w        float64
	rport, port int64
}

func syWRSort(evs []syWREvent) {
	sort.Slice(evs, func(a, b int) bool {
		x, y := evs[a], evs[b]
		if x.t != y.t {
			return x.t < y.t
		}
		if x.s != y.s {
			return x.s < y.s
		}
		return x.tg < y.tg
	})
}

// ports returns the port (lcid) of every connection pre -> post as GetConnections reports it.
func (n *syWR) ports(t *testing.T) map[[2]int64]int64 {
	t.Helper()
	sc, err := n.k.GetConnections(ConnFilter{SynapseModel: n.model})
	syMust(t, err)
	cols, err := sc.Get("source", "target", "port")
	syMust(t, err)
	out := map[[2]int64]int64{}
	for i := range ints(cols["source"]) {
		out[[2]int64{ints(cols["source"])[i], ints(cols["target"])[i]}] = ints(cols["port"])[i]
	}
	return out
}

// expected returns the events the recorder should hold: one per presynaptic spike and
// connection, with the weight after the update (the replay of stdp_test.go, or w0 for a static
// synapse), if keep accepts them.
func (n *syWR) expected(t *testing.T, keep func(e syWREvent) bool) []syWREvent {
	ports := n.ports(t)
	var out []syWREvent
	for _, s := range n.pre.ids {
		for _, tg := range n.post.ids {
			weights := make([]float64, len(n.trains[s]))
			if n.static {
				for i := range weights {
					weights[i] = n.w0
				}
			} else {
				weights = syReplay(syStdpDefaults, n.h, n.delaySteps, n.w0, 0, n.trains[s], n.trains[tg], false).weights
			}
			for i, step := range n.trains[s] {
				e := syWREvent{int64(s), int64(tg), float64(step) * n.h, weights[i], 1, ports[[2]int64{int64(s), int64(tg)}]}
				if keep == nil || keep(e) {
					out = append(out, e)
				}
			}
		}
	}
	syWRSort(out)
	return out
}

// events reads the recorder's memory events.
func (n *syWR) events(t *testing.T) []syWREvent {
	t.Helper()
	ev := syEvents(t, n.k, n.wr)
	for _, key := range []string{"senders", "targets", "times", "weights", "receptors", "ports"} {
		if _, ok := ev[key]; !ok {
			t.Fatalf("weight_recorder events lack %q: %v", key, ev)
		}
	}
	var out []syWREvent
	for i := range ints(ev["senders"]) {
		out = append(out, syWREvent{ints(ev["senders"])[i], ints(ev["targets"])[i], floats(ev["times"])[i],
			floats(ev["weights"])[i], ints(ev["receptors"])[i], ints(ev["ports"])[i]})
	}
	syWRSort(out)
	return out
}

func syWRCompare(t *testing.T, what string, got, want []syWREvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d:\n got %v\nwant %v", what, len(got), len(want), got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.s != w.s || g.tg != w.tg || math.Abs(g.t-w.t) > 1e-9 || math.Abs(g.w-w.w) > 1e-12 || g.rport != w.rport || g.port != w.port {
			t.Fatalf("%s: event %d = %+v, want %+v", what, i, g, w)
		}
	}
}

func syCopyRec(base string) func(k *Kernel, wr NodeCollection) (string, bool) {
	return func(k *Kernel, wr NodeCollection) (string, bool) {
		if err := k.CopyModel(base, base+"_rec", Params{"weight_recorder": wr}); err != nil {
			panic(err)
		}
		return base + "_rec", base == "static_synapse"
	}
}

const sySimTime = 50.0

// TestWeightRecorderEvents attaches the recorder through CopyModel (the documentation's example)
// and through SetDefaults, to stdp_synapse and to a static_synapse copy (whose weights stay
// constant), and checks every event field: sender, target, time (the presynaptic spike), weight
// after the update, receptor and port. With one thread the ports are NEST's lcids: the position
// of the connection among those of its model on the thread, sorted by source.
func TestWeightRecorderEvents(t *testing.T) {
	setups := []struct {
		name  string
		setup func(k *Kernel, wr NodeCollection) (string, bool)
	}{
		{"CopyModel stdp_synapse", syCopyRec("stdp_synapse")},
		{"CopyModel static_synapse", syCopyRec("static_synapse")},
		{"SetDefaults stdp_synapse", func(k *Kernel, wr NodeCollection) (string, bool) {
			if err := k.SetDefaults("stdp_synapse", Params{"weight_recorder": wr}); err != nil {
				panic(err)
			}
			return "stdp_synapse", false
		}},
		{"copy of a model with a recorder", func(k *Kernel, wr NodeCollection) (string, bool) {
			if err := k.SetDefaults("stdp_synapse", Params{"weight_recorder": wr}); err != nil {
				panic(err)
			}
			if err := k.CopyModel("stdp_synapse", "inherits", nil); err != nil {
				panic(err)
			}
			return "inherits", false
		}},
	}
	for _, s := range setups {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", s.name, threads), func(t *testing.T) {
				n := syWRNet(t, threads, nil, s.setup, 0)
				d, err := n.k.GetDefaults(n.model, "weight_recorder")
				syMust(t, err)
				if d["weight_recorder"] != int64(n.wr.ids[0]) {
					t.Errorf("GetDefaults(%s) weight_recorder = %v, want %d", n.model, d["weight_recorder"], n.wr.ids[0])
				}
				syMust(t, n.k.Simulate(sySimTime))
				want := n.expected(t, nil)
				if threads == 1 {
					a, b := int64(n.pre.ids[0]), int64(n.pre.ids[1])
					c, dd := int64(n.post.ids[0]), int64(n.post.ids[1])
					wantPorts := map[[2]int64]int64{{a, c}: 0, {a, dd}: 1, {b, c}: 2, {b, dd}: 3}
					for i, e := range want {
						if p := wantPorts[[2]int64{e.s, e.tg}]; p != e.port {
							t.Fatalf("GetConnections port of %d -> %d is %d, want %d", e.s, e.tg, e.port, p)
						}
						want[i].port = wantPorts[[2]int64{e.s, e.tg}]
					}
				}
				syWRCompare(t, "events", n.events(t), want)
				st, err := n.k.GetStatus(n.wr, "n_events")
				syMust(t, err)
				if st[0]["n_events"] != int64(len(want)) {
					t.Errorf("n_events = %v, want %d", st[0]["n_events"], len(want))
				}
				if n.static {
					for _, e := range want {
						if e.w != n.w0 {
							t.Fatalf("static copy recorded weight %g, want %g", e.w, n.w0)
						}
					}
				}
			})
		}
	}
}

// TestWeightRecorderFilters restricts recording with senders and targets, given as node
// collections or id lists, at Create and with SetStatus; empty lists record everything.
func TestWeightRecorderFilters(t *testing.T) {
	// the node ids are fixed by the creation order of syWRNet: wr 1, generators 2-5, A 6, B 7, C 8, D 9
	const A, B, C, D = 6, 7, 8, 9
	for _, c := range []struct {
		name      string
		params    func(n *syWR) Params // nil n: give ids
		senders   []int64
		targets   []int64
		atCreate  bool
		unchanged bool
	}{
		{name: "senders NodeCollection", params: func(n *syWR) Params { a, _ := n.pre.Slice(0, 1, 1); return Params{"senders": a} }, senders: []int64{A}},
		{name: "targets id list", params: func(*syWR) Params { return Params{"targets": []int64{D}} }, targets: []int64{D}},
		{name: "senders ids, targets NodeCollection", params: func(n *syWR) Params {
			c, _ := n.post.Slice(0, 1, 1)
			return Params{"senders": []uint64{B}, "targets": c}
		}, senders: []int64{B}, targets: []int64{C}},
		{name: "both senders, at Create", params: func(*syWR) Params { return Params{"senders": []int64{A, B}} }, senders: []int64{A, B}, atCreate: true},
		{name: "targets at Create", params: func(*syWR) Params { return Params{"targets": []int64{C}} }, targets: []int64{C}, atCreate: true},
		{name: "empty lists", params: func(*syWR) Params { return Params{"senders": []int64{}, "targets": []int64{}} }},
	} {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", c.name, threads), func(t *testing.T) {
				var wrParams Params
				if c.atCreate {
					wrParams = c.params(nil)
				}
				n := syWRNet(t, threads, wrParams, syCopyRec("stdp_synapse"), 0)
				if got := syIDs(n.pre); !slices.Equal(got, []int64{A, B}) {
					t.Fatalf("pre ids %v, want [%d %d]", got, A, B)
				}
				if !c.atCreate {
					syMust(t, n.k.SetStatus(n.wr, c.params(n)))
				}
				st, err := n.k.GetStatus(n.wr, "senders", "targets")
				syMust(t, err)
				for key, want := range map[string][]int64{"senders": c.senders, "targets": c.targets} {
					got := fmt.Sprint(st[0][key])
					if want == nil {
						want = []int64{}
					}
					if got != fmt.Sprint(want) {
						t.Errorf("GetStatus %s = %s, want %v", key, got, want)
					}
				}
				syMust(t, n.k.Simulate(sySimTime))
				want := n.expected(t, func(e syWREvent) bool {
					return (len(c.senders) == 0 || slices.Contains(c.senders, e.s)) && (len(c.targets) == 0 || slices.Contains(c.targets, e.tg))
				})
				syWRCompare(t, "filtered events", n.events(t), want)
			})
		}
	}
}

// TestWeightRecorderWindow: origin 5, start 15, stop 25 record the presynaptic spikes with times in
// (20, 30] ms. A's spikes at 20 (= start, not recorded) and 30 (= stop, recorded) are the edges;
// weights evolve regardless of the window.
func TestWeightRecorderWindow(t *testing.T) {
	for _, threads := range []int{1, 2} {
		n := syWRNet(t, threads, Params{"origin": 5.0, "start": 15.0, "stop": 25.0}, syCopyRec("stdp_synapse"), 0)
		syMust(t, n.k.Simulate(sySimTime))
		want := n.expected(t, func(e syWREvent) bool { return e.t > 20+1e-9 && e.t <= 30+1e-9 })
		var times []float64
		for _, e := range want {
			times = append(times, e.t)
		}
		if !slices.Equal(times, []float64{25, 25, 30, 30}) {
			t.Fatalf("expected times %v: the trains do not probe the window edges", times)
		}
		syWRCompare(t, fmt.Sprintf("threads %d, window events", threads), n.events(t), want)
	}
	// the window must be on the grid, and stop >= start
	k := quietKernel(t, nil)
	for _, p := range []Params{{"start": 0.05}, {"stop": 2.0, "start": 3.0}, {"origin": 0.12}} {
		_, err := k.Create("weight_recorder", 1, p)
		syWantKind(t, fmt.Sprintf("weight_recorder %v", p), err, status.BadProperty)
	}
}

// TestWeightRecorderNEvents: n_events counts the events; setting it to 0 clears them, other
// values are a BadProperty; recording continues after the reset.
func TestWeightRecorderNEvents(t *testing.T) {
	n := syWRNet(t, 2, nil, syCopyRec("stdp_synapse"), 0)
	syMust(t, n.k.Simulate(27)) // spikes up to 26 ms have been delivered: A 10, 20; B 15, 25
	nEvents := func() int64 {
		st, err := n.k.GetStatus(n.wr, "n_events")
		syMust(t, err)
		return st[0]["n_events"].(int64)
	}
	if got := nEvents(); got != 8 {
		t.Fatalf("n_events after 27 ms = %d, want 8 (4 presynaptic spikes x 2 targets)", got)
	}
	syWantKind(t, "n_events = 3", n.k.SetStatus(n.wr, Params{"n_events": 3}), status.BadProperty)
	if got := nEvents(); got != 8 {
		t.Fatalf("n_events after the refused set = %d, want 8", got)
	}
	syMust(t, n.k.SetStatus(n.wr, Params{"n_events": 0}))
	if got := nEvents(); got != 0 || len(n.events(t)) != 0 {
		t.Fatalf("after n_events = 0: n_events %d, %d events; want 0, 0", got, len(n.events(t)))
	}
	syMust(t, n.k.Simulate(sySimTime-27))
	want := n.expected(t, func(e syWREvent) bool { return e.t > 27 })
	syWRCompare(t, "events after the reset", n.events(t), want)
	if got := nEvents(); got != int64(len(want)) {
		t.Errorf("n_events = %d, want %d", got, len(want))
	}
}

// TestWeightRecorderASCII records to ascii files: one per VP, named
// label-<node id padded to the digits of network_size>-<vp padded to the digits of the VP count>.dat,
// with NEST's header and tab-separated rows sender, time_ms, weights, targets, receptors, ports in
// fixed notation with precision 3. n_events counts the rows; the memory events stay empty.
func TestWeightRecorderASCII(t *testing.T) {
	for _, threads := range []int{1, 2} {
		dir := t.TempDir()
		// 9 nodes + 2 extra: node ids get two digits, so the recorder (node 1) is "01"
		n := syWRNet(t, threads, Params{"record_to": "ascii", "label": "wlabel"}, syCopyRec("stdp_synapse"), 2)
		syMust(t, n.k.SetKernelStatus(Params{"data_path": dir}))
		syMust(t, n.k.Simulate(sySimTime))
		var rows []string
		for vp := 0; vp < threads; vp++ {
			name := filepath.Join(dir, fmt.Sprintf("wlabel-01-%d.dat", vp))
			data, err := os.ReadFile(name)
			if err != nil {
				entries, _ := os.ReadDir(dir)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("threads %d: %v (files: %v)", threads, err, names)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if len(lines) < 3 || !strings.HasPrefix(lines[0], "# NEST version") || !strings.HasPrefix(lines[1], "# RecordingBackendASCII version") {
				t.Fatalf("%s: header %q", name, lines)
			}
			if lines[2] != "sender\ttime_ms\tweights\ttargets\treceptors\tports" {
				t.Errorf("%s: column header %q", name, lines[2])
			}
			rows = append(rows, lines[3:]...)
		}
		var want []string
		for _, e := range n.expected(t, nil) {
			want = append(want, fmt.Sprintf("%d\t%.3f\t%.3f\t%d\t%d\t%d", e.s, e.t, e.w, e.tg, e.rport, e.port))
		}
		slices.Sort(rows)
		slices.Sort(want)
		if !slices.Equal(rows, want) {
			t.Errorf("threads %d: rows\n%s\nwant\n%s", threads, strings.Join(rows, "\n"), strings.Join(want, "\n"))
		}
		st, err := n.k.GetStatus(n.wr, "n_events", "events")
		syMust(t, err)
		if st[0]["n_events"] != int64(len(want)) {
			t.Errorf("threads %d: n_events %v, want %d", threads, st[0]["n_events"], len(want))
		}
		if got := ints(st[0]["events"].(Params)["senders"]); len(got) != 0 {
			t.Errorf("threads %d: ascii recorder has %d memory events", threads, len(got))
		}
	}
}

// TestWeightRecorderAttachErrors: weight_recorder must be one weight_recorder node, and cannot be
// given in a Connect syn_spec or as a Connect target.
func TestWeightRecorderAttachErrors(t *testing.T) {
	k := quietKernel(t, nil)
	wr := syCreate(t, k, "weight_recorder", 2, nil)
	sr := syCreate(t, k, "spike_recorder", 1, nil)
	n := syCreate(t, k, "iaf_psc_alpha", 2, nil)
	if err := k.SetDefaults("stdp_synapse", Params{"weight_recorder": wr}); err == nil {
		t.Errorf("SetDefaults with two weight_recorders succeeded")
	}
	syWantKind(t, "weight_recorder = spike_recorder", k.SetDefaults("stdp_synapse", Params{"weight_recorder": sr}), status.BadProperty)
	syWantKind(t, "weight_recorder = neuron", k.CopyModel("static_synapse", "x", Params{"weight_recorder": n.ids[0]}), status.BadProperty)
	one, _ := wr.Slice(0, 1, 1)
	syWantKind(t, "weight_recorder in syn_spec", k.Connect(n, n, nil, Params{"synapse_model": "stdp_synapse", "weight_recorder": one}), status.NotImplemented)
	syWantKind(t, "Connect to a weight_recorder", k.Connect(n, one, nil, nil), status.IllegalConnection)
	d, _ := k.GetDefaults("stdp_synapse", "weight_recorder")
	if d["weight_recorder"] != int64(0) {
		t.Errorf("failed calls set weight_recorder to %v", d["weight_recorder"])
	}
}
