package kernel

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// syConn is one connection as GetConnections reports it.
type syConn struct {
	src, tgt int64
	model    string
	w, d     float64
}

// syConns returns the connections of sc, sorted by (source, target, model, weight, delay).
func syConns(t testing.TB, sc SynapseCollection) []syConn {
	t.Helper()
	cols, err := sc.Get("source", "target", "synapse_model", "weight", "delay")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]syConn, sc.Len())
	for i := range out {
		out[i] = syConn{ints(cols["source"])[i], ints(cols["target"])[i], cols["synapse_model"].([]string)[i],
			floats(cols["weight"])[i], floats(cols["delay"])[i]}
	}
	syConnSort(out)
	return out
}

// syConnsEqual compares two sorted connection lists, delays within 1e-12 (a delay is reported
// as steps·h, which need not be the float the test wrote).
func syConnsEqual(got, want []syConn) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.src != w.src || g.tgt != w.tgt || g.model != w.model || g.w != w.w || math.Abs(g.d-w.d) > 1e-12 {
			return false
		}
	}
	return true
}

func syConnSort(cs []syConn) {
	sort.Slice(cs, func(a, b int) bool {
		x, y := cs[a], cs[b]
		switch {
		case x.src != y.src:
			return x.src < y.src
		case x.tgt != y.tgt:
			return x.tgt < y.tgt
		case x.model != y.model:
			return x.model < y.model
		case x.w != y.w:
			return x.w < y.w
		}
		return x.d < y.d
	})
}

func syIDs(nc NodeCollection) []int64 {
	out := make([]int64, nc.Len())
	for i, id := range nc.ids {
		out[i] = int64(id)
	}
	return out
}

// TestGetConnectionsFilters builds connections of several models (two copies of static_synapse
// among them) and from a device, and checks every combination of the source, target and
// synapse_model filters against the list of connections the test made.
func TestGetConnectionsFilters(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		syMust(t, k.CopyModel("static_synapse", "static_a", nil))
		syMust(t, k.CopyModel("static_synapse", "static_b", Params{"weight": 3.0}))
		syMust(t, k.CopyModel("stdp_synapse", "stdp_a", nil))
		a := syCreate(t, k, "iaf_psc_alpha", 3, nil)
		b := syCreate(t, k, "iaf_psc_delta", 2, nil)
		sg := syCreate(t, k, "spike_generator", 1, nil)
		sr := syCreate(t, k, "spike_recorder", 1, nil)
		var want []syConn
		add := func(pre, post NodeCollection, rule string, model string, w float64) {
			t.Helper()
			syMust(t, k.Connect(pre, post, rule, Params{"synapse_model": model, "weight": w, "delay": 1.5}))
			for i, s := range pre.ids {
				for j, tg := range post.ids {
					if rule == "all_to_all" || i == j {
						want = append(want, syConn{int64(s), int64(tg), model, w, 1.5})
					}
				}
			}
		}
		add(a, b, "all_to_all", "static_synapse", 1)
		a01, _ := a.Slice(0, 2, 1)
		add(a01, b, "one_to_one", "static_a", 2)
		add(b, a, "all_to_all", "static_b", 3)
		add(b, a, "all_to_all", "stdp_a", 4)
		add(b, a01, "one_to_one", "stdp_synapse", 5)
		add(sg, a, "all_to_all", "static_synapse", 6)
		add(a, sr, "all_to_all", "static_synapse", 1) // to a recorder: listed, as NEST does

		all := []*NodeCollection{nil, &a, &b, &sg, &a01}
		models := []string{"", "static_synapse", "static_a", "static_b", "stdp_a", "stdp_synapse"}
		in := func(nc *NodeCollection, id int64) bool { return nc == nil || slices.Contains(syIDs(*nc), id) }
		for _, src := range all {
			for _, tgt := range all {
				for _, m := range models {
					if src == &sg && tgt == &sg {
						continue
					}
					var exp []syConn
					for _, c := range want {
						if in(src, c.src) && in(tgt, c.tgt) && (m == "" || m == c.model) {
							exp = append(exp, c)
						}
					}
					syConnSort(exp)
					sc, err := k.GetConnections(ConnFilter{Source: src, Target: tgt, SynapseModel: m})
					syMust(t, err)
					got := syConns(t, sc)
					if !syConnsEqual(got, exp) {
						t.Fatalf("threads %d, filter source %v target %v model %q:\n got %v\nwant %v", threads, src, tgt, m, got, exp)
					}
				}
			}
		}
		_, err := k.GetConnections(ConnFilter{SynapseModel: "no_such_synapse"})
		syWantKind(t, "unknown synapse_model", err, status.UnknownSynapseType)
	}
}

// TestSynapseCollectionGetKeys reads every connection key of stdp_synapse and static_synapse
// connections (nest-spec 3.1): values the test set, the model's id and name from GetDefaults,
// the target's thread from GetStatus, and receptor/port.
func TestSynapseCollectionGetKeys(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		n := syCreate(t, k, "iaf_psc_alpha", 4, nil)
		pre, _ := n.Slice(0, 2, 1)
		post, _ := n.Slice(2, 4, 1)
		stdp := Params{"synapse_model": "stdp_synapse", "weight": 2.5, "delay": 2.0, "tau_plus": 17.0, "lambda": 0.03,
			"alpha": 0.8, "mu_plus": 0.3, "mu_minus": 0.6, "Wmax": 9.0, "Kplus": 0.125}
		syMust(t, k.Connect(pre, post, "one_to_one", stdp))
		syMust(t, k.Connect(post, pre, "one_to_one", Params{"weight": -1.5, "delay": 0.5}))
		for _, c := range []struct {
			model string
			want  map[string]float64
		}{
			{"stdp_synapse", map[string]float64{"weight": 2.5, "delay": 2, "tau_plus": 17, "lambda": 0.03, "alpha": 0.8,
				"mu_plus": 0.3, "mu_minus": 0.6, "Wmax": 9, "Kplus": 0.125, "receptor": 0}},
			{"static_synapse", map[string]float64{"weight": -1.5, "delay": 0.5, "receptor": 0}},
		} {
			sc, err := k.GetConnections(ConnFilter{SynapseModel: c.model})
			syMust(t, err)
			if sc.Len() != 2 {
				t.Fatalf("%s: %d connections, want 2", c.model, sc.Len())
			}
			all, err := sc.Get() // every key
			syMust(t, err)
			def, _ := k.GetDefaults(c.model)
			for _, key := range []string{"source", "target", "target_thread", "synapse_id", "synapse_model", "port", "receptor", "delay", "weight"} {
				if _, ok := all[key]; !ok {
					t.Errorf("%s: Get() lacks %q", c.model, key)
				}
			}
			for key, v := range c.want {
				col := all[key]
				if key == "receptor" {
					for _, x := range ints(col) {
						if float64(x) != v {
							t.Errorf("%s: %s = %d, want %g", c.model, key, x, v)
						}
					}
					continue
				}
				if col == nil {
					t.Errorf("%s: Get() lacks %q", c.model, key)
					continue
				}
				for _, x := range floats(col) {
					if x != v {
						t.Errorf("%s: %s = %g, want %g", c.model, key, x, v)
					}
				}
			}
			if c.model == "static_synapse" {
				for _, key := range []string{"Kplus", "tau_plus", "Wmax"} {
					if _, err := sc.Get(key); status.KindOf(err) != status.KeyError {
						t.Errorf("static_synapse Get(%q): %v, want KeyError", key, err)
					}
					if _, ok := all[key]; ok {
						t.Errorf("static_synapse Get() has %q", key)
					}
				}
			}
			for i := 0; i < 2; i++ {
				src, tgt := ints(all["source"])[i], ints(all["target"])[i]
				if all["synapse_model"].([]string)[i] != c.model || ints(all["synapse_id"])[i] != def["synapse_modelid"].(int64) {
					t.Errorf("%s: synapse_model %v synapse_id %v, want %s %v", c.model, all["synapse_model"], all["synapse_id"], c.model, def["synapse_modelid"])
				}
				wantTgt := src + 2
				if c.model == "static_synapse" {
					wantTgt = src - 2
				}
				if tgt != wantTgt {
					t.Errorf("%s: connection %d -> %d, want %d -> %d", c.model, src, tgt, src, wantTgt)
				}
				st, err := k.GetStatus(NodeCollection{k: k, gen: k.gen, ids: []uint64{uint64(tgt)}}, "thread")
				syMust(t, err)
				if th := ints(all["target_thread"])[i]; th != st[0]["thread"].(int64) {
					t.Errorf("%s: target_thread %d, target's thread %v", c.model, th, st[0]["thread"])
				}
			}
			// each connection is alone in its store on its thread (targets on distinct threads) or
			// the two share one (1 thread): ports are 0 and, on one thread, 0 and 1
			ports := slices.Clone(ints(all["port"]))
			slices.Sort(ports)
			wantPorts := []int64{0, 1}
			if threads == 2 {
				wantPorts = []int64{0, 0}
			}
			if !slices.Equal(ports, wantPorts) {
				t.Errorf("%s, threads %d: ports %v, want %v", c.model, threads, ports, wantPorts)
			}
		}
		_, err := syAllConns(k).Get("no_such_key")
		syWantKind(t, "Get(no_such_key)", err, status.KeyError)
	}
}

// syAllConns returns every connection of k (an empty collection on error).
func syAllConns(k *Kernel) SynapseCollection {
	sc, _ := k.GetConnections(ConnFilter{})
	return sc
}

// TestSynapseCollectionSet sets weights as a scalar and as a list, and checks that an invalid
// delay (below the resolution, or outside [min_delay, max_delay] after Simulate) is a BadDelay
// that changes nothing, including the weights given in the same call.
func TestSynapseCollectionSet(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		n := syCreate(t, k, "iaf_psc_delta", 3, nil)
		syMust(t, k.Connect(n, n, "all_to_all", Params{"weight": 1.0, "delay": 1.0}))
		sc, err := k.GetConnections(ConnFilter{})
		syMust(t, err)
		if sc.Len() != 9 {
			t.Fatalf("%d connections, want 9", sc.Len())
		}
		weights := func() []float64 {
			cols, err := sc.Get("weight")
			syMust(t, err)
			return floats(cols["weight"])
		}
		delays := func() []float64 {
			cols, err := sc.Get("delay")
			syMust(t, err)
			return floats(cols["delay"])
		}
		syMust(t, sc.Set(Params{"weight": 2.5}))
		for _, w := range weights() {
			if w != 2.5 {
				t.Fatalf("after Set(weight 2.5): weights %v", weights())
			}
		}
		list := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
		syMust(t, sc.Set(Params{"weight": list}))
		if !slices.Equal(weights(), list) {
			t.Fatalf("after Set(weight list): %v, want %v", weights(), list)
		}
		// the list is in collection order: the connection of entry i keeps its weight when read
		// through a filtered collection
		cols, _ := sc.Get("source", "target")
		wOf := map[[2]int64]float64{}
		for i := range list {
			wOf[[2]int64{ints(cols["source"])[i], ints(cols["target"])[i]}] = list[i]
		}
		first, _ := n.Slice(0, 1, 1)
		sub, err := k.GetConnections(ConnFilter{Source: &first})
		syMust(t, err)
		sc2, _ := sub.Get("source", "target", "weight")
		for i := range ints(sc2["source"]) {
			key := [2]int64{ints(sc2["source"])[i], ints(sc2["target"])[i]}
			if floats(sc2["weight"])[i] != wOf[key] {
				t.Errorf("connection %v: weight %g through a filtered collection, %g set", key, floats(sc2["weight"])[i], wOf[key])
			}
		}

		for _, p := range []Params{
			{"weight": 100.0, "delay": 0.01},
			{"weight": list, "delay": 0.0},
			{"delay": math.NaN()},
			{"delay": []float64{1, 1, 1, 1, 1, 1, 1, 1, 0.04}},
		} {
			syWantKind(t, fmt.Sprintf("Set(%v)", p), sc.Set(p), status.BadDelay)
		}
		if !slices.Equal(weights(), list) {
			t.Errorf("weights changed by failed Sets: %v", weights())
		}
		for _, d := range delays() {
			if d != 1 {
				t.Errorf("delays changed by failed Sets: %v", delays())
				break
			}
		}
		if err := sc.Set(Params{"weight": []float64{1, 2}}); err == nil {
			t.Errorf("Set with 2 weights for 9 connections succeeded")
		}
		syWantKind(t, "Set(unknown key)", sc.Set(Params{"tau_plus": 3.0}), status.UnaccessedDictionaryEntry)

		syMust(t, sc.Set(Params{"delay": 2.0}))
		syMust(t, k.Simulate(5))
		// min_delay and max_delay are now fixed at 2 ms
		syWantKind(t, "Set(delay 3) after Simulate", sc.Set(Params{"delay": 3.0, "weight": 0.5}), status.BadDelay)
		if !slices.Equal(weights(), list) {
			t.Errorf("weights changed by a failed Set after Simulate: %v", weights())
		}
		syMust(t, sc.Set(Params{"delay": 2.0, "weight": 0.5}))
		for _, w := range weights() {
			if w != 0.5 {
				t.Fatalf("after Set after Simulate: weights %v", weights())
			}
		}
	}
}

// TestSynapseCollectionAcrossSimulate takes a SynapseCollection before the first Simulate, whose
// Prepare arranges the connections for delivery, and reads and sets it afterwards: every entry
// must still denote the same connection.
func TestSynapseCollectionAcrossSimulate(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		n := syCreate(t, k, "iaf_psc_delta", 4, nil)
		// all_to_all creates, per target, one connection from each source: not in source order
		w := make([][]float64, 4)
		for ti := range w {
			w[ti] = make([]float64, 4)
			for si := range w[ti] {
				w[ti][si] = float64(10*(si+1) + ti + 1) // 10*source + target (ids 1..4)
			}
		}
		syMust(t, k.Connect(n, n, "all_to_all", Params{"weight": w}))
		sc, err := k.GetConnections(ConnFilter{})
		syMust(t, err)
		check := func(when string, f func(src, tgt int64) float64) {
			t.Helper()
			cols, err := sc.Get("source", "target", "weight")
			syMust(t, err)
			for i := range ints(cols["source"]) {
				s, tg := ints(cols["source"])[i], ints(cols["target"])[i]
				if got := floats(cols["weight"])[i]; got != f(s, tg) {
					t.Errorf("threads %d, %s: entry %d is %d -> %d with weight %g, want %g", threads, when, i, s, tg, got, f(s, tg))
				}
			}
		}
		orig := func(s, tg int64) float64 { return float64(10*s + tg) }
		check("before Simulate", orig)
		syMust(t, k.Simulate(1))
		check("after Simulate", orig)
		cols, _ := sc.Get("source", "target")
		neu := make([]float64, sc.Len())
		for i := range neu {
			neu[i] = float64(100*ints(cols["source"])[i] + ints(cols["target"])[i])
		}
		syMust(t, sc.Set(Params{"weight": neu}))
		fresh, err := k.GetConnections(ConnFilter{})
		syMust(t, err)
		got := syConns(t, fresh)
		for _, c := range got {
			if c.w != float64(100*c.src+c.tgt) {
				t.Errorf("threads %d: after Set through the old collection, %d -> %d has weight %g, want %d", threads, c.src, c.tgt, c.w, 100*c.src+c.tgt)
			}
		}
	}
}

// TestConnectArrayParams connects with array weights and delays: one_to_one (entry i is
// connection i), all_to_all (2-D, [target][source]), fixed_indegree (2-D, [target][j]) on one
// and several threads, and ConnectArrays with repeated sources.
func TestConnectArrayParams(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			k := quietKernel(t, Params{"local_num_threads": threads})
			pre := syCreate(t, k, "iaf_psc_alpha", 5, nil)
			post := syCreate(t, k, "iaf_psc_alpha", 4, nil)
			syMust(t, k.CopyModel("static_synapse", "o2o", nil))
			syMust(t, k.CopyModel("static_synapse", "a2a", nil))
			syMust(t, k.CopyModel("static_synapse", "fin", nil))
			syMust(t, k.CopyModel("static_synapse", "arr", nil))

			// one_to_one
			pre4, _ := pre.Slice(0, 4, 1)
			ws, ds := []float64{1.5, -2.5, 3.5, 4.5}, []float64{0.1, 1.0, 2.3, 7.0}
			syMust(t, k.Connect(pre4, post, "one_to_one", Params{"synapse_model": "o2o", "weight": ws, "delay": ds}))
			var want []syConn
			for i := range ws {
				want = append(want, syConn{int64(pre4.ids[i]), int64(post.ids[i]), "o2o", ws[i], ds[i]})
			}
			syConnSort(want)
			sc, _ := k.GetConnections(ConnFilter{SynapseModel: "o2o"})
			if got := syConns(t, sc); !syConnsEqual(got, want) {
				t.Errorf("one_to_one:\n got %v\nwant %v", got, want)
			}

			// all_to_all: weight[target index][source index]
			w2 := make([][]float64, post.Len())
			d2 := make([][]float64, post.Len())
			want = nil
			for ti := range w2 {
				w2[ti], d2[ti] = make([]float64, pre.Len()), make([]float64, pre.Len())
				for si := range w2[ti] {
					w2[ti][si] = float64(100*ti + si)
					d2[ti][si] = 0.1 * float64(1+ti+si)
					want = append(want, syConn{int64(pre.ids[si]), int64(post.ids[ti]), "a2a", w2[ti][si], float64(1+ti+si) / 10})
				}
			}
			syConnSort(want)
			syMust(t, k.Connect(pre, post, "all_to_all", Params{"synapse_model": "a2a", "weight": w2, "delay": d2}))
			sc, _ = k.GetConnections(ConnFilter{SynapseModel: "a2a"})
			if got := syConns(t, sc); !syConnsEqual(got, want) {
				t.Errorf("all_to_all:\n got %v\nwant %v", got, want)
			}
			// a wrongly shaped array is refused and creates nothing
			bad := [][]float64{{1, 2, 3, 4, 5}}
			syWantKind(t, "all_to_all 1x5 weights", k.Connect(pre, post, "all_to_all", Params{"synapse_model": "a2a", "weight": bad}), status.DimensionMismatch)
			if sc, _ = k.GetConnections(ConnFilter{SynapseModel: "a2a"}); sc.Len() != 20 {
				t.Errorf("all_to_all: %d connections after the refused Connect, want 20", sc.Len())
			}

			// fixed_indegree: weight[target index][j] for the j-th connection drawn for that target
			const indeg = 3
			wf := make([][]float64, post.Len())
			for ti := range wf {
				wf[ti] = make([]float64, indeg)
				for j := range wf[ti] {
					wf[ti][j] = float64(1000*(ti+1) + j)
				}
			}
			syMust(t, k.Connect(pre, post, Params{"rule": "fixed_indegree", "indegree": indeg}, Params{"synapse_model": "fin", "weight": wf}))
			for ti, tg := range post.ids {
				one := NodeCollection{k: k, gen: k.gen, ids: []uint64{tg}}
				sc, err := k.GetConnections(ConnFilter{Target: &one, SynapseModel: "fin"})
				syMust(t, err)
				cols, _ := sc.Get("weight", "source")
				got := slices.Clone(floats(cols["weight"]))
				slices.Sort(got)
				if !slices.Equal(got, wf[ti]) {
					t.Errorf("fixed_indegree: target %d has weights %v, want %v", tg, got, wf[ti])
				}
				for _, s := range ints(cols["source"]) {
					if !slices.Contains(syIDs(pre), s) {
						t.Errorf("fixed_indegree: source %d not in pre", s)
					}
				}
			}

			// ConnectArrays: sources repeat, each pair gets its entry
			srcs := []uint64{pre.ids[0], pre.ids[0], pre.ids[1], pre.ids[0], pre.ids[4]}
			tgts := []uint64{post.ids[0], post.ids[1], post.ids[0], post.ids[0], post.ids[3]}
			wa := []float64{1, 2, 3, 4, 5}
			da := []float64{1, 2, 3, 4, 5}
			syMust(t, k.ConnectArrays(srcs, tgts, Params{"synapse_model": "arr", "weight": wa, "delay": da}))
			want = nil
			for i := range srcs {
				want = append(want, syConn{int64(srcs[i]), int64(tgts[i]), "arr", wa[i], da[i]})
			}
			syConnSort(want)
			sc, _ = k.GetConnections(ConnFilter{SynapseModel: "arr"})
			if got := syConns(t, sc); !syConnsEqual(got, want) {
				t.Errorf("ConnectArrays:\n got %v\nwant %v", got, want)
			}
			syWantKind(t, "ConnectArrays with unequal lengths", k.ConnectArrays(srcs, tgts[:2], nil), status.DimensionMismatch)
		})
	}
}

// TestConnectDistributions draws weights and delays from distributions: the same seed gives the
// same connections, another seed others, and every thread count keeps the sample mean and
// standard deviation within 5 standard errors of the distribution's.
func TestConnectDistributions(t *testing.T) {
	const nPre, nPost, indeg = 200, 100, 50 // 5000 connections
	const wMean, wStd = 5.0, 2.0
	build := func(seed int64, threads int) []syConn {
		k := quietKernel(t, Params{"local_num_threads": threads, "rng_seed": seed})
		pre := syCreate(t, k, "iaf_psc_delta", nPre, nil)
		post := syCreate(t, k, "iaf_psc_delta", nPost, nil)
		syMust(t, k.Connect(pre, post, Params{"rule": "fixed_indegree", "indegree": indeg},
			Params{"weight": connect.Normal(wMean, wStd), "delay": connect.Uniform(1.0, 3.0)}))
		sc, err := k.GetConnections(ConnFilter{})
		syMust(t, err)
		cols, err := sc.Get("source", "target", "weight", "delay")
		syMust(t, err)
		out := make([]syConn, sc.Len()) // in collection order: a rerun must give the same list
		for i := range out {
			out[i] = syConn{ints(cols["source"])[i], ints(cols["target"])[i], "", floats(cols["weight"])[i], floats(cols["delay"])[i]}
		}
		return out
	}
	a, b := build(12345, 2), build(12345, 2)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the same seed gave different connections")
	}
	if c := build(54321, 2); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Errorf("different seeds gave the same connections")
	}
	for _, threads := range []int{1, 2, 3, 4} {
		cs := build(12345, threads)
		if len(cs) != nPost*indeg {
			t.Fatalf("threads %d: %d connections, want %d", threads, len(cs), nPost*indeg)
		}
		var sw, sww, sd float64
		for _, c := range cs {
			sw += c.w
			sww += c.w * c.w
			sd += c.d
			if c.d < 1 || c.d > 3 || math.Abs(c.d*10-math.Round(c.d*10)) > 1e-9 {
				t.Fatalf("threads %d: delay %g not in [1, 3] on the 0.1 ms grid", threads, c.d)
			}
		}
		n := float64(len(cs))
		mean, sd2 := sw/n, math.Sqrt(sww/n-(sw/n)*(sw/n))
		if math.Abs(mean-wMean) > 5*wStd/math.Sqrt(n) {
			t.Errorf("threads %d: weight mean %g, want %g ± %g", threads, mean, wMean, 5*wStd/math.Sqrt(n))
		}
		// the standard error of the sample standard deviation of a normal is σ/sqrt(2n)
		if math.Abs(sd2-wStd) > 5*wStd/math.Sqrt(2*n) {
			t.Errorf("threads %d: weight sd %g, want %g ± %g", threads, sd2, wStd, 5*wStd/math.Sqrt(2*n))
		}
		// U(1, 3) rounded to the 0.1 grid has mean 2 and sd ~ 2/sqrt(12)
		if dm := sd / n; math.Abs(dm-2) > 5*(2/math.Sqrt(12))/math.Sqrt(n) {
			t.Errorf("threads %d: delay mean %g, want 2", threads, dm)
		}
	}
}

// TestSynapseDefaultsInConnect: connections take the weight, delay and STDP parameters of their
// model's defaults (set by CopyModel or SetDefaults) unless the syn_spec gives them; a default
// delay is checked only when a Connect uses it (nest-spec 3.6).
func TestSynapseDefaultsInConnect(t *testing.T) {
	k := quietKernel(t, Params{"local_num_threads": 2})
	n := syCreate(t, k, "iaf_psc_alpha", 4, nil)
	syMust(t, k.CopyModel("static_synapse", "s3", Params{"weight": 3.0, "delay": 2.0}))
	syMust(t, k.SetDefaults("stdp_synapse", Params{"tau_plus": 7.0, "Kplus": 0.5, "Wmax": 20.0, "weight": 4.0}))
	syMust(t, k.Connect(n, n, "one_to_one", "s3"))
	syMust(t, k.Connect(n, n, "one_to_one", Params{"synapse_model": "stdp_synapse", "lambda": 0.2}))
	for _, c := range []struct {
		model string
		want  map[string]float64
	}{
		{"s3", map[string]float64{"weight": 3, "delay": 2}},
		{"stdp_synapse", map[string]float64{"weight": 4, "delay": 1, "tau_plus": 7, "Kplus": 0.5, "Wmax": 20, "lambda": 0.2, "alpha": 1}},
	} {
		sc, err := k.GetConnections(ConnFilter{SynapseModel: c.model})
		syMust(t, err)
		if sc.Len() != 4 {
			t.Fatalf("%s: %d connections, want 4", c.model, sc.Len())
		}
		for key, v := range c.want {
			cols, err := sc.Get(key)
			syMust(t, err)
			for _, x := range floats(cols[key]) {
				if x != v {
					t.Errorf("%s: %s = %g, want %g", c.model, key, x, v)
				}
			}
		}
	}
	// a default delay below the resolution is accepted by SetDefaults and refused when used
	syMust(t, k.SetDefaults("s3", Params{"delay": 0.01}))
	syWantKind(t, "Connect with the default delay 0.01", k.Connect(n, n, "one_to_one", "s3"), status.BadDelay)
	syMust(t, k.Connect(n, n, "one_to_one", Params{"synapse_model": "s3", "delay": 0.5}))
}

// TestSynapseCollectionAfterReset: a collection from before ResetKernel is invalid.
func TestSynapseCollectionAfterReset(t *testing.T) {
	k := quietKernel(t, nil)
	n := syCreate(t, k, "iaf_psc_alpha", 2, nil)
	syMust(t, k.Connect(n, n, nil, nil))
	sc, err := k.GetConnections(ConnFilter{})
	syMust(t, err)
	k.ResetKernel()
	_, err = sc.Get("weight")
	syWantKind(t, "Get after ResetKernel", err, status.InvalidNodeCollection)
	syWantKind(t, "Set after ResetKernel", sc.Set(Params{"weight": 2.0}), status.InvalidNodeCollection)
	_, err = k.GetConnections(ConnFilter{Source: &n})
	syWantKind(t, "GetConnections with an old NodeCollection", err, status.InvalidNodeCollection)
}

// A delay or weight set on a connection between Run calls of one prepared simulation acts at
// once, also where every connection of the store had one delay when it was prepared (delivery
// computes the slot once for such stores, and adds one weight for a source whose connections
// share it; a connection of another model fixes the delay range at [1, 3] ms): a spike at 5 ms
// makes the iaf_psc_delta fire after 1 + 1 ms; one at 25 ms, after the connection's delay became
// 3 ms, after 1 + 3 ms, or not at all once its weight became 0.
func TestDelaySetWhilePrepared(t *testing.T) {
	for _, c := range []struct {
		name string
		set  Params
		want []float64
	}{
		{"delay", Params{"delay": 3.0}, []float64{7, 29}},
		// the store's weights are coded (20 and 1 mV), the source's connections share one code
		{"weight", Params{"weight": 0.0}, []float64{7}},
	} {
		for _, prepared := range []bool{true, false} {
			k := quietKernel(t, nil)
			sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{5, 25}})
			first := mustCreate(t, k, "parrot_neuron", 1, nil)
			second := mustCreate(t, k, "iaf_psc_delta", 1, nil)
			third := mustCreate(t, k, "iaf_psc_delta", 1, nil)
			sr := mustCreate(t, k, "spike_recorder", 1, nil)
			must(t, k.CopyModel("static_synapse", "slow_synapse", nil))
			must(t, k.Connect(sg, first, nil, Params{"delay": 1.0}))
			must(t, k.Connect(first, second, nil, Params{"delay": 1.0, "weight": 20.0}))
			must(t, k.Connect(third, second, nil, Params{"delay": 1.0, "weight": 1.0}))
			must(t, k.Connect(first, third, nil, Params{"delay": 3.0, "synapse_model": "slow_synapse"}))
			must(t, k.Connect(second, sr, nil, nil))
			sc, err := k.GetConnections(ConnFilter{Source: &first, Target: &second})
			must(t, err)
			if prepared {
				must(t, k.Prepare())
				must(t, k.Run(20))
				must(t, sc.Set(c.set))
				must(t, k.Run(20))
				must(t, k.Cleanup())
			} else {
				must(t, k.Simulate(20))
				must(t, sc.Set(c.set))
				must(t, k.Simulate(20))
			}
			assertClose(t, fmt.Sprintf("%s, prepared %v", c.name, prepared), floats(eventsOf(t, k, sr)["times"]), c.want, 1e-9)
		}
	}
}

// A weight set on one of a generator's connections between Run calls of one prepared simulation
// acts at once, also where every target had the same weight when it was prepared (the generator
// loop then reads one weight): a poisson_generator at a high rate drives two iaf_psc_delta
// neurons; once the weight to the second is 0, its V_m only relaxes.
func TestGeneratorWeightSetWhilePrepared(t *testing.T) {
	k := quietKernel(t, nil)
	pg := mustCreate(t, k, "poisson_generator", 1, Params{"rate": 1e5})
	n := mustCreate(t, k, "iaf_psc_delta", 2, Params{"V_th": 1e6})
	must(t, k.Connect(pg, n, nil, Params{"weight": 0.01}))
	second, _ := n.Slice(1, 2, 1)
	sc, err := k.GetConnections(ConnFilter{Source: &pg, Target: &second})
	must(t, err)
	must(t, k.Prepare())
	must(t, k.Run(5))
	must(t, sc.Set(Params{"weight": 0.0}))
	st, err := k.GetStatus(second, "V_m")
	must(t, err)
	before := st[0]["V_m"].(float64)
	must(t, k.Run(20))
	must(t, k.Cleanup())
	st, err = k.GetStatus(second, "V_m")
	must(t, err)
	// with no input V_m relaxes towards E_L = -70 mV: it must not rise
	if after := st[0]["V_m"].(float64); after > before {
		t.Errorf("V_m rose from %g to %g mV after its generator weight was set to 0", before, after)
	}
}
