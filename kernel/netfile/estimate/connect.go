package estimate

import (
	"math"
	"slices"

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
	g := connGroup{model: model, n: n, size: int(size), neural: neural,
		weights: valuesOf(spec["weight"], defaults(d, "weight"), 0),
		delays:  valuesOf(spec["delay"], defaults(d, "delay"), w.resolution)}
	g.kept = keptBytes(m["conn_spec"], g, nPre, nPost)
	g.constant = constantSpec(spec)
	_, g.stdp = d["tau_plus"]
	w.conns = append(w.conns, g)
	w.recSpikeSources += w.count(post, spikeRecorderKind) * (nPre - w.count(pre, spikeRecorderKind))
	for _, p := range pre {
		if p.pop >= 0 && w.pops[p.pop].kind == meterKind {
			mp := w.pops[p.pop]
			w.recSamples += p.n * nPost * float64(mp.vars+2) / 2 / mp.every // per ms; times simulated ms below
		}
	}
	return nil
}

// keptBytes is the size per connection of the record that a Connect between neurons keeps from
// Connect to Prepare (the kernel's connRecord): a source (2 bytes while the sources number at
// most 65,536, else 4), a target unless the rule makes its connections target by target
// (fixed_indegree, all_to_all, pairwise_bernoulli: one per run then), and the weight and delay
// word coded as in a store (nothing for a constant, a byte for up to 256 values, else plain).
func keptBytes(connSpec any, g connGroup, nPre, nPost float64) float64 {
	if !g.neural {
		return 0
	}
	id := func(n float64) float64 {
		if n <= 1<<16 {
			return 2
		}
		return 4
	}
	rule, _ := ruleOf(connSpec)
	b := id(nPre)
	switch rule {
	case "fixed_indegree", "all_to_all", "pairwise_bernoulli":
	default:
		b += id(nPost)
	}
	return b + float64(codedBytes([]columnValues{g.weights}, 8)+codedBytes([]columnValues{g.delays}, 4))
}

// constantSpec reports whether a syn_spec gives only numbers (no distribution, no array).
func constantSpec(spec map[string]any) bool {
	for _, v := range spec {
		switch v.(type) {
		case map[string]any, []any, []float64:
			return false
		}
	}
	return true
}

func isIDArray(v any) bool {
	m, ok := v.(map[string]any)
	return ok && (m["ids"] != nil || m["table"] != nil)
}

// ruleOf returns a conn_spec's rule (all_to_all when it names none) and its dictionary (nil
// for a rule name).
func ruleOf(spec any) (string, map[string]any) {
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
	return rule, m
}

// ruleCount is the number of connections a rule makes between nPre sources and nPost targets.
func ruleCount(spec any, nPre, nPost float64) float64 {
	rule, m := ruleOf(spec)
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

// columnValues are the values one Connect call gives a column of its connections: scalars (the
// distinct ones), or many (a distribution or an array: any number of distinct values), except on
// a grid (delays, in steps of the resolution), where a distribution bounded to [lo, hi] takes at
// most (hi−lo)/grid + 1 values.
type columnValues struct {
	scalars      []float64
	many         bool
	lo, hi, grid float64 // the range of a bounded distribution on a grid (grid 0: none)
}

func defaults(d map[string]any, key string) float64 {
	v, _ := num(d[key])
	return v
}

// valuesOf reads a syn_spec value (absent: the model's default def).
func valuesOf(v any, def, grid float64) columnValues {
	switch x := v.(type) {
	case nil:
		return columnValues{scalars: []float64{def}}
	case []any:
		var c columnValues
		for _, e := range x {
			if f, ok := num(e); ok && !slices.Contains(c.scalars, f) {
				c.scalars = append(c.scalars, f)
			}
		}
		return c
	case map[string]any: // a distribution
		c := columnValues{many: true}
		if grid <= 0 {
			return c
		}
		mean, hasMean := num(x["mean"])
		sd, _ := num(x["std"])
		lo, hasLo := num(x["low"]) // uniform
		hi, hasHi := num(x["high"])
		if !hasLo && hasMean { // normal: mean ± 5 sd covers the draws
			lo, hi, hasLo, hasHi = mean-5*sd, mean+5*sd, true, true
		}
		if r, ok := x["redraw"].(map[string]any); ok {
			if rlo, ok := num(r["min"]); ok {
				lo, hasLo = math.Max(lo, rlo), true
			}
			if rhi, ok := num(r["max"]); ok {
				hi = math.Min(hi, rhi)
			}
		}
		if hasLo && hasHi && hi >= lo {
			c.lo, c.hi, c.grid = math.Max(lo, grid), hi, grid
		}
		return c
	}
	if f, ok := num(v); ok {
		return columnValues{scalars: []float64{f}}
	}
	return columnValues{many: true}
}

// codedBytes is what a connection's value takes in a store's coded column (see the kernel's
// dictCol) when the calls give it these values: nothing for one value, a byte for at most 256,
// plain beyond (plainBytes).
func codedBytes(calls []columnValues, plainBytes int) int {
	var distinct []float64
	lo, hi, grid := math.Inf(1), math.Inf(-1), 0.0
	for _, c := range calls {
		if c.many && c.grid == 0 {
			return plainBytes
		}
		if c.many {
			lo, hi, grid = math.Min(lo, c.lo), math.Max(hi, c.hi), c.grid
		}
		for _, v := range c.scalars {
			if !slices.Contains(distinct, v) {
				distinct = append(distinct, v)
			}
		}
	}
	n := len(distinct)
	if grid > 0 {
		n += int(math.Floor((hi-lo)/grid)) + 1
	}
	switch {
	case n <= 1:
		return 0
	case n <= 256:
		return 1
	}
	return plainBytes
}
