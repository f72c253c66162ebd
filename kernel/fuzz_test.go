package kernel

import (
	"math"
	"testing"

	"github.com/nest-mpi/nest-mpi/connect"
)

// fuzzBytes hands out the fuzz input byte by byte (zeros once it is used up).
type fuzzBytes struct {
	b []byte
	i int
}

func (f *fuzzBytes) next() int {
	if f.i >= len(f.b) {
		return 0
	}
	f.i++
	return int(f.b[f.i-1])
}

func (f *fuzzBytes) done() bool { return f.i >= len(f.b) }

func pickOf[T any](f *fuzzBytes, xs []T) T { return xs[f.next()%len(xs)] }

var (
	fuzzModels = []string{"iaf_psc_alpha", "iaf_psc_delta", "iaf_psc_exp", "parrot_neuron", "spike_recorder",
		"multimeter", "voltmeter", "weight_recorder", "dc_generator", "poisson_generator", "noise_generator",
		"spike_generator", "spike_detector", "no_such_model"}
	fuzzSynapses = []string{"static_synapse", "stdp_synapse", "stdp_synapse_hom", "no_such_synapse"}
	fuzzKeys     = []string{"V_m", "E_L", "C_m", "tau_m", "t_ref", "V_th", "V_reset", "tau_syn_ex", "tau_syn_in",
		"I_e", "V_min", "refractory_input", "rho", "delta", "tau_minus", "tau_minus_triplet", "clear",
		"start", "stop", "origin", "rate", "amplitude", "mean", "std", "dt", "std_mod", "frequency", "phase",
		"spike_times", "spike_weights", "spike_multiplicities", "precise_times", "allow_offgrid_times",
		"shift_now_spikes", "interval", "offset", "record_from", "record_to", "label", "time_in_steps",
		"precision", "n_events", "senders", "targets", "resolution", "tics_per_ms", "local_num_threads",
		"total_num_virtual_procs", "rng_seed", "rng_type", "overwrite_files", "print_time",
		"dict_miss_is_error", "min_delay", "max_delay", "biological_time", "off_grid_spiking",
		"keep_source_table", "data_prefix", "rule", "indegree", "outdegree", "N", "p", "allow_autapses",
		"allow_multapses", "make_symmetric", "synapse_model", "weight", "delay", "receptor_type", "Kplus",
		"Wmax", "tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "weight_recorder", "model", "foo",
		"withtime", "withgid", "frozen", "global_id", "events", "distribution", "mu", "sigma", "low", "high"}
	fuzzFloats = []float64{0, 1, -1, 0.1, 0.05, 0.125, 0.3, 2.5, 10, 1000, -70, -55, 1e-300, 1e300,
		math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, 1e9}
	fuzzInts    = []int64{0, 1, -1, 2, 3, 5, 100, 1 << 31, 1<<32 - 1, 1 << 32, math.MaxInt64, math.MinInt64}
	fuzzStrings = []string{"", "memory", "ascii", "screen", "V_m", "I_syn_ex", "all_to_all", "one_to_one",
		"fixed_indegree", "fixed_outdegree", "fixed_total_number", "pairwise_bernoulli", "normal", "uniform",
		"static_synapse", "stdp_synapse", "xoshiro256starstar", "mt19937", "prefix_", "a/b"}
	fuzzRules = []string{"all_to_all", "one_to_one", "fixed_indegree", "fixed_outdegree", "fixed_total_number",
		"pairwise_bernoulli", "symmetric_pairwise_bernoulli", "no_rule"}
)

func fuzzValue(f *fuzzBytes, depth int) any {
	switch f.next() % 14 {
	case 0, 1:
		return pickOf(f, fuzzFloats)
	case 2:
		return pickOf(f, fuzzInts)
	case 3:
		return f.next()%2 == 0
	case 4:
		return pickOf(f, fuzzStrings)
	case 5:
		xs := make([]float64, f.next()%5)
		for i := range xs {
			xs[i] = pickOf(f, fuzzFloats)
		}
		return xs
	case 6:
		xs := make([]string, f.next()%3)
		for i := range xs {
			xs[i] = pickOf(f, fuzzStrings)
		}
		return xs
	case 7:
		return nil
	case 8:
		if depth > 1 {
			return 1.0
		}
		return fuzzDict(f, depth+1)
	case 9:
		return Params{"distribution": pickOf(f, fuzzStrings), "mu": pickOf(f, fuzzFloats), "sigma": pickOf(f, fuzzFloats),
			"low": pickOf(f, fuzzFloats), "high": pickOf(f, fuzzFloats)}
	case 10:
		if f.next()%2 == 0 {
			return connect.Normal(pickOf(f, fuzzFloats), pickOf(f, fuzzFloats))
		}
		return connect.Uniform(pickOf(f, fuzzFloats), pickOf(f, fuzzFloats))
	case 11:
		xs := make([]any, f.next()%4)
		for i := range xs {
			xs[i] = fuzzValue(f, depth+1)
		}
		return xs
	case 12:
		xs := make([]int64, f.next()%4)
		for i := range xs {
			xs[i] = pickOf(f, fuzzInts)
		}
		return xs
	default:
		return int(pickOf(f, fuzzInts) % 1000)
	}
}

func fuzzDict(f *fuzzBytes, depth int) Params {
	d := Params{}
	for n := f.next() % 5; n > 0; n-- {
		d[pickOf(f, fuzzKeys)] = fuzzValue(f, depth)
	}
	return d
}

// fuzzNodes returns a collection of existing nodes chosen by f (empty if there are none).
func fuzzNodes(k *Kernel, f *fuzzBytes) (NodeCollection, bool) {
	size := len(k.nodes) - 1
	if size == 0 {
		return NodeCollection{}, false
	}
	first := 1 + f.next()%size
	n := min(1+f.next()%4, size-first+1)
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(first + i)
	}
	nc, err := k.NodeCollection(ids)
	return nc, err == nil
}

// FuzzStatus feeds random status dictionaries to Create, SetStatus, SetDefaults, CopyModel,
// SetKernelStatus and Connect, with short simulations in between: whatever the values, the
// kernel returns errors and never panics, and stays queryable.
func FuzzStatus(f *testing.F) {
	f.Add([]byte{0, 0, 1, 3, 5, 0, 3, 4, 4, 4, 1})
	f.Add([]byte{2, 3, 44, 1, 5, 0, 0, 9, 2, 0, 1, 10, 4})
	f.Add([]byte{0, 9, 1, 1, 20, 0, 14, 3, 0, 0, 0, 5, 0, 4, 1})
	f.Add([]byte{0, 0, 2, 0, 3, 1, 4, 3, 0, 1, 0, 1, 2, 1, 68, 0, 0, 4, 3})
	f.Add([]byte{2, 2, 44, 2, 1, 56, 0, 13, 4, 0, 0, 3, 0, 1, 0, 0, 0, 4, 7})
	f.Add([]byte{0, 9, 0, 1, 20, 0, 13, 0, 1, 0, 0, 4, 2})
	f.Add([]byte{5, 1, 1, 20, 1, 13, 0, 0, 2, 0, 4, 3})
	f.Fuzz(fuzzStatusBody)
}

// fuzzStatusBody is one FuzzStatus run.
func fuzzStatusBody(t *testing.T, data []byte) {
	fb := &fuzzBytes{b: data}
	k := quietKernel(t, Params{"data_path": t.TempDir()})
	for op := 0; op < 40 && !fb.done(); op++ {
		switch fb.next() % 9 {
		case 0:
			_, _ = k.Create(pickOf(fb, fuzzModels), 1+fb.next()%4, fuzzDict(fb, 0))
		case 1:
			if nc, ok := fuzzNodes(k, fb); ok {
				_ = k.SetStatus(nc, fuzzDict(fb, 0))
			}
		case 2:
			d := fuzzDict(fb, 0)
			delete(d, "data_path")
			_ = k.SetKernelStatus(d)
		case 3:
			pre, ok1 := fuzzNodes(k, fb)
			post, ok2 := fuzzNodes(k, fb)
			if !ok1 || !ok2 {
				continue
			}
			var conn, syn any
			switch fb.next() % 3 {
			case 1:
				conn = pickOf(fb, fuzzRules)
			case 2:
				d := fuzzDict(fb, 0)
				d["rule"] = pickOf(fb, fuzzRules)
				conn = d
			}
			switch fb.next() % 3 {
			case 1:
				syn = pickOf(fb, fuzzSynapses)
			case 2:
				syn = fuzzDict(fb, 0)
			}
			_ = k.Connect(pre, post, conn, syn)
		case 4:
			_ = k.Simulate(k.Resolution() * float64(1+fb.next()%30))
		case 5:
			if fb.next()%2 == 0 {
				_ = k.SetDefaults(pickOf(fb, append(fuzzModels, fuzzSynapses...)), fuzzDict(fb, 0))
			} else {
				_ = k.CopyModel(pickOf(fb, append(fuzzModels, fuzzSynapses...)), pickOf(fb, []string{"m1", "m2", "iaf_psc_alpha"}), fuzzDict(fb, 0))
			}
		case 6:
			if nc, ok := fuzzNodes(k, fb); ok {
				_, _ = k.GetStatus(nc)
			}
		case 7:
			src, ok1 := fuzzNodes(k, fb)
			tgt, ok2 := fuzzNodes(k, fb)
			if ok1 && ok2 && src.Len() == tgt.Len() {
				var syn any
				if fb.next()%2 == 1 {
					syn = fuzzDict(fb, 0)
				}
				_ = k.ConnectArrays(src.IDs(), tgt.IDs(), syn)
			}
		case 8:
			if sc, err := k.GetConnections(ConnFilter{}); err == nil {
				_ = sc.Set(fuzzDict(fb, 0))
			}
		}
	}
	_ = k.Simulate(k.Resolution())
	if _, err := k.GetKernelStatus(); err != nil {
		t.Fatal(err)
	}
	if nc, ok := fuzzNodes(k, &fuzzBytes{}); ok {
		_, _ = k.GetStatus(nc)
	}
	if sc, err := k.GetConnections(ConnFilter{}); err == nil {
		_, _ = sc.Get()
	}
}
