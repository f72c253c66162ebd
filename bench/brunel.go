package bench

import (
	"fmt"

	"github.com/nest-mpi/nest-mpi/kernel"
)

// Brunel describes the balanced random network of Brunel (2000), model A, as NEST's
// brunel_delta_nest example builds it: NE = 4·NI iaf_psc_delta neurons (C_m 1 pF, tau_m 20 ms,
// t_ref 2 ms, V_th 20 mV, V_reset 10 mV, E_L 0), in-degrees CE = NE/10 and CI = NI/10, weights
// J (excitatory) and −g·J (inhibitory), delay D, and external Poisson drive of
// ν_ext = η·ν_th·CE with ν_th = V_th/(J·CE·τ_m).
type Brunel struct {
	NI      int     // inhibitory neurons; NE = 4·NI
	J       float64 // mV
	G       float64 // relative inhibition
	Eta     float64 // external rate relative to threshold rate
	Delay   float64 // ms
	STDP    bool    // excitatory synapses are stdp_synapse_hom (Wmax 3J) instead of static
	Record  int     // neurons recorded by a spike recorder (0: none)
	Threads int
	Seed    int64
}

// DefaultBrunel is the network of NEST's example at scale 1 (12,500 neurons, 1,250 inputs each).
func DefaultBrunel() Brunel {
	return Brunel{NI: 2500, J: 0.1, G: 5, Eta: 2, Delay: 1.5, Record: 50, Threads: 1, Seed: 143202461}
}

// Network is a built Brunel network.
type Network struct {
	Neurons  kernel.NodeCollection
	Recorder kernel.NodeCollection
	// SynapsesPerSpike is the number of synaptic events one spike causes (the out-degree mean).
	SynapsesPerSpike float64
}

// Build creates the network on k (a fresh kernel).
func (b Brunel) Build(k *kernel.Kernel) (*Network, error) {
	ne := 4 * b.NI
	ce, ci := ne/10, b.NI/10
	thetaV, tauM := 20.0, 20.0
	nuTh := thetaV / (b.J * float64(ce) * tauM)
	pRate := 1000 * b.Eta * nuTh * float64(ce)
	var err error
	step := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	step(func() error {
		return k.SetKernelStatus(kernel.Params{"local_num_threads": b.Threads, "rng_seed": b.Seed})
	})
	esyn := "static_synapse"
	if b.STDP {
		esyn = "e_syn"
		step(func() error {
			return k.CopyModel("stdp_synapse_hom", "e_syn", kernel.Params{"Wmax": 3 * b.J, "alpha": 2.02, "lambda": 0.01})
		})
	}
	neuronParams := kernel.Params{"C_m": 1.0, "tau_m": tauM, "t_ref": 2.0, "E_L": 0.0, "V_reset": 10.0, "V_th": thetaV, "V_m": 0.0}
	var all, exc, inh, noise, rec kernel.NodeCollection
	step(func() (e error) { exc, e = k.Create("iaf_psc_delta", ne, neuronParams); return })
	step(func() (e error) { inh, e = k.Create("iaf_psc_delta", b.NI, neuronParams); return })
	step(func() (e error) { all, e = exc.Concat(inh); return })
	step(func() (e error) { noise, e = k.Create("poisson_generator", 1, kernel.Params{"rate": pRate}); return })
	step(func() error {
		return k.Connect(exc, all, kernel.Params{"rule": "fixed_indegree", "indegree": ce},
			kernel.Params{"synapse_model": esyn, "weight": b.J, "delay": b.Delay})
	})
	step(func() error {
		return k.Connect(inh, all, kernel.Params{"rule": "fixed_indegree", "indegree": ci},
			kernel.Params{"weight": -b.G * b.J, "delay": b.Delay})
	})
	step(func() error { return k.Connect(noise, all, nil, kernel.Params{"weight": b.J, "delay": b.Delay}) })
	if b.Record > 0 {
		step(func() (e error) { rec, e = k.Create("spike_recorder", 1); return })
		step(func() error {
			sub, e := all.Slice(0, b.Record, 1)
			if e != nil {
				return e
			}
			return k.Connect(sub, rec, nil, nil)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("building the Brunel network: %w", err)
	}
	return &Network{Neurons: all, Recorder: rec, SynapsesPerSpike: float64(ce + ci)}, nil
}
