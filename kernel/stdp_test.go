package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// This file tests stdp_synapse and stdp_synapse_hom against an independent replay of nest-spec
// sections 3.3-3.5 (NEST's test_stdp_synapse idea): spike trains are forced through
// spike_generator -> parrot_neuron pairs, the plastic synapse connects the two parrots (receptor 1
// of the post parrot, so it does not repeat the presynaptic spikes), and the weight after every
// presynaptic spike, the final weight and the final Kplus are compared with the replay.

// syCreate is Create that fails the test on error.
func syCreate(t testing.TB, k *Kernel, model string, n int, p Params) NodeCollection {
	t.Helper()
	nc, err := k.Create(model, n, p)
	if err != nil {
		t.Fatal(err)
	}
	return nc
}

func syMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// syWantKind fails unless err is a NEST error of the given kind.
func syWantKind(t testing.TB, what string, err error, kind status.Kind) {
	t.Helper()
	if got := status.KindOf(err); got != kind {
		t.Errorf("%s: error %v (kind %q), want %s", what, err, got, kind)
	}
}

// syEvents returns the events dictionary of a recorder.
func syEvents(t testing.TB, k *Kernel, nc NodeCollection) Params {
	t.Helper()
	st, err := k.GetStatus(nc, "events")
	if err != nil {
		t.Fatal(err)
	}
	return st[0]["events"].(Params)
}

// syStdp are the parameters of the replay: the synapse's (nest-spec 3.3) and the target's tau_minus.
type syStdp struct {
	tauPlus, lambda, alpha, muPlus, muMinus, wmax, tauMinus float64
}

// NEST's defaults (nest-spec 3.3, 3.5).
var syStdpDefaults = syStdp{tauPlus: 20, lambda: 0.01, alpha: 1, muPlus: 1, muMinus: 1, wmax: 100, tauMinus: 20}

// syReplayOut is what the replay predicts, with counters that tell which code paths a case hit.
type syReplayOut struct {
	weights        []float64 // weight after the update of each presynaptic spike
	kplus          float64   // Kplus after the last presynaptic spike
	facilitations  int       // facilitation steps
	depressions    int       // depression steps with a non-zero postsynaptic trace
	coincident     int       // postsynaptic spikes exactly at t - d (facilitate, never depress)
	clipHigh       int       // facilitation clipped at Wmax
	clipLow        int       // depression clipped at 0
	depressionOnly int       // presynaptic spikes that depressed without facilitating
}

// syReplay replays NEST's stdp_synapse::send for presynaptic spikes pre and postsynaptic spikes
// post (both in steps of h; post lists a spike once per multiplicity unit), dendritic delay
// dSteps, initial weight w0 and initial Kplus k0. Traces are summed from their definition,
// K+(x) = k0·e^(−x/τ+) + Σ_{t' ≤ t_last} e^((t'−x)/τ+) and K−(x) = Σ_{t_post < x} e^((t_post−x)/τ−),
// rather than updated recursively as the kernel does. With reverse, depression is applied before
// facilitation (to show that a case tells the two orders apart).
func syReplay(p syStdp, h float64, dSteps int64, w0, k0 float64, pre, post []int64, reverse bool) syReplayOut {
	var out syReplayOut
	ms := func(s int64) float64 { return float64(s) * h }
	d := ms(dSteps)
	facilitate := func(w, k float64) float64 {
		out.facilitations++
		norm := w/p.wmax + p.lambda*math.Pow(1-w/p.wmax, p.muPlus)*k
		if norm > 1 {
			out.clipHigh++
			norm = 1
		}
		return norm * p.wmax
	}
	depress := func(w, k float64) float64 {
		if k > 0 {
			out.depressions++
		}
		norm := w/p.wmax - p.alpha*p.lambda*math.Pow(w/p.wmax, p.muMinus)*k
		if norm < 0 {
			out.clipLow++
			norm = 0
		}
		return norm * p.wmax
	}
	w := w0
	last := int64(0) // t_lastspike starts at 0
	for i, t := range pre {
		// K+ at time x, built from the presynaptic spikes before this one
		kplusAt := func(x float64) float64 {
			k := k0 * math.Exp(-x/p.tauPlus)
			for _, tp := range pre[:i] {
				k += math.Exp((ms(tp) - x) / p.tauPlus)
			}
			return k
		}
		fac := func() {
			for _, q := range post {
				if q > last-dSteps && q <= t-dSteps {
					if q == t-dSteps {
						out.coincident++
					}
					w = facilitate(w, kplusAt(ms(q)+d))
				}
			}
		}
		dep := func() {
			km := 0.0
			for _, q := range post {
				if q < t-dSteps {
					km += math.Exp((ms(q) - (ms(t) - d)) / p.tauMinus)
				}
			}
			w = depress(w, km)
		}
		before := out.facilitations
		if reverse {
			dep()
			fac()
		} else {
			fac()
			dep()
		}
		if out.facilitations == before {
			out.depressionOnly++
		}
		out.weights = append(out.weights, w)
		last = t
	}
	if n := len(pre); n > 0 {
		tN := ms(pre[n-1])
		out.kplus = k0 * math.Exp(-tN/p.tauPlus)
		for _, tp := range pre {
			out.kplus += math.Exp((ms(tp) - tN) / p.tauPlus)
		}
	} else {
		out.kplus = k0
	}
	return out
}

// syTrain is a spike train of a parrot in steps, with one multiplicity per spike (nil: all 1).
type syTrain struct {
	steps []int64
	mult  []int64
}

// expanded lists every spike once per multiplicity unit.
func (tr syTrain) expanded() []int64 {
	var out []int64
	for i, s := range tr.steps {
		m := int64(1)
		if tr.mult != nil {
			m = tr.mult[i]
		}
		for range m {
			out = append(out, s)
		}
	}
	return out
}

// syRandomTrains draws a presynaptic and a postsynaptic train of n spikes each on [lo, hi] steps,
// then adds postsynaptic spikes exactly at t−d, at t−d±1 step and at t for some presynaptic
// spikes t (the boundary cases of the facilitation window and of the depression look-up).
func syRandomTrains(seed uint64, lo, hi int64, n int, dSteps int64) (pre, post []int64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	draw := func() []int64 {
		set := map[int64]bool{}
		for len(set) < n {
			set[lo+rng.Int64N(hi-lo+1)] = true
		}
		var out []int64
		for s := range set {
			out = append(out, s)
		}
		slices.Sort(out)
		return out
	}
	pre, post = draw(), draw()
	set := map[int64]bool{}
	for _, s := range post {
		set[s] = true
	}
	for i, t := range pre {
		switch i % 4 {
		case 0:
			set[t-dSteps] = true
		case 1:
			set[t-dSteps+1] = true
			set[t-dSteps-1] = true
		case 2:
			set[t] = true
		}
	}
	post = post[:0]
	for s := range set {
		if s >= lo {
			post = append(post, s)
		}
	}
	slices.Sort(post)
	return pre, post
}

// syStdpCase is one STDP replay experiment.
type syStdpCase struct {
	name   string
	h      float64
	d      float64 // synaptic (dendritic) delay in ms
	hom    bool    // stdp_synapse_hom: the parameters are common properties
	p      syStdp  // parameters the replay uses (and that the case sets)
	w0, k0 float64
	pre    syTrain
	post   syTrain
	// expectations about which paths the case exercises
	wantClipHigh, wantClipLow, wantCoincident, wantOrderMatters bool
}

// syStdpParams returns the synapse parameters of p that differ from NEST's defaults.
func syStdpParams(p syStdp) Params {
	out := Params{}
	def := syStdpDefaults
	for _, f := range []struct {
		key      string
		got, def float64
	}{{"tau_plus", p.tauPlus, def.tauPlus}, {"lambda", p.lambda, def.lambda}, {"alpha", p.alpha, def.alpha},
		{"mu_plus", p.muPlus, def.muPlus}, {"mu_minus", p.muMinus, def.muMinus}, {"Wmax", p.wmax, def.wmax}} {
		if f.got != f.def {
			out[f.key] = f.got
		}
	}
	return out
}

// syRunSTDP builds the experiment of c on a kernel with the given threads and simulates it.
// It returns the kernel, the weight_recorder and the two parrots.
func syRunSTDP(t *testing.T, c syStdpCase, threads int) (k *Kernel, wr, parrots NodeCollection) {
	t.Helper()
	k = quietKernel(t, Params{"resolution": c.h, "local_num_threads": threads})
	h := c.h
	wr = syCreate(t, k, "weight_recorder", 1, nil)
	syn := Params{"weight": c.w0, "delay": c.d, "receptor_type": 1}
	if c.hom {
		// common properties: some through CopyModel, the rest through SetDefaults; the recording
		// copy inherits them (CopyModel clones the current defaults)
		common := syStdpParams(c.p)
		first, rest := Params{}, Params{}
		for key, v := range common {
			if key == "Wmax" || key == "lambda" || key == "tau_plus" {
				first[key] = v
			} else {
				rest[key] = v
			}
		}
		syMust(t, k.CopyModel("stdp_synapse_hom", "sy_hom", first))
		syMust(t, k.SetDefaults("sy_hom", rest))
		syMust(t, k.CopyModel("sy_hom", "sy_rec", Params{"weight_recorder": wr}))
		if c.k0 != 0 {
			syMust(t, k.SetDefaults("sy_rec", Params{"Kplus": c.k0}))
		}
	} else {
		syMust(t, k.CopyModel("stdp_synapse", "sy_rec", Params{"weight_recorder": wr}))
		for key, v := range syStdpParams(c.p) { // per-connection parameters in the syn_spec
			syn[key] = v
		}
		if c.k0 != 0 {
			syn["Kplus"] = c.k0
		}
	}
	syn["synapse_model"] = "sy_rec"
	// the generators run 1 ms ahead of the parrots (connection delay 1 ms; with min_delay 1 ms
	// the slices are 1 ms long)
	gSteps := int64(math.Round(1 / h))
	gens := make([]Params, 2)
	for i, tr := range []syTrain{c.pre, c.post} {
		times := make([]float64, len(tr.steps))
		for j, s := range tr.steps {
			times[j] = float64(s-gSteps) * h
		}
		gens[i] = Params{"spike_times": times}
		if tr.mult != nil {
			gens[i]["spike_multiplicities"] = tr.mult
		}
	}
	sg, err := k.CreateEach("spike_generator", gens)
	syMust(t, err)
	parrots = syCreate(t, k, "parrot_neuron", 2, nil)
	pre, _ := parrots.Slice(0, 1, 1)
	post, _ := parrots.Slice(1, 2, 1)
	if c.p.tauMinus != syStdpDefaults.tauMinus {
		syMust(t, k.SetStatus(post, Params{"tau_minus": c.p.tauMinus}))
	}
	syMust(t, k.Connect(sg, parrots, "one_to_one", Params{"delay": 1.0}))
	syMust(t, k.Connect(pre, post, "one_to_one", syn))
	sr := syCreate(t, k, "spike_recorder", 1, nil)
	syMust(t, k.Connect(parrots, sr, nil, nil))

	last := max(c.pre.steps[len(c.pre.steps)-1], c.post.steps[len(c.post.steps)-1])
	dSteps := int64(math.Round(c.d / h))
	syMust(t, k.Simulate(float64(last+2*dSteps+10)*h))

	// the premise: the parrots spiked exactly as intended (the post parrot does not repeat the
	// spikes arriving on receptor 1)
	ev := syEvents(t, k, sr)
	got := map[int64][]int64{}
	for i, s := range ints(ev["senders"]) {
		got[s] = append(got[s], int64(math.Round(floats(ev["times"])[i]/h)))
	}
	for i, tr := range []syTrain{c.pre, c.post} {
		id := int64(parrots.ids[i])
		g := got[id]
		slices.Sort(g)
		if !slices.Equal(g, tr.expanded()) {
			t.Fatalf("parrot %d spiked at steps %v, want %v", id, g, tr.expanded())
		}
	}
	return k, wr, parrots
}

func syStdpCases() []syStdpCase {
	var cases []syStdpCase
	p := syStdpDefaults
	// random trains with boundary coincidences, for several delays and both resolutions
	for _, rc := range []struct {
		h, d float64
	}{{0.1, 1.0}, {0.1, 1.5}, {0.1, 3.0}, {1.0, 1.0}, {1.0, 3.0}} {
		dSteps := int64(math.Round(rc.d / rc.h))
		lo, hi := int64(math.Round(5/rc.h)), int64(math.Round(200/rc.h))
		pre, post := syRandomTrains(uint64(rc.d*10+rc.h*100), lo, hi, 25, dSteps)
		cases = append(cases, syStdpCase{
			name: fmt.Sprintf("h=%g/d=%g", rc.h, rc.d), h: rc.h, d: rc.d, p: p, w0: 50,
			pre: syTrain{steps: pre}, post: syTrain{steps: post}, wantCoincident: true,
		})
	}
	pre, post := syRandomTrains(11, 50, 2000, 30, 15)
	// mu_plus, mu_minus != 1, other tau_minus, lambda, alpha, tau_plus, Wmax and an initial Kplus
	q := syStdp{tauPlus: 15, lambda: 0.05, alpha: 1.3, muPlus: 0.4, muMinus: 0.7, wmax: 80, tauMinus: 33}
	cases = append(cases, syStdpCase{name: "mu_ne_1", h: 0.1, d: 1.5, p: q, w0: 30, k0: 0.7,
		pre: syTrain{steps: pre}, post: syTrain{steps: post}, wantCoincident: true, wantOrderMatters: true})
	// additive rule (mu = 0) with large steps: clipping at Wmax and at 0
	add := syStdp{tauPlus: 20, lambda: 0.6, alpha: 1.5, muPlus: 0, muMinus: 0, wmax: 100, tauMinus: 20}
	cases = append(cases, syStdpCase{name: "clip", h: 0.1, d: 1.0, p: add, w0: 60,
		pre: syTrain{steps: pre}, post: syTrain{steps: post}, wantClipHigh: true, wantClipLow: true})
	// inhibitory weights: weight and Wmax negative
	neg := syStdpDefaults
	neg.wmax, neg.lambda = -50, 0.1
	cases = append(cases, syStdpCase{name: "negative_Wmax", h: 0.1, d: 1.0, p: neg, w0: -20,
		pre: syTrain{steps: pre}, post: syTrain{steps: post}, wantOrderMatters: true})
	// stdp_synapse_hom with every common property changed
	cases = append(cases, syStdpCase{name: "hom", h: 0.1, d: 1.5, hom: true, p: q, w0: 30, k0: 0.4,
		pre: syTrain{steps: pre}, post: syTrain{steps: post}, wantCoincident: true, wantOrderMatters: true})
	cases = append(cases, syStdpCase{name: "hom_clip", h: 1.0, d: 3.0, hom: true, p: add, w0: 60,
		pre: syTrain{steps: []int64{10, 14, 15, 30, 31, 60, 62, 90}}, post: syTrain{steps: []int64{8, 11, 12, 13, 27, 28, 40, 59, 61, 70}},
		wantClipHigh: true, wantClipLow: true})
	// multiplicities: post spikes with multiplicity 2 (two history entries each: facilitation
	// twice, K− jumps by 2); a presynaptic spike with multiplicity 2 is still one STDP update
	multPost := make([]int64, len(post))
	for i := range multPost {
		multPost[i] = int64(1 + i%2)
	}
	multPre := make([]int64, len(pre))
	for i := range multPre {
		multPre[i] = int64(1 + (i/3)%2)
	}
	big := syStdpDefaults
	big.lambda = 0.1
	cases = append(cases, syStdpCase{name: "multiplicity", h: 0.1, d: 1.5, p: big, w0: 50,
		pre: syTrain{steps: pre, mult: multPre}, post: syTrain{steps: post, mult: multPost}, wantCoincident: true, wantOrderMatters: true})
	return cases
}

// TestSTDPReplay compares stdp_synapse and stdp_synapse_hom with the replay: the weight after
// every presynaptic spike (from the weight_recorder), the final weight and Kplus (from
// GetConnections), within 1e-12.
func TestSTDPReplay(t *testing.T) {
	for _, c := range syStdpCases() {
		dSteps := int64(math.Round(c.d / c.h))
		want := syReplay(c.p, c.h, dSteps, c.w0, c.k0, c.pre.steps, c.post.expanded(), false)
		// the case exercises what it claims to
		if want.facilitations == 0 || want.depressions == 0 || want.depressionOnly == 0 {
			t.Fatalf("%s: the trains give %d facilitations, %d depressions, %d depression-only spikes; want all > 0", c.name, want.facilitations, want.depressions, want.depressionOnly)
		}
		if c.wantCoincident && want.coincident == 0 {
			t.Fatalf("%s: no postsynaptic spike at t - d", c.name)
		}
		if c.wantClipHigh && want.clipHigh == 0 || c.wantClipLow && want.clipLow == 0 {
			t.Fatalf("%s: clipping not exercised (%d at Wmax, %d at 0)", c.name, want.clipHigh, want.clipLow)
		}
		if c.wantOrderMatters {
			rev := syReplay(c.p, c.h, dSteps, c.w0, c.k0, c.pre.steps, c.post.expanded(), true)
			if math.Abs(rev.weights[len(rev.weights)-1]-want.weights[len(want.weights)-1]) < 1e-6 {
				t.Fatalf("%s: the order of facilitation and depression does not change the final weight", c.name)
			}
		}
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", c.name, threads), func(t *testing.T) {
				k, wr, parrots := syRunSTDP(t, c, threads)
				ev := syEvents(t, k, wr)
				type wev struct {
					t, w               float64
					s, tg, rport, port int64
				}
				var got []wev
				for i := range ints(ev["senders"]) {
					got = append(got, wev{floats(ev["times"])[i], floats(ev["weights"])[i], ints(ev["senders"])[i],
						ints(ev["targets"])[i], ints(ev["receptors"])[i], ints(ev["ports"])[i]})
				}
				sort.Slice(got, func(a, b int) bool { return got[a].t < got[b].t })
				if len(got) != len(c.pre.steps) {
					t.Fatalf("%d weight_recorder events, want one per presynaptic spike (%d)", len(got), len(c.pre.steps))
				}
				for i, g := range got {
					wt := float64(c.pre.steps[i]) * c.h
					if math.Abs(g.t-wt) > 1e-9 || g.s != int64(parrots.ids[0]) || g.tg != int64(parrots.ids[1]) || g.rport != 1 || g.port != 0 {
						t.Fatalf("event %d: time %g sender %d target %d receptor %d port %d; want %g %d %d 1 0", i, g.t, g.s, g.tg, g.rport, g.port, wt, parrots.ids[0], parrots.ids[1])
					}
					if math.Abs(g.w-want.weights[i]) > 1e-12 {
						t.Fatalf("weight after presynaptic spike %d (t=%g): %.17g, replay %.17g (diff %g)", i, wt, g.w, want.weights[i], g.w-want.weights[i])
					}
				}
				sc, err := k.GetConnections(ConnFilter{SynapseModel: "sy_rec"})
				syMust(t, err)
				cols, err := sc.Get("weight", "Kplus")
				syMust(t, err)
				if sc.Len() != 1 {
					t.Fatalf("%d connections, want 1", sc.Len())
				}
				if w := floats(cols["weight"])[0]; math.Abs(w-want.weights[len(want.weights)-1]) > 1e-12 {
					t.Errorf("final weight %.17g, replay %.17g", w, want.weights[len(want.weights)-1])
				}
				if kp := floats(cols["Kplus"])[0]; math.Abs(kp-want.kplus) > 1e-12 {
					t.Errorf("final Kplus %.17g, replay %.17g", kp, want.kplus)
				}
			})
		}
	}
}

// TestSTDPCoincidence spells out the boundary of nest-spec 3.3 with closed forms: presynaptic
// spikes at 10 and 30 ms, delay 1 ms, one postsynaptic spike near t − d = 29 ms. The target's
// post_trace is the K− value the last depression used (nest-spec 3.5: last computed K value).
//   - at 29.0: facilitates with K+ = e^(−(29+1−10)/20) and does not depress (not strictly before)
//   - at 28.9: facilitates with e^(−(28.9+1−10)/20) and depresses with K− = e^(−0.1/20)
//   - at 29.1: outside the window (after t − d): neither
func TestSTDPCoincidence(t *testing.T) {
	const w0, wmax, lambda = 50.0, 100.0, 0.01
	fac := func(w, k float64) float64 { return (w/wmax + lambda*(1-w/wmax)*k) * wmax }
	dep := func(w, k float64) float64 { return (w/wmax - lambda*(w/wmax)*k) * wmax }
	// the first presynaptic spike sees no postsynaptic spike: w = depress(w0, 0)
	w1 := dep(w0, 0)
	for _, c := range []struct {
		post  int64 // steps of 0.1 ms
		want  float64
		trace float64 // post_trace: the K− value of the last depression (NEST's trace_)
	}{
		{290, dep(fac(w1, math.Exp(-(29.0+1-10)/20)), 0), 0},
		{289, dep(fac(w1, math.Exp(-(28.9+1-10)/20)), math.Exp(-0.1/20)), math.Exp(-0.1 / 20)},
		{291, dep(w1, 0), 0},
	} {
		for _, threads := range []int{1, 2} {
			cs := syStdpCase{h: 0.1, d: 1.0, p: syStdpDefaults, w0: w0,
				pre: syTrain{steps: []int64{100, 300}}, post: syTrain{steps: []int64{c.post}}}
			k, _, parrots := syRunSTDP(t, cs, threads)
			post, _ := parrots.Slice(1, 2, 1)
			st, err := k.GetStatus(post, "post_trace")
			syMust(t, err)
			if tr, _ := st[0]["post_trace"].(float64); math.Abs(tr-c.trace) > 1e-12 {
				t.Errorf("post spike at %g ms, threads %d: post_trace %v, want %.17g", float64(c.post)/10, threads, st[0]["post_trace"], c.trace)
			}
			sc, err := k.GetConnections(ConnFilter{SynapseModel: "sy_rec"})
			syMust(t, err)
			cols, err := sc.Get("weight")
			syMust(t, err)
			if w := floats(cols["weight"])[0]; math.Abs(w-c.want) > 1e-12 {
				t.Errorf("post spike at %g ms, threads %d: final weight %.17g, want %.17g", float64(c.post)/10, threads, w, c.want)
			}
		}
	}
}

// TestSTDPErrors checks the validation of nest-spec 3.3/3.4 and section 9: weight and Wmax of
// stdp_synapse must have the same sign (0 counts as positive), Kplus must not be negative, and
// common properties (every STDP parameter of stdp_synapse_hom, weight_recorder of every model)
// cannot be given in a Connect syn_spec. A failed call changes nothing.
func TestSTDPErrors(t *testing.T) {
	type call func(k *Kernel, pre, post NodeCollection) error
	connect := func(syn Params) call {
		return func(k *Kernel, pre, post NodeCollection) error { return k.Connect(pre, post, "one_to_one", syn) }
	}
	cases := []struct {
		name string
		do   call
		want status.Kind // "" for success
	}{
		{"weight<0,Wmax>0", connect(Params{"synapse_model": "stdp_synapse", "weight": -1.0}), status.BadProperty},
		{"weight>0,Wmax<0", connect(Params{"synapse_model": "stdp_synapse", "weight": 1.0, "Wmax": -100.0}), status.BadProperty},
		{"weight=0,Wmax<0", connect(Params{"synapse_model": "stdp_synapse", "weight": 0.0, "Wmax": -100.0}), status.BadProperty},
		{"weight=0,Wmax>0", connect(Params{"synapse_model": "stdp_synapse", "weight": 0.0}), ""},
		{"weight<0,Wmax<0", connect(Params{"synapse_model": "stdp_synapse", "weight": -2.0, "Wmax": -50.0}), ""},
		{"Kplus<0", connect(Params{"synapse_model": "stdp_synapse", "Kplus": -0.5}), status.BadProperty},
		{"Kplus>0", connect(Params{"synapse_model": "stdp_synapse", "Kplus": 0.5}), ""},
		{"SetDefaults Kplus<0", func(k *Kernel, _, _ NodeCollection) error {
			return k.SetDefaults("stdp_synapse", Params{"Kplus": -1.0})
		}, status.BadProperty},
		{"SetDefaults Wmax<0", func(k *Kernel, _, _ NodeCollection) error {
			return k.SetDefaults("stdp_synapse", Params{"Wmax": -1.0})
		}, status.BadProperty},
		{"CopyModel weight<0", func(k *Kernel, _, _ NodeCollection) error {
			return k.CopyModel("stdp_synapse", "sy_bad", Params{"weight": -1.0})
		}, status.BadProperty},
		{"hom weight<0 (no sign check)", connect(Params{"synapse_model": "stdp_synapse_hom", "weight": -1.0}), ""},
		{"stdp_synapse weight_recorder in syn_spec", func(k *Kernel, pre, post NodeCollection) error {
			wr := syCreate(t, k, "weight_recorder", 1, nil)
			return k.Connect(pre, post, "one_to_one", Params{"synapse_model": "stdp_synapse", "weight_recorder": wr})
		}, status.NotImplemented},
		{"static_synapse weight_recorder in syn_spec", func(k *Kernel, pre, post NodeCollection) error {
			wr := syCreate(t, k, "weight_recorder", 1, nil)
			return k.Connect(pre, post, "one_to_one", Params{"weight_recorder": wr})
		}, status.NotImplemented},
		{"stdp_synapse per-connection tau_plus", connect(Params{"synapse_model": "stdp_synapse", "tau_plus": 10.0}), ""},
	}
	for _, key := range []string{"tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax"} {
		cases = append(cases, struct {
			name string
			do   call
			want status.Kind
		}{"hom " + key + " in syn_spec", connect(Params{"synapse_model": "stdp_synapse_hom", key: 1.0}), status.NotImplemented})
	}
	for _, c := range cases {
		k := quietKernel(t, nil)
		n := syCreate(t, k, "iaf_psc_alpha", 4, nil)
		pre, _ := n.Slice(0, 2, 1)
		post, _ := n.Slice(2, 4, 1)
		before, err := k.GetDefaults("stdp_synapse")
		syMust(t, err)
		err = c.do(k, pre, post)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v, want success", c.name, err)
			}
			continue
		}
		syWantKind(t, c.name, err, c.want)
		ks, _ := k.GetKernelStatus("num_connections")
		if nc := ks["num_connections"].(int64); nc != 0 {
			t.Errorf("%s: %d connections after the failed call, want 0", c.name, nc)
		}
		after, _ := k.GetDefaults("stdp_synapse")
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("%s: stdp_synapse defaults changed by the failed call:\n%v\n%v", c.name, before, after)
		}
		if slices.Contains(k.Models(), "sy_bad") {
			t.Errorf("%s: the failed CopyModel created the model", c.name)
		}
	}

	// Setting connection status validates too, all or nothing.
	k := quietKernel(t, nil)
	n := syCreate(t, k, "iaf_psc_alpha", 2, nil)
	pre, _ := n.Slice(0, 1, 1)
	post, _ := n.Slice(1, 2, 1)
	syMust(t, k.Connect(pre, post, nil, Params{"synapse_model": "stdp_synapse", "weight": 5.0, "Kplus": 0.25}))
	sc, err := k.GetConnections(ConnFilter{})
	syMust(t, err)
	for _, p := range []Params{{"weight": -1.0}, {"Kplus": -1.0}, {"Wmax": -10.0}, {"weight": 7.0, "Kplus": -1.0}} {
		syWantKind(t, fmt.Sprintf("Set(%v)", p), sc.Set(p), status.BadProperty)
	}
	cols, err := sc.Get("weight", "Kplus", "Wmax")
	syMust(t, err)
	if w, kp, wm := floats(cols["weight"])[0], floats(cols["Kplus"])[0], floats(cols["Wmax"])[0]; w != 5 || kp != 0.25 || wm != 100 {
		t.Errorf("after failed Set: weight %g Kplus %g Wmax %g, want 5 0.25 100", w, kp, wm)
	}
	syMust(t, sc.Set(Params{"weight": -3.0, "Wmax": -10.0}))
	cols, _ = sc.Get("weight", "Wmax")
	if w, wm := floats(cols["weight"])[0], floats(cols["Wmax"])[0]; w != -3 || wm != -10 {
		t.Errorf("after Set of weight and Wmax together: weight %g Wmax %g, want -3 -10", w, wm)
	}
}

// TestSTDPHomDefaults checks that stdp_synapse_hom's common properties set by CopyModel and
// SetDefaults are reported by GetDefaults of the copy and leave the original model unchanged.
func TestSTDPHomDefaults(t *testing.T) {
	k := quietKernel(t, nil)
	syMust(t, k.CopyModel("stdp_synapse_hom", "sy_hom", Params{"lambda": 0.2, "Wmax": 7.0}))
	syMust(t, k.SetDefaults("sy_hom", Params{"mu_plus": 0.5, "tau_plus": 12.0}))
	d, err := k.GetDefaults("sy_hom")
	syMust(t, err)
	want := map[string]float64{"lambda": 0.2, "Wmax": 7, "mu_plus": 0.5, "tau_plus": 12, "alpha": 1, "mu_minus": 1}
	for key, v := range want {
		if d[key] != v {
			t.Errorf("GetDefaults(sy_hom)[%s] = %v, want %g", key, d[key], v)
		}
	}
	base, _ := k.GetDefaults("stdp_synapse_hom")
	if base["lambda"] != 0.01 || base["Wmax"] != 100.0 {
		t.Errorf("the copy changed stdp_synapse_hom: lambda %v Wmax %v", base["lambda"], base["Wmax"])
	}
}

// TestSTDPSharedTarget puts two stdp_synapse connections with different delays (1 and 3 ms) onto
// one postsynaptic parrot: the frequent presynaptic train of the first lets the target prune
// history entries, which the rarely spiking second connection must still find (nest-spec 3.5:
// an entry goes only when every STDP connection has read it and it is older than max_delay +
// min_delay). The connections are made after a first Simulate in which the target already
// spiked: those spikes are not archived (no STDP connection yet), so the replay ignores them.
func TestSTDPSharedTarget(t *testing.T) {
	const h = 0.1
	fast, post := syRandomTrains(5, 150, 3000, 60, 10)
	slow := []int64{1200, 2500, 2990}
	early := []int64{30, 60} // post spikes before the connections exist
	for _, threads := range []int{1, 2, 3} {
		// the delays of the later connections must lie within the extrema fixed by the first Simulate
		k := quietKernel(t, Params{"local_num_threads": threads, "min_delay": 1.0, "max_delay": 3.0})
		wr := syCreate(t, k, "weight_recorder", 1, nil)
		syMust(t, k.CopyModel("stdp_synapse", "sy_rec", Params{"weight_recorder": wr}))
		trains := [][]int64{fast, slow, append(slices.Clone(early), post...)}
		gens := make([]Params, 3)
		for i, tr := range trains {
			times := make([]float64, len(tr))
			for j, s := range tr {
				times[j] = float64(s-10) * h
			}
			gens[i] = Params{"spike_times": times}
		}
		sg, err := k.CreateEach("spike_generator", gens)
		syMust(t, err)
		parrots := syCreate(t, k, "parrot_neuron", 3, nil)
		syMust(t, k.Connect(sg, parrots, "one_to_one", Params{"delay": 1.0}))
		syMust(t, k.Simulate(10))
		target, _ := parrots.Slice(2, 3, 1)
		for i, d := range []float64{1.0, 3.0} {
			src, _ := parrots.Slice(i, i+1, 1)
			syMust(t, k.Connect(src, target, nil, Params{"synapse_model": "sy_rec", "weight": 40.0, "delay": d, "receptor_type": 1}))
		}
		syMust(t, k.Simulate(float64(3000+40)*h-10))

		ev := syEvents(t, k, wr)
		got := map[int64][]float64{}
		type tw struct{ t, w float64 }
		seq := map[int64][]tw{}
		for i, s := range ints(ev["senders"]) {
			seq[s] = append(seq[s], tw{floats(ev["times"])[i], floats(ev["weights"])[i]})
		}
		for s, xs := range seq {
			sort.Slice(xs, func(a, b int) bool { return xs[a].t < xs[b].t })
			for _, x := range xs {
				got[s] = append(got[s], x.w)
			}
		}
		for i, c := range []struct {
			pre    []int64
			dSteps int64
		}{{fast, 10}, {slow, 30}} {
			want := syReplay(syStdpDefaults, h, c.dSteps, 40, 0, c.pre, post, false)
			g := got[int64(parrots.ids[i])]
			if len(g) != len(want.weights) {
				t.Fatalf("threads %d, connection %d: %d events, want %d", threads, i, len(g), len(want.weights))
			}
			for j := range g {
				if math.Abs(g[j]-want.weights[j]) > 1e-12 {
					t.Fatalf("threads %d, connection %d (d = %d steps), presynaptic spike %d: weight %.17g, replay %.17g",
						threads, i, c.dSteps, j, g[j], want.weights[j])
				}
			}
		}
	}
}
