// Command one_neuron is the first example of the PyNEST tutorial (part 1) written with the Go
// kernel API: one iaf_psc_alpha neuron with a constant input current of 376 pA, a multimeter
// recording its membrane potential and a spike recorder (the tutorial's spike_detector).
//
//	go run ./examples/one_neuron
//
// The same network as a network file: examples/tutorial/one_neuron.json.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/nest-mpi/nest-mpi/kernel"
)

func main() {
	if _, err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "one_neuron:", err)
		os.Exit(1)
	}
}

// result is what the example measures.
type result struct {
	spikeTimes []float64 // ms
	vmTimes    []float64 // ms, multimeter samples
	vm         []float64 // mV
}

// run builds and simulates the network and prints a summary to w.
func run(w io.Writer) (*result, error) {
	k, err := kernel.New(kernel.Options{Log: io.Discard})
	if err != nil {
		return nil, err
	}
	defer k.Close()

	// neuron = nest.Create("iaf_psc_alpha"); nest.SetStatus(neuron, {"I_e": 376.0})
	neuron, err := k.Create("iaf_psc_alpha", 1)
	if err != nil {
		return nil, err
	}
	if err := k.SetStatus(neuron, kernel.Params{"I_e": 376.0}); err != nil {
		return nil, err
	}
	// multimeter = nest.Create("multimeter"); nest.SetStatus(multimeter, {"record_from": ["V_m"]})
	multimeter, err := k.Create("multimeter", 1, kernel.Params{"record_from": []string{"V_m"}})
	if err != nil {
		return nil, err
	}
	spikes, err := k.Create("spike_recorder", 1)
	if err != nil {
		return nil, err
	}
	if err := k.Connect(multimeter, neuron, nil, nil); err != nil {
		return nil, err
	}
	if err := k.Connect(neuron, spikes, nil, nil); err != nil {
		return nil, err
	}
	if err := k.Simulate(1000.0); err != nil {
		return nil, err
	}

	// dSD = nest.GetStatus(spikedetector, keys="events")[0]
	res := &result{}
	ev, err := events(k, spikes)
	if err != nil {
		return nil, err
	}
	res.spikeTimes = ev["times"].([]float64)
	mm, err := events(k, multimeter)
	if err != nil {
		return nil, err
	}
	res.vmTimes, res.vm = mm["times"].([]float64), mm["V_m"].([]float64)

	fmt.Fprintf(w, "one neuron, I_e = 376 pA, 1000 ms: %d spikes\n", len(res.spikeTimes))
	fmt.Fprintf(w, "first spike times (ms): %s\n", firstTimes(res.spikeTimes, 5))
	if n := len(res.vm); n > 0 {
		fmt.Fprintf(w, "V_m: %d samples from %g to %g ms; V_m(%g ms) = %.4f mV\n", n, res.vmTimes[0], res.vmTimes[n-1], res.vmTimes[n-1], res.vm[n-1])
	}
	return res, nil
}

// events returns the recorded events of a recorder.
func events(k *kernel.Kernel, rec kernel.NodeCollection) (kernel.Params, error) {
	st, err := k.GetStatus(rec, "events")
	if err != nil {
		return nil, err
	}
	ev, ok := st[0]["events"].(kernel.Params)
	if !ok {
		return nil, fmt.Errorf("node %v has no events", rec.IDs())
	}
	return ev, nil
}

// firstTimes formats the first n times.
func firstTimes(ts []float64, n int) string {
	s := ""
	for i, t := range ts {
		if i == n {
			s += ", ..."
			break
		}
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.1f", t)
	}
	if s == "" {
		return "none"
	}
	return s
}
