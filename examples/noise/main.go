// Command noise is the "connecting nodes with specific connections" example of the PyNEST
// tutorial (part 1) written with the Go kernel API: an iaf_psc_alpha neuron without constant
// input current (I_e = 0) receives two Poisson spike trains, excitatory at 80000 Hz through
// synapses of weight 1.2 pA and inhibitory at 15000 Hz with weight -2.0 pA.
//
//	go run ./examples/noise [-seed S]
//
// The same network as a network file: examples/tutorial/noise.json.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/nest-mpi/nest-mpi/kernel"
)

func main() {
	seed := flag.Int64("seed", 42, "rng_seed")
	flag.Parse()
	if _, err := run(os.Stdout, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "noise:", err)
		os.Exit(1)
	}
}

// result is what the example measures.
type result struct {
	spikeTimes []float64 // ms
	vmMean     float64   // mean membrane potential (mV)
	vmSamples  int
}

func run(w io.Writer, seed int64) (*result, error) {
	k, err := kernel.New(kernel.Options{Log: io.Discard})
	if err != nil {
		return nil, err
	}
	defer k.Close()
	if err := k.SetKernelStatus(kernel.Params{"rng_seed": seed}); err != nil {
		return nil, err
	}

	steps := []struct {
		model string
		p     kernel.Params
	}{
		{"iaf_psc_alpha", kernel.Params{"I_e": 0.0}},
		{"multimeter", kernel.Params{"record_from": []string{"V_m"}}},
		{"spike_recorder", nil},
		{"poisson_generator", kernel.Params{"rate": 80000.0}}, // noise_ex
		{"poisson_generator", kernel.Params{"rate": 15000.0}}, // noise_in
	}
	nodes := make([]kernel.NodeCollection, len(steps))
	for i, s := range steps {
		if nodes[i], err = k.Create(s.model, 1, s.p); err != nil {
			return nil, err
		}
	}
	neuron, multimeter, spikes, noiseEx, noiseIn := nodes[0], nodes[1], nodes[2], nodes[3], nodes[4]
	conns := []struct {
		pre, post kernel.NodeCollection
		syn       kernel.Params
	}{
		{noiseEx, neuron, kernel.Params{"weight": 1.2}},
		{noiseIn, neuron, kernel.Params{"weight": -2.0}},
		{multimeter, neuron, nil},
		{neuron, spikes, nil},
	}
	for _, c := range conns {
		var syn any
		if c.syn != nil {
			syn = c.syn
		}
		if err := k.Connect(c.pre, c.post, nil, syn); err != nil {
			return nil, err
		}
	}
	if err := k.Simulate(1000.0); err != nil {
		return nil, err
	}

	res := &result{}
	st, err := k.GetStatus(spikes, "events")
	if err != nil {
		return nil, err
	}
	res.spikeTimes = st[0]["events"].(kernel.Params)["times"].([]float64)
	st, err = k.GetStatus(multimeter, "events")
	if err != nil {
		return nil, err
	}
	vm := st[0]["events"].(kernel.Params)["V_m"].([]float64)
	res.vmSamples = len(vm)
	for _, v := range vm {
		res.vmMean += v
	}
	if len(vm) > 0 {
		res.vmMean /= float64(len(vm))
	}

	fmt.Fprintf(w, "Poisson noise (80000 Hz x 1.2 pA, 15000 Hz x -2.0 pA), seed %d, 1000 ms: %d spikes\n", seed, len(res.spikeTimes))
	fmt.Fprint(w, "first spike times (ms):")
	for i, t := range res.spikeTimes {
		if i == 5 {
			fmt.Fprint(w, " ...")
			break
		}
		fmt.Fprintf(w, " %.1f", t)
	}
	fmt.Fprintf(w, "\nmean V_m over %d samples: %.3f mV\n", res.vmSamples, res.vmMean)
	return res, nil
}
