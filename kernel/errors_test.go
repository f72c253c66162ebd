package kernel

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// errNet is the network every error case starts from: three iaf_psc_alpha (ids 1-3), a
// parrot_neuron (4), a spike_generator (5), a poisson_generator (6, so that the random streams
// matter), a spike_recorder (7) and a multimeter (8).
type errNet struct {
	n, n1, n2, n3, parrot, sg, pg, sr, mm NodeCollection
}

func buildErrNet(t *testing.T, userDelays bool) (*Kernel, *errNet) {
	t.Helper()
	k := quietKernel(t, nil)
	if userDelays {
		must(t, k.SetKernelStatus(Params{"min_delay": 0.5, "max_delay": 3.0}))
	}
	e := &errNet{}
	e.n = mustCreate(t, k, "iaf_psc_alpha", 3, Params{"I_e": []float64{400, 0, 0}})
	e.n1, _ = e.n.Slice(0, 1, 1)
	e.n2, _ = e.n.Slice(1, 2, 1)
	e.n3, _ = e.n.Slice(2, 3, 1)
	e.parrot = mustCreate(t, k, "parrot_neuron", 1, nil)
	e.sg = mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{5, 10}})
	e.pg = mustCreate(t, k, "poisson_generator", 1, Params{"rate": 5000.0})
	e.sr = mustCreate(t, k, "spike_recorder", 1, nil)
	e.mm = mustCreate(t, k, "multimeter", 1, Params{"interval": 1.0, "record_from": []string{"V_m"}})
	must(t, k.Connect(e.n1, e.n2, nil, Params{"weight": 50.0, "delay": 1.0}))
	must(t, k.Connect(e.sg, e.parrot, nil, Params{"delay": 1.0}))
	must(t, k.Connect(e.parrot, e.n3, nil, Params{"weight": 30.0, "delay": 2.0}))
	must(t, k.Connect(e.pg, e.n3, nil, Params{"weight": 20.0, "delay": 1.0}))
	all, _ := e.n.Concat(e.parrot)
	must(t, k.Connect(all, e.sr, nil, nil))
	mmt, _ := e.n2.Concat(e.n3)
	must(t, k.Connect(e.mm, mmt, nil, nil))
	return k, e
}

// fingerprint renders everything observable about a kernel: kernel status (without wall-clock
// timers), every node's status (recorded events included), all connections and the defaults of
// every model.
func fingerprint(t *testing.T, k *Kernel) string {
	t.Helper()
	var b strings.Builder
	ks, err := k.GetKernelStatus()
	must(t, err)
	for key := range ks {
		if strings.HasPrefix(key, "time_") {
			delete(ks, key)
		}
	}
	fmt.Fprintln(&b, ks)
	n := ks["network_size"].(int64)
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(i + 1)
	}
	if n > 0 {
		nc, err := k.NodeCollection(ids)
		must(t, err)
		st, err := k.GetStatus(nc)
		must(t, err)
		fmt.Fprintln(&b, st)
	}
	sc, err := k.GetConnections(ConnFilter{})
	must(t, err)
	cols, err := sc.Get()
	must(t, err)
	fmt.Fprintln(&b, cols)
	for _, m := range k.Models() {
		d, err := k.GetDefaults(m)
		must(t, err)
		fmt.Fprintln(&b, m, d)
	}
	return b.String()
}

type errCase struct {
	name       string
	userDelays bool
	pre        func(k *Kernel, e *errNet) error // run before the snapshot
	op         func(k *Kernel, e *errNet) error // must fail
	post       func(k *Kernel, e *errNet) error // run after the failure (e.g. Cleanup)
	kind       status.Kind
	mention    []string // substrings the message must contain (model, key, node)
}

func errCases() []errCase {
	prepare := func(k *Kernel, _ *errNet) error { return k.Prepare() }
	cleanup := func(k *Kernel, _ *errNet) error { return k.Cleanup() }
	sim5 := func(k *Kernel, _ *errNet) error { return k.Simulate(5) }
	return []errCase{
		// unknown models
		{name: "Create unknown model", op: func(k *Kernel, e *errNet) error { _, err := k.Create("iaf_psc_foo", 2); return err },
			kind: status.UnknownModelName, mention: []string{"iaf_psc_foo"}},
		{name: "GetDefaults unknown model", op: func(k *Kernel, e *errNet) error { _, err := k.GetDefaults("iaf_psc_foo"); return err },
			kind: status.UnknownModelName, mention: []string{"iaf_psc_foo"}},
		{name: "CopyModel unknown source", op: func(k *Kernel, e *errNet) error { return k.CopyModel("iaf_psc_foo", "my_model", nil) },
			kind: status.UnknownModelName, mention: []string{"iaf_psc_foo"}},
		{name: "CopyModel existing node model", op: func(k *Kernel, e *errNet) error { return k.CopyModel("iaf_psc_alpha", "iaf_psc_exp", nil) },
			kind: status.NewModelNameExists, mention: []string{"iaf_psc_exp"}},
		{name: "CopyModel existing synapse model", op: func(k *Kernel, e *errNet) error { return k.CopyModel("static_synapse", "stdp_synapse", nil) },
			kind: status.NewModelNameExists, mention: []string{"stdp_synapse"}},
		{name: "CopyModel bad params", op: func(k *Kernel, e *errNet) error {
			return k.CopyModel("iaf_psc_alpha", "my_alpha", Params{"C_m": -1.0})
		}, kind: status.BadProperty, mention: []string{"C_m"}},
		{name: "Connect unknown synapse", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"synapse_model": "foo_synapse"})
		}, kind: status.UnknownSynapseType, mention: []string{"foo_synapse"}},
		// unknown keys
		{name: "Create unknown key", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("iaf_psc_alpha", 2, Params{"I_e": 5.0, "foo": 1.0})
			return err
		}, kind: status.UnaccessedDictionaryEntry, mention: []string{"foo", "iaf_psc_alpha"}},
		{name: "Create device unknown key", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("dc_generator", 1, Params{"amplitud": 5.0})
			return err
		}, kind: status.UnaccessedDictionaryEntry, mention: []string{"amplitud", "dc_generator"}},
		{name: "SetStatus unknown key", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n, Params{"V_m": -60.0, "foo": 1.0}) },
			kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		{name: "SetStatus device unknown key", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"start": 1.0, "foo": 1.0}) },
			kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		{name: "SetDefaults unknown key", op: func(k *Kernel, e *errNet) error {
			return k.SetDefaults("iaf_psc_alpha", Params{"C_m": 200.0, "foo": 1.0})
		},
			kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		{name: "SetDefaults synapse unknown key", op: func(k *Kernel, e *errNet) error {
			return k.SetDefaults("static_synapse", Params{"weight": 2.0, "foo": 1.0})
		},
			kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		{name: "SetKernelStatus unknown key", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"print_time": true, "foo": 1.0}) },
			kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		{name: "Connect conn_spec unknown key", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, Params{"rule": "all_to_all", "foo": 1.0}, nil)
		}, kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		{name: "Connect syn_spec unknown key", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"weight": 2.0, "foo": 1.0})
		}, kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		// type mismatches
		{name: "record_to float", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"record_to": 1.0}) },
			kind: status.TypeMismatch, mention: []string{"record_to"}},
		{name: "label int", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"label": 3}) },
			kind: status.TypeMismatch, mention: []string{"label"}},
		{name: "time_in_steps float", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"time_in_steps": 1.5}) },
			kind: status.TypeMismatch, mention: []string{"time_in_steps"}},
		{name: "precision float", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"precision": 2.5}) },
			kind: status.TypeMismatch, mention: []string{"precision"}},
		{name: "local_num_threads float", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"local_num_threads": 1.5}) },
			kind: status.TypeMismatch, mention: []string{"local_num_threads"}},
		{name: "print_time string", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"print_time": "yes"}) },
			kind: status.TypeMismatch, mention: []string{"print_time"}},
		{name: "I_e string", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n1, Params{"I_e": "big"}) },
			kind: status.TypeMismatch, mention: []string{"I_e"}},
		// delays
		{name: "delay below resolution", op: func(k *Kernel, e *errNet) error { return k.Connect(e.n1, e.n3, nil, Params{"delay": 0.04}) },
			kind: status.BadDelay, mention: []string{"resolution"}},
		{name: "delay zero", op: func(k *Kernel, e *errNet) error { return k.Connect(e.n1, e.n3, nil, Params{"delay": 0.0}) },
			kind: status.BadDelay, mention: []string{"elay"}},
		{name: "random delay below resolution", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n, e.n, Params{"rule": "fixed_indegree", "indegree": 2},
				Params{"weight": connect.Normal(10, 2), "delay": connect.Uniform(-1.0, 1.0)})
		}, kind: status.BadDelay, mention: []string{"elay"}},
		{name: "default delay below resolution", pre: func(k *Kernel, e *errNet) error {
			return k.CopyModel("static_synapse", "short_syn", Params{"delay": 0.01})
		}, op: func(k *Kernel, e *errNet) error { return k.Connect(e.n1, e.n3, nil, "short_syn") },
			kind: status.BadDelay, mention: []string{"elay"}},
		{name: "delay above max after Simulate", pre: sim5, op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"delay": 5.0})
		}, kind: status.BadDelay, mention: []string{"elay"}},
		{name: "delay below min after Simulate", pre: sim5, op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"delay": 0.5})
		}, kind: status.BadDelay, mention: []string{"elay"}},
		{name: "delay outside user extrema", userDelays: true, op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"delay": 3.5})
		}, kind: status.BadDelay, mention: []string{"elay"}},
		{name: "delay below user min", userDelays: true, op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"delay": 0.2})
		}, kind: status.BadDelay, mention: []string{"elay"}},
		{name: "min_delay alone", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"min_delay": 0.5}) },
			kind: status.BadProperty, mention: []string{"min_delay", "max_delay"}},
		{name: "max_delay alone", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"max_delay": 5.0}) },
			kind: status.BadProperty, mention: []string{"max_delay"}},
		{name: "min/max_delay after connections", op: func(k *Kernel, e *errNet) error {
			return k.SetKernelStatus(Params{"min_delay": 0.5, "max_delay": 5.0})
		}, kind: status.BadProperty, mention: []string{"min_delay"}},
		// neuron parameters
		{name: "C_m zero", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n1, Params{"C_m": 0.0}) },
			kind: status.BadProperty, mention: []string{"iaf_psc_alpha", "C_m"}},
		{name: "tau_m negative", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n1, Params{"tau_m": -1.0}) },
			kind: status.BadProperty, mention: []string{"iaf_psc_alpha", "tau_m"}},
		{name: "tau_syn_ex zero", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n1, Params{"tau_syn_ex": 0.0}) },
			kind: status.BadProperty, mention: []string{"iaf_psc_alpha", "tau_syn_ex"}},
		{name: "t_ref negative", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n1, Params{"t_ref": -0.1}) },
			kind: status.BadProperty, mention: []string{"iaf_psc_alpha", "t_ref"}},
		{name: "V_reset above V_th", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n1, Params{"V_reset": -50.0}) },
			kind: status.BadProperty, mention: []string{"iaf_psc_alpha", "V_reset"}},
		{name: "V_th below V_reset", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n, Params{"V_th": -75.0, "I_e": 10.0}) },
			kind: status.BadProperty, mention: []string{"iaf_psc_alpha", "V_th"}},
		{name: "SetStatus list, one bad value", op: func(k *Kernel, e *errNet) error {
			return k.SetStatus(e.n, Params{"C_m": []float64{200, -1, 200}, "I_e": []float64{1, 2, 3}})
		}, kind: status.BadProperty, mention: []string{"C_m", "node 2"}},
		{name: "SetStatusEach, last bad", op: func(k *Kernel, e *errNet) error {
			return k.SetStatusEach(e.n, []Params{{"I_e": 1.0}, {"I_e": 2.0}, {"tau_m": 0.0}})
		}, kind: status.BadProperty, mention: []string{"tau_m"}},
		{name: "Create bad C_m with random V_m", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("iaf_psc_alpha", 5, Params{"V_m": connect.Normal(-60, 3), "C_m": -1.0})
			return err
		}, kind: status.BadProperty, mention: []string{"C_m"}},
		{name: "Create bad per-node tau_m", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("iaf_psc_exp", 3, Params{"V_m": connect.Normal(-60, 3), "tau_m": []float64{10, 10, -1}})
			return err
		}, kind: status.BadProperty, mention: []string{"iaf_psc_exp", "tau_m"}},
		{name: "SetDefaults bad V_reset", op: func(k *Kernel, e *errNet) error { return k.SetDefaults("iaf_psc_alpha", Params{"V_reset": 0.0}) },
			kind: status.BadProperty, mention: []string{"iaf_psc_alpha", "V_reset"}},
		{name: "iaf_psc_exp tau_syn_in zero", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("iaf_psc_exp", 1, Params{"tau_syn_in": 0.0})
			return err
		}, kind: status.BadProperty, mention: []string{"iaf_psc_exp"}},
		{name: "iaf_psc_delta C_m negative", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("iaf_psc_delta", 1, Params{"C_m": -3.0})
			return err
		}, kind: status.BadProperty, mention: []string{"iaf_psc_delta", "C_m"}},
		{name: "tau_minus zero", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.n1, Params{"tau_minus": 0.0}) },
			kind: status.BadProperty, mention: []string{"tau_minus"}},
		{name: "poisson rate negative", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.pg, Params{"rate": -1.0}) },
			kind: status.BadProperty, mention: []string{"poisson_generator", "rate"}},
		{name: "poisson rate too large", pre: func(k *Kernel, e *errNet) error { return k.SetStatus(e.pg, Params{"rate": 1e300}) },
			op:   func(k *Kernel, e *errNet) error { return k.Simulate(5) },
			post: func(k *Kernel, e *errNet) error { return k.SetStatus(e.pg, Params{"rate": 5000.0}) },
			kind: status.BadProperty, mention: []string{"poisson_generator", "rate"}},
		{name: "poisson rate NaN", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.pg, Params{"rate": math.NaN()}) },
			kind: status.BadProperty, mention: []string{"poisson_generator", "rate"}},
		{name: "SetDefaults device unknown key", op: func(k *Kernel, e *errNet) error {
			return k.SetDefaults("spike_recorder", Params{"start": 5.0, "foo": 1.0})
		}, kind: status.UnaccessedDictionaryEntry, mention: []string{"foo"}},
		{name: "SetDefaults device bad value", op: func(k *Kernel, e *errNet) error {
			return k.SetDefaults("poisson_generator", Params{"start": 5.0, "rate": -3.0})
		}, kind: status.BadProperty, mention: []string{"rate"}},
		// device windows and multimeters
		{name: "start off grid", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"start": 0.05}) },
			kind: status.BadProperty, mention: []string{"spike_recorder", "start"}},
		{name: "stop off grid", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.pg, Params{"stop": 10.01}) },
			kind: status.BadProperty, mention: []string{"poisson_generator", "stop"}},
		{name: "origin off grid", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sg, Params{"origin": 0.33}) },
			kind: status.BadProperty, mention: []string{"spike_generator", "origin"}},
		{name: "stop before start", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"start": 5.0, "stop": 2.0}) },
			kind: status.BadProperty, mention: []string{"spike_recorder", "stop"}},
		{name: "interval off grid", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("multimeter", 1, Params{"interval": 0.15})
			return err
		}, kind: status.BadProperty, mention: []string{"multimeter", "interval"}},
		{name: "interval below resolution", op: func(k *Kernel, e *errNet) error {
			_, err := k.Create("voltmeter", 1, Params{"interval": 0.0})
			return err
		}, kind: status.BadProperty, mention: []string{"voltmeter", "interval"}},
		{name: "unknown recording backend", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"record_to": "sionlib2"}) },
			kind: status.BadProperty, mention: []string{"sionlib2"}},
		{name: "spike_times unsorted", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sg, Params{"spike_times": []float64{3, 2}}) },
			kind: status.BadProperty, mention: []string{"spike_generator"}},
		{name: "multimeter interval after connect", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.mm, Params{"interval": 0.5}) },
			kind: status.BadProperty, mention: []string{"multimeter", "interval"}},
		{name: "multimeter offset after connect", op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.mm, Params{"offset": 0.5}) },
			kind: status.BadProperty, mention: []string{"multimeter", "offset"}},
		{name: "multimeter record_from after connect", op: func(k *Kernel, e *errNet) error {
			return k.SetStatus(e.mm, Params{"record_from": []string{"V_m", "I_syn_ex"}})
		}, kind: status.BadProperty, mention: []string{"multimeter", "record_from"}},
		{name: "recorder change within Prepare", pre: prepare, op: func(k *Kernel, e *errNet) error {
			return k.SetStatus(e.sr, Params{"start": 1.0})
		}, post: cleanup, kind: status.BadProperty, mention: []string{"spike_recorder"}},
		{name: "n_events nonzero", pre: sim5, op: func(k *Kernel, e *errNet) error { return k.SetStatus(e.sr, Params{"n_events": 2}) },
			kind: status.BadProperty, mention: []string{"n_events"}},
		{name: "time_in_steps after Simulate", pre: sim5, op: func(k *Kernel, e *errNet) error {
			return k.SetStatus(e.sr, Params{"time_in_steps": true})
		}, kind: status.BadProperty, mention: []string{"time_in_steps"}},
		// connections
		{name: "neuron to multimeter", op: func(k *Kernel, e *errNet) error { return k.Connect(e.n1, e.mm, nil, nil) },
			kind: status.IllegalConnection, mention: []string{"multimeter"}},
		{name: "neuron to generator", op: func(k *Kernel, e *errNet) error { return k.Connect(e.n1, e.pg, nil, nil) },
			kind: status.IllegalConnection, mention: []string{"stimulation device"}},
		{name: "recorder as source", op: func(k *Kernel, e *errNet) error { return k.Connect(e.sr, e.n1, nil, nil) },
			kind: status.IllegalConnection, mention: []string{"recorder"}},
		{name: "multimeter unknown recordable", pre: func(k *Kernel, e *errNet) error {
			_, err := k.Create("multimeter", 1, Params{"record_from": []string{"g_ex"}}) // node 9
			return err
		}, op: func(k *Kernel, e *errNet) error {
			mm, err := k.NodeCollection([]uint64{9})
			if err != nil {
				return err
			}
			return k.Connect(mm, e.n, nil, nil)
		}, kind: status.IllegalConnection, mention: []string{"g_ex", "iaf_psc_alpha"}},
		{name: "receptor not supported", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"receptor_type": 1})
		}, kind: status.UnknownReceptorType, mention: []string{"iaf_psc_alpha"}},
		{name: "generator with two synapse models", pre: func(k *Kernel, e *errNet) error {
			return k.CopyModel("static_synapse", "my_static", nil)
		}, op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.pg, e.n1, nil, Params{"synapse_model": "my_static"})
		}, kind: status.IllegalConnection, mention: []string{"static_synapse"}},
		{name: "common property in syn_spec", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n1, e.n3, nil, Params{"weight_recorder": 0})
		}, kind: status.NotImplemented, mention: []string{"weight_recorder"}},
		{name: "indegree above population without multapses", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n, e.n1, Params{"rule": "fixed_indegree", "indegree": 4, "allow_multapses": false}, nil)
		}, kind: status.BadProperty, mention: []string{"indegree"}},
		{name: "negative indegree", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n, e.n1, Params{"rule": "fixed_indegree", "indegree": -1}, nil)
		}, kind: status.BadProperty, mention: []string{"indegree"}},
		{name: "probability above 1", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n, e.n, Params{"rule": "pairwise_bernoulli", "p": 1.5}, nil)
		}, kind: status.BadProperty, mention: []string{"p=1.5"}},
		{name: "fixed_total_number without multapses", op: func(k *Kernel, e *errNet) error {
			return k.Connect(e.n, e.n, Params{"rule": "fixed_total_number", "N": 2, "allow_multapses": false}, nil)
		}, kind: status.NotImplemented, mention: []string{"allow_multapses"}},
		// kernel
		{name: "rng_seed zero", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"rng_seed": 0}) },
			kind: status.BadProperty, mention: []string{"rng_seed"}},
		{name: "rng_seed 2^32", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"rng_seed": int64(1) << 32}) },
			kind: status.BadProperty, mention: []string{"rng_seed"}},
		{name: "unknown rng_type", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"rng_type": "mt19937"}) },
			kind: status.BadProperty, mention: []string{"mt19937"}},
		{name: "bad kernel dict is all or nothing", op: func(k *Kernel, e *errNet) error {
			return k.SetKernelStatus(Params{"rng_seed": 77, "print_time": true, "data_prefix": "a/b"})
		}, kind: status.BadProperty, mention: []string{"data_prefix"}},
		{name: "resolution after nodes", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"resolution": 0.2}) },
			kind: status.KernelException, mention: []string{"resolution"}},
		{name: "threads after nodes", op: func(k *Kernel, e *errNet) error { return k.SetKernelStatus(Params{"local_num_threads": 2}) },
			kind: status.KernelException, mention: []string{"threads"}},
		{name: "Simulate below resolution", op: func(k *Kernel, e *errNet) error { return k.Simulate(0.05) },
			kind: status.KernelException, mention: []string{"Simulate"}},
		{name: "Simulate negative", op: func(k *Kernel, e *errNet) error { return k.Simulate(-1) },
			kind: status.KernelException, mention: []string{"Simulate"}},
		{name: "Simulate NaN", op: func(k *Kernel, e *errNet) error { return k.Simulate(math.NaN()) },
			kind: status.KernelException, mention: []string{"Simulate"}},
		{name: "Simulate infinite", op: func(k *Kernel, e *errNet) error { return k.Simulate(math.Inf(1)) },
			kind: status.KernelException, mention: []string{"Simulate"}},
		{name: "Simulate overflow", op: func(k *Kernel, e *errNet) error { return k.Simulate(1e300) },
			kind: status.KernelException, mention: []string{"Simulate"}},
		{name: "Prepare twice", pre: prepare, op: func(k *Kernel, e *errNet) error { return k.Prepare() }, post: cleanup,
			kind: status.KernelException, mention: []string{"Prepare"}},
		{name: "Run without Prepare", op: func(k *Kernel, e *errNet) error { return k.Run(5) },
			kind: status.KernelException, mention: []string{"Prepare"}},
		{name: "Cleanup without Prepare", op: func(k *Kernel, e *errNet) error { return k.Cleanup() },
			kind: status.KernelException, mention: []string{"Prepare"}},
		{name: "unknown node id", op: func(k *Kernel, e *errNet) error { _, err := k.NodeCollection([]uint64{1, 99}); return err },
			kind: status.UnknownNode, mention: []string{"99"}},
		{name: "ConnectArrays unknown node", op: func(k *Kernel, e *errNet) error {
			return k.ConnectArrays([]uint64{1, 2}, []uint64{3, 42}, nil)
		}, kind: status.UnknownNode, mention: []string{"42"}},
	}
}

// TestErrors runs every error case on a fresh network: the call fails with the named kind and a
// message naming the model or key; nothing observable changes (status, connections, defaults,
// recorded data); and the kernel still simulates exactly as a kernel that never saw the call.
func TestErrors(t *testing.T) {
	for _, c := range errCases() {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			run := func(withOp bool) string {
				k, e := buildErrNet(t, c.userDelays)
				if c.pre != nil {
					must(t, c.pre(k, e))
				}
				if withOp {
					before := fingerprint(t, k)
					err := c.op(k, e)
					if err == nil {
						t.Fatalf("no error, want %s", c.kind)
					}
					t.Log(err)
					if got := status.KindOf(err); got != c.kind {
						t.Fatalf("error kind %q (%v), want %s", got, err, c.kind)
					}
					for _, m := range c.mention {
						if !strings.Contains(err.Error(), m) {
							t.Errorf("message %q does not mention %q", err.Error(), m)
						}
					}
					if after := fingerprint(t, k); after != before {
						t.Fatalf("kernel changed by the failed call: %s", firstDiff(before, after))
					}
				}
				if c.post != nil {
					must(t, c.post(k, e))
				}
				must(t, k.Simulate(20))
				return fingerprint(t, k)
			}
			if got, want := run(true), run(false); got != want {
				t.Fatalf("simulation after the failed call differs from one without it: %s", firstDiff(want, got))
			}
		})
	}
}

// TestIntForDouble: an int given for a double parameter is accepted and converted.
func TestIntForDouble(t *testing.T) {
	k := quietKernel(t, nil)
	n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 376})
	must(t, k.SetStatus(n, Params{"C_m": int64(250), "V_th": -55}))
	st, err := k.GetStatus(n, "I_e", "C_m")
	must(t, err)
	if st[0]["I_e"] != 376.0 || st[0]["C_m"] != 250.0 {
		t.Errorf("status %v", st[0])
	}
	dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": 100})
	must(t, k.Connect(dc, n, nil, Params{"weight": 1, "delay": 1}))
	must(t, k.SetKernelStatus(Params{"rng_seed": 12.0}))
}

// TestResetAfterErrors: after a series of failed calls, ResetKernel gives a working kernel.
func TestResetAfterErrors(t *testing.T) {
	k, e := buildErrNet(t, false)
	for _, c := range errCases() {
		if c.pre == nil && c.post == nil {
			_ = c.op(k, e)
		}
	}
	k.ResetKernel()
	n := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1000.0})
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	must(t, k.Connect(n, sr, nil, nil))
	must(t, k.Simulate(102))
	if got := len(floats(eventsOf(t, k, sr)["times"])); got != 15 {
		t.Fatalf("%d spikes after ResetKernel, want 15", got)
	}
}

// firstDiff shows where two fingerprints first differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-150)
	return fmt.Sprintf("at byte %d:\n  was ...%s\n  now ...%s", i, a[lo:min(len(a), i+150)], b[lo:min(len(b), i+150)])
}

// panicBlock is a neuron block whose update fails after a while (an error inside the loop).
type panicBlock struct {
	models.Block
	steps int
}

func (p *panicBlock) Update(s *models.Step) {
	if p.steps++; p.steps > 25 {
		panic("update failed")
	}
	p.Block.Update(s)
}

// TestErrorDuringUpdate: an error inside the simulation loop is returned by Simulate; the kernel is
// then inconsistent, every call but ResetKernel returns a KernelException that says so, and
// ResetKernel gives a working kernel again.
func TestErrorDuringUpdate(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := quietKernel(t, Params{"local_num_threads": threads})
		n := mustCreate(t, k, "iaf_psc_alpha", 4, Params{"I_e": 1000.0})
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(n, sr, nil, nil))
		b := k.vps[threads-1].blocks[0]
		b.b = &panicBlock{Block: b.b}
		if err := k.Simulate(10); err == nil || !strings.Contains(err.Error(), "update failed") {
			t.Fatalf("threads %d: Simulate returned %v, want the update error", threads, err)
		}
		for name, call := range map[string]func() error{
			"Simulate": func() error { return k.Simulate(1) },
			"Prepare":  k.Prepare,
			"Create":   func() error { _, err := k.Create("iaf_psc_alpha", 1); return err },
			"Connect":  func() error { return k.Connect(n, n, nil, nil) },
		} {
			err := call()
			if status.KindOf(err) != status.KernelException || !strings.Contains(err.Error(), "ResetKernel") {
				t.Errorf("threads %d: %s after the failure: %v, want KernelException asking for ResetKernel", threads, name, err)
			}
		}
		k.ResetKernel()
		n = mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 1000.0})
		sr = mustCreate(t, k, "spike_recorder", 1, nil)
		must(t, k.Connect(n, sr, nil, nil))
		must(t, k.Simulate(10))
		assertClose(t, "spikes after ResetKernel", floats(eventsOf(t, k, sr)["times"]), []float64{4.8}, 1e-9)
	}
}

// TestDictMissIsError: with dict_miss_is_error false, unknown keys are warnings, not errors, and
// the known keys of the same dictionary are applied.
func TestDictMissIsError(t *testing.T) {
	var log strings.Builder
	k, err := New(Options{Log: &log})
	must(t, err)
	defer k.Close()
	must(t, k.SetKernelStatus(Params{"dict_miss_is_error": false}))
	n, err := k.Create("iaf_psc_alpha", 1, Params{"I_e": 5.0, "foo": 1.0})
	must(t, err)
	must(t, k.SetStatus(n, Params{"I_e": 7.0, "bar": 1.0}))
	must(t, k.SetKernelStatus(Params{"baz": 1.0, "print_time": false}))
	must(t, k.Connect(n, n, nil, Params{"weight": 2.0, "qux": 1.0}))
	st, err := k.GetStatus(n, "I_e")
	must(t, err)
	if st[0]["I_e"] != 7.0 {
		t.Errorf("I_e = %v", st[0]["I_e"])
	}
	for _, key := range []string{"foo", "bar", "baz", "qux"} {
		if !strings.Contains(log.String(), key) {
			t.Errorf("no warning about %q in %q", key, log.String())
		}
	}
}
