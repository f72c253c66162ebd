package kernel

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Status tests of tsodyks_synapse, tsodyks2_synapse and stdp_pl_synapse_hom through the kernel:
// GetDefaults, NEST's parameter checks on every path (syn_spec, SetDefaults, SetStatus of
// connections, all or nothing), common properties, and GetConnections Get/Set.

// stpNet creates two parrots and one iaf_psc_exp target.
func stpNet(t *testing.T, threads int) (k *Kernel, pre, post NodeCollection) {
	t.Helper()
	k = quietKernel(t, Params{"local_num_threads": threads})
	return k, mustCreate(t, k, "parrot_neuron", 2, nil), mustCreate(t, k, "iaf_psc_exp", 1, nil)
}

// withModel returns p with synapse_model set.
func withModel(model string, p Params) Params {
	out := Params{"synapse_model": model}
	maps.Copy(out, p)
	return out
}

// TestTsodyksStdpPlDefaults: GetDefaults has NEST's keys and defaults, for the _hpc names too.
func TestTsodyksStdpPlDefaults(t *testing.T) {
	base := Params{"weight": 1.0, "delay": 1.0, "has_delay": true, "requires_symmetric": false,
		"receptor_type": int64(0), "weight_recorder": int64(0)}
	cases := []struct {
		model string
		own   Params
	}{
		{"tsodyks_synapse", Params{"U": 0.5, "tau_psc": 3.0, "tau_rec": 800.0, "tau_fac": 0.0, "x": 1.0, "y": 0.0, "u": 0.0, "sizeof": int64(80)}},
		{"tsodyks2_synapse", Params{"U": 0.5, "u": 0.5, "tau_rec": 800.0, "tau_fac": 0.0, "x": 1.0, "sizeof": int64(64)}},
		{"stdp_pl_synapse_hom", Params{"tau_plus": 20.0, "lambda": 0.1, "alpha": 1.0, "mu": 0.4, "Kplus": 0.0, "sizeof": int64(32)}},
	}
	k := quietKernel(t, nil)
	for _, c := range cases {
		for _, name := range []string{c.model, c.model + "_hpc"} {
			d, err := k.GetDefaults(name)
			must(t, err)
			want := maps.Clone(base)
			maps.Copy(want, c.own)
			want["synapse_model"] = name
			for key, v := range want {
				if d[key] != v {
					t.Errorf("%s: GetDefaults %s = %v, want %v", name, key, d[key], v)
				}
			}
		}
	}
}

// stpRule is a parameter check: the values that break it and what the message must name.
type stpRule struct {
	model     string
	params    Params
	key, rule string
}

var stpRules = []stpRule{
	{"tsodyks_synapse", Params{"x": 0.8, "y": 0.3}, "x + y", "must be <= 1.0"},
	{"tsodyks_synapse", Params{"U": 1.5}, "'U'", "must be in [0,1]"},
	{"tsodyks_synapse", Params{"U": -0.1}, "'U'", "must be in [0,1]"},
	{"tsodyks_synapse", Params{"tau_psc": 0.0}, "'tau_psc'", "must be > 0"},
	{"tsodyks_synapse", Params{"tau_rec": -1.0}, "'tau_rec'", "must be > 0"},
	{"tsodyks_synapse", Params{"tau_fac": -1.0}, "'tau_fac'", "must be >= 0"},
	{"tsodyks_synapse", Params{"u": 1.1}, "'u'", "must be in [0,1]"},
	{"tsodyks_synapse", Params{"x": 0.8, "y": 0.3, "U": 2.0}, "x + y", "must be <= 1.0"}, // NEST's order
	{"tsodyks_synapse", Params{"U": 2.0, "tau_psc": 0.0}, "'U'", "must be in [0,1]"},
	{"tsodyks2_synapse", Params{"U": 1.5}, "'U'", "must be in [0,1]"},
	{"tsodyks2_synapse", Params{"u": -0.5}, "'u'", "must be in [0,1]"},
	{"tsodyks2_synapse", Params{"tau_rec": 0.0}, "'tau_rec'", "must be > 0"},
	{"tsodyks2_synapse", Params{"tau_fac": -1.0}, "'tau_fac'", "must be >= 0"},
	{"tsodyks2_synapse", Params{"U": 2.0, "u": 2.0, "tau_rec": 0.0}, "'U'", "must be in [0,1]"},
}

// wantRule fails unless err is a BadProperty naming the model, the key and the rule.
func wantRule(t *testing.T, path string, err error, r stpRule) {
	t.Helper()
	if status.KindOf(err) != status.BadProperty {
		t.Errorf("%s %s %v: error %v, want BadProperty", path, r.model, r.params, err)
		return
	}
	for _, s := range []string{r.model, r.key, r.rule} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%s %s %v: message %q does not contain %q", path, r.model, r.params, err.Error(), s)
		}
	}
}

// TestTsodyksValidation: each rule on each path, and nothing changes when a rule fails.
func TestTsodyksValidation(t *testing.T) {
	for _, r := range stpRules {
		k, pre, post := stpNet(t, 2)
		// syn_spec: no connection is made
		wantRule(t, "Connect", k.Connect(pre, post, nil, withModel(r.model, r.params)), r)
		sc, err := k.GetConnections(ConnFilter{SynapseModel: r.model})
		must(t, err)
		if sc.Len() != 0 {
			t.Errorf("Connect %s %v: %d connections made", r.model, r.params, sc.Len())
		}
		// SetDefaults: defaults unchanged
		before, err := k.GetDefaults(r.model)
		must(t, err)
		wantRule(t, "SetDefaults", k.SetDefaults(r.model, r.params), r)
		after, err := k.GetDefaults(r.model)
		must(t, err)
		if !maps.Equal(before, after) {
			t.Errorf("SetDefaults %s %v: defaults changed to %v", r.model, r.params, after)
		}
		// SetStatus of connections: the first would be valid, the second is not; neither changes
		must(t, k.Connect(pre, post, nil, withModel(r.model, nil)))
		sc, err = k.GetConnections(ConnFilter{SynapseModel: r.model})
		must(t, err)
		old, err := sc.Get()
		must(t, err)
		set := Params{}
		for key, v := range r.params {
			d := before[key].(float64)
			set[key] = []float64{d, v.(float64)}
		}
		wantRule(t, "SetStatus", sc.Set(set), r)
		now, err := sc.Get()
		must(t, err)
		for key := range r.params {
			if !slices.Equal(floats(old[key]), floats(now[key])) {
				t.Errorf("SetStatus %s %v: %s changed from %v to %v", r.model, r.params, key, old[key], now[key])
			}
		}
	}
}

// TestTsodyksUncheckedValues: what NEST does not check is accepted (x and y individually in
// tsodyks_synapse, x in tsodyks2_synapse, Kplus and weights of any sign).
func TestTsodyksUncheckedValues(t *testing.T) {
	for _, c := range []struct {
		model string
		p     Params
	}{
		{"tsodyks_synapse", Params{"x": -3.0, "y": 0.5, "weight": -2.0}},
		{"tsodyks2_synapse", Params{"x": 5.0, "weight": -2.0}},
		{"stdp_pl_synapse_hom", Params{"Kplus": -1.0, "weight": -2.0}},
	} {
		k, pre, post := stpNet(t, 1)
		must(t, k.Connect(pre, post, nil, withModel(c.model, c.p)))
		must(t, k.SetDefaults(c.model, c.p))
		sc, err := k.GetConnections(ConnFilter{SynapseModel: c.model})
		must(t, err)
		must(t, sc.Set(c.p))
	}
}

// TestStdpPlCommonProperties: tau_plus, lambda, alpha and mu are set through SetDefaults and
// CopyModel only; tau_plus must be positive; connections see a change at once.
func TestStdpPlCommonProperties(t *testing.T) {
	k, pre, post := stpNet(t, 1)
	for _, key := range []string{"tau_plus", "lambda", "alpha", "mu", "weight_recorder"} {
		err := k.Connect(pre, post, nil, Params{"synapse_model": "stdp_pl_synapse_hom", key: 1.0})
		if status.KindOf(err) != status.NotImplemented {
			t.Errorf("syn_spec %s: error %v, want NotImplemented", key, err)
		}
	}
	for _, tp := range []float64{0, -5, math.NaN()} {
		want := "> 0 required"
		if math.IsNaN(tp) {
			want = "must be a finite number"
		}
		err := k.SetDefaults("stdp_pl_synapse_hom", Params{"tau_plus": tp, "lambda": 0.5})
		wantRule(t, "SetDefaults", err, stpRule{"stdp_pl_synapse_hom", nil, "tau_plus", want})
		err = k.CopyModel("stdp_pl_synapse_hom", "pl_bad", Params{"tau_plus": tp})
		wantRule(t, "CopyModel", err, stpRule{"pl_bad", nil, "tau_plus", want}) // the copy names itself
	}
	d, err := k.GetDefaults("stdp_pl_synapse_hom", "lambda")
	must(t, err)
	if d["lambda"] != 0.1 {
		t.Errorf("failed SetDefaults changed lambda to %v", d["lambda"])
	}
	must(t, k.Connect(pre, post, nil, "stdp_pl_synapse_hom"))
	sc, err := k.GetConnections(ConnFilter{SynapseModel: "stdp_pl_synapse_hom"})
	must(t, err)
	if err := sc.Set(Params{"mu": 0.5}); status.KindOf(err) != status.UnaccessedDictionaryEntry {
		t.Errorf("SetStatus mu on a connection: error %v, want UnaccessedDictionaryEntry", err)
	}
	must(t, k.CopyModel("stdp_pl_synapse_hom", "pl_fast", Params{"tau_plus": 5.0, "mu": 1.0}))
	for model, want := range map[string]float64{"stdp_pl_synapse_hom": 20, "pl_fast": 5} {
		d, err := k.GetDefaults(model, "tau_plus")
		must(t, err)
		if d["tau_plus"] != want {
			t.Errorf("%s: tau_plus %v, want %v", model, d["tau_plus"], want)
		}
	}
}

// TestTsodyksGetSetConnections: GetConnections reports the per-connection keys (values from the
// syn_spec, per connection from arrays), Set changes them per connection, and the stored weight
// stays while x, y, u evolve; after a run the state is NEST's update replayed at the spike stamps.
func TestTsodyksGetSetConnections(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k, pre, post := stpNet(t, threads)
		sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{5, 20, 22.5, 60}})
		must(t, k.Connect(sg, pre, nil, nil))
		must(t, k.Connect(pre, post, nil, Params{"synapse_model": "tsodyks_synapse", "weight": 100.0,
			"U": []float64{0.2, 0.6}, "tau_fac": 50.0, "tau_psc": 2.0}))
		sc, err := k.GetConnections(ConnFilter{SynapseModel: "tsodyks_synapse"})
		must(t, err)
		got, err := sc.Get()
		must(t, err)
		for key, want := range map[string][]float64{"U": {0.2, 0.6}, "tau_fac": {50, 50}, "tau_psc": {2, 2},
			"tau_rec": {800, 800}, "x": {1, 1}, "y": {0, 0}, "u": {0, 0}, "weight": {100, 100}} {
			if !slices.Equal(floats(got[key]), want) {
				t.Errorf("threads %d: %s = %v, want %v", threads, key, got[key], want)
			}
		}
		must(t, sc.Set(Params{"x": []float64{0.9, 0.7}, "y": 0.1, "u": 0.3}))
		got, err = sc.Get("x", "y", "u")
		must(t, err)
		if !slices.Equal(floats(got["x"]), []float64{0.9, 0.7}) || !slices.Equal(floats(got["y"]), []float64{0.1, 0.1}) {
			t.Errorf("threads %d: after Set x = %v, y = %v", threads, got["x"], got["y"])
		}
		if _, err := sc.Get("t_lastspike"); status.KindOf(err) != status.KeyError {
			t.Errorf("threads %d: t_lastspike is internal to tsodyks_synapse (error %v)", threads, err)
		}
		must(t, k.Simulate(100))
		got, err = sc.Get("source", "U", "x", "y", "u", "weight")
		must(t, err)
		for i := range sc.Len() {
			c := models.TsodyksConn{U: floats(got["U"])[i], TauPsc: 2, TauRec: 800, TauFac: 50, X: []float64{0.9, 0.7}[i], Y: 0.1, Uu: 0.3}
			for _, ts := range []float64{6, 21, 23.5, 61} { // the parrots' spike stamps
				c.Spike(ts)
			}
			for key, want := range map[string]float64{"x": c.X, "y": c.Y, "u": c.Uu, "weight": 100} {
				if v := floats(got[key])[i]; v != want {
					t.Errorf("threads %d, connection %d: %s = %v after the run, replay %v", threads, i, key, v, want)
				}
			}
		}
	}
}

// TestTsodyks2StdpPlGetSetConnections: the per-connection keys of tsodyks2_synapse and
// stdp_pl_synapse_hom through GetConnections.
func TestTsodyks2StdpPlGetSetConnections(t *testing.T) {
	k, pre, post := stpNet(t, 2)
	must(t, k.Connect(pre, post, nil, Params{"synapse_model": "tsodyks2_synapse", "U": 0.3, "x": []float64{0.5, 1}}))
	must(t, k.Connect(pre, post, nil, Params{"synapse_model": "stdp_pl_synapse_hom", "Kplus": []float64{1, 2}, "weight": 7.0}))
	sc, err := k.GetConnections(ConnFilter{SynapseModel: "tsodyks2_synapse"})
	must(t, err)
	got, err := sc.Get()
	must(t, err)
	for key, want := range map[string][]float64{"U": {0.3, 0.3}, "u": {0.5, 0.5}, "x": {0.5, 1}, "tau_rec": {800, 800}, "tau_fac": {0, 0}} {
		if !slices.Equal(floats(got[key]), want) {
			t.Errorf("tsodyks2_synapse: %s = %v, want %v", key, got[key], want)
		}
	}
	must(t, sc.Set(Params{"U": 0.9, "tau_fac": []float64{10, 20}}))
	got, err = sc.Get("U", "u", "tau_fac")
	must(t, err)
	if !slices.Equal(floats(got["U"]), []float64{0.9, 0.9}) || !slices.Equal(floats(got["u"]), []float64{0.5, 0.5}) ||
		!slices.Equal(floats(got["tau_fac"]), []float64{10, 20}) {
		t.Errorf("tsodyks2_synapse after Set: %v (setting U leaves u)", got)
	}
	sc, err = k.GetConnections(ConnFilter{SynapseModel: "stdp_pl_synapse_hom"})
	must(t, err)
	got, err = sc.Get()
	must(t, err)
	if !slices.Equal(floats(got["Kplus"]), []float64{1, 2}) || !slices.Equal(floats(got["weight"]), []float64{7, 7}) {
		t.Errorf("stdp_pl_synapse_hom: Kplus %v, weight %v", got["Kplus"], got["weight"])
	}
	must(t, sc.Set(Params{"Kplus": 3.5, "weight": []float64{1, 2}}))
	got, err = sc.Get("Kplus", "weight", "t_lastspike")
	must(t, err)
	if !slices.Equal(floats(got["Kplus"]), []float64{3.5, 3.5}) || !slices.Equal(floats(got["weight"]), []float64{1, 2}) ||
		!slices.Equal(floats(got["t_lastspike"]), []float64{0, 0}) {
		t.Errorf("stdp_pl_synapse_hom after Set: %v", got)
	}
}

// TestTsodyksWeightRecorder: the weight_recorder of a short-term plastic model records the weight
// each spike delivers (Δ·w for tsodyks_synapse, x·u·w for tsodyks2_synapse), not the stored one.
func TestTsodyksWeightRecorder(t *testing.T) {
	stamps := []float64{6, 21, 23.5, 61}
	for _, c := range []struct {
		model  string
		replay func() []float64
	}{
		{"tsodyks_synapse", func() (out []float64) {
			s := models.DefaultTsodyks()
			for _, ts := range stamps {
				out = append(out, s.Spike(ts)*40)
			}
			return out
		}},
		{"tsodyks2_synapse", func() (out []float64) {
			s := models.DefaultTsodyks2()
			for _, ts := range stamps {
				out = append(out, s.Spike(ts)*40)
			}
			return out
		}},
	} {
		for _, threads := range []int{1, 2} {
			k, pre, post := stpNet(t, threads)
			wr := mustCreate(t, k, "weight_recorder", 1, nil)
			must(t, k.CopyModel(c.model, "stp_rec", Params{"weight_recorder": wr}))
			sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{5, 20, 22.5, 60}})
			p0, err := pre.Slice(0, 1, 1)
			must(t, err)
			must(t, k.Connect(sg, p0, nil, nil))
			must(t, k.Connect(p0, post, nil, Params{"synapse_model": "stp_rec", "weight": 40.0}))
			must(t, k.Simulate(100))
			ev := eventsOf(t, k, wr)
			want := c.replay()
			if got := floats(ev["weights"]); !slices.Equal(got, want) || !slices.Equal(floats(ev["times"]), stamps) {
				t.Errorf("%s, %d threads: recorded %v at %v, want %v at %v", c.model, threads, got, ev["times"], want, stamps)
			}
		}
	}
}

// TestPlasticWeightsPlaced checks the initial weights of a model with per-connection state after
// placement against the same calls into static_synapse, whose weights are kept coded: one call
// with one weight (written once at the end of the placement), two calls with the same weight, two
// with different weights, and one with a weight drawn per connection.
func TestPlasticWeightsPlaced(t *testing.T) {
	for _, tc := range []struct {
		name    string
		weights []any // one syn_spec weight per Connect call
	}{
		{"one call", []any{2.5}},
		{"two calls, one weight", []any{2.5, 2.5}},
		{"two weights", []any{1.5, 2.5}},
		{"a weight each", []any{connect.Uniform(1, 2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got [2][][3]float64
			for m, model := range []string{"stdp_synapse", "static_synapse"} {
				k := quietKernel(t, Params{"local_num_threads": 2, "rng_seed": 5})
				pre, err := k.Create("parrot_neuron", 6, nil)
				must(t, err)
				post, err := k.Create("iaf_psc_alpha", 5, nil)
				must(t, err)
				for _, w := range tc.weights {
					must(t, k.Connect(pre, post, Params{"rule": "all_to_all"}, Params{"synapse_model": model, "weight": w}))
				}
				must(t, k.Simulate(1))
				sc, err := k.GetConnections(ConnFilter{})
				must(t, err)
				cols, err := sc.Get("source", "target", "weight")
				must(t, err)
				src, tgt, ws := cols["source"].([]int64), cols["target"].([]int64), cols["weight"].([]float64)
				for i := range ws {
					got[m] = append(got[m], [3]float64{float64(src[i]), float64(tgt[i]), ws[i]})
				}
				slices.SortFunc(got[m], func(a, b [3]float64) int { return slices.Compare(a[:], b[:]) })
			}
			if want := 30 * len(tc.weights); len(got[0]) != want || !slices.Equal(got[0], got[1]) {
				t.Fatalf("stdp_synapse (source, target, weight):\n%v\nstatic_synapse:\n%v", got[0], got[1])
			}
		})
	}
}
