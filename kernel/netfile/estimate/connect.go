package estimate

import (
	"math"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// connect counts the connections of one Connect from its rule (fixed_indegree: indegree x
// targets, fixed_outdegree: outdegree x sources, fixed_total_number: N, all_to_all: sources x
// targets, one_to_one and id arrays: the targets, pairwise_bernoulli: p x pairs) and notes the
// delays and what recorders will hold.
func (w *walker) connect(m map[string]any) error {
	pre, post := w.ref(m["pre"]), w.ref(m["post"])
	nPre, nPost := pre.len(), post.len()
	n := ruleCount(m["conn_spec"], nPre, nPost)
	if isIDArray(m["pre"]) || isIDArray(m["post"]) {
		n = math.Max(nPre, nPost)
	}
	model := "static_synapse"
	var spec map[string]any
	switch x := m["syn_spec"].(type) {
	case string:
		model = x
	case map[string]any:
		spec = x
		if s, ok := x["synapse_model"].(string); ok {
			model = s
		}
	}
	d, err := w.k.GetDefaults(model)
	if err != nil {
		return err
	}
	size, _ := status.ToInt(d["sizeof"])
	if _, ok := d["Wmax"]; ok {
		w.plastic = true
	}
	w.delays(spec, d)
	neural := w.count(pre, neuronKind) == nPre && w.count(post, neuronKind) == nPost
	w.conns = append(w.conns, connGroup{model: model, n: n, size: int(size), neural: neural})
	w.recSpikeSources += w.count(post, spikeRecorderKind) * (nPre - w.count(pre, spikeRecorderKind))
	for _, p := range pre {
		if p.pop >= 0 && w.pops[p.pop].kind == meterKind {
			mp := w.pops[p.pop]
			w.recSamples += p.n * nPost * float64(mp.vars+2) / 2 / mp.every // per ms; times simulated ms below
		}
	}
	return nil
}

func isIDArray(v any) bool {
	m, ok := v.(map[string]any)
	return ok && (m["ids"] != nil || m["table"] != nil)
}

// ruleCount is the number of connections a rule makes between nPre sources and nPost targets.
func ruleCount(spec any, nPre, nPost float64) float64 {
	rule, m := "all_to_all", map[string]any(nil)
	switch x := spec.(type) {
	case string:
		rule = x
	case map[string]any:
		m = x
		if r, ok := x["rule"].(string); ok {
			rule = r
		}
	}
	get := func(key string) float64 { v, _ := num(m[key]); return v }
	switch rule {
	case "one_to_one":
		return nPost
	case "fixed_indegree":
		return get("indegree") * nPost
	case "fixed_outdegree":
		return get("outdegree") * nPre
	case "fixed_total_number":
		return get("N")
	case "pairwise_bernoulli":
		return get("p") * nPre * nPost
	case "symmetric_pairwise_bernoulli":
		return 2 * get("p") * nPre * nPost
	}
	return nPre * nPost
}

// delays widens the delay range by the delay of a syn_spec (or the model's default).
func (w *walker) delays(spec map[string]any, defaults map[string]any) {
	if w.fixedDelays {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	switch x := spec["delay"].(type) {
	case nil:
		if d, ok := num(defaults["delay"]); ok {
			lo, hi = d, d
		}
	case []any:
		for _, e := range x {
			if d, ok := num(e); ok {
				lo, hi = math.Min(lo, d), math.Max(hi, d)
			}
		}
	case map[string]any: // a distribution: its redraw bounds, else mean +- 3 std
		if r, ok := x["redraw"].(map[string]any); ok {
			lo, _ = num(r["min"])
			hi, _ = num(r["max"])
		}
		if hi <= 0 {
			mean, _ := num(x["mean"])
			std, _ := num(x["std"])
			lo, hi = math.Max(mean-3*std, w.resolution), mean+3*std
		}
	default:
		if d, ok := num(x); ok {
			lo, hi = d, d
		}
	}
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return
	}
	if w.minDelay == 0 || lo < w.minDelay {
		w.minDelay = math.Max(lo, w.resolution)
	}
	w.maxDelay = math.Max(w.maxDelay, hi)
}

// connRows estimates the rows of a GetConnections table.
func (w *walker) connRows(m map[string]any) float64 {
	var all float64
	model, _ := m["synapse_model"].(string)
	for _, c := range w.conns {
		if model == "" || c.model == model {
			all += c.n
		}
	}
	var neurons float64
	for _, p := range w.pops {
		neurons += float64(p.n)
	}
	share := 1.0
	for _, key := range []string{"source", "target"} {
		if v, ok := m[key]; ok && v != nil && neurons > 0 {
			share *= math.Min(w.ref(v).len()/neurons, 1)
		}
	}
	return all * share
}
