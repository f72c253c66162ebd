// Command two_neurons is the "two connected neurons" example of the PyNEST tutorial (part 1)
// written with the Go kernel API: neuron1 (I_e = 376 pA) drives neuron2 through a static synapse
// of weight 20 pA and the default delay of 1 ms; a multimeter records V_m of neuron2 and a spike
// recorder the spikes of both.
//
//	go run ./examples/two_neurons
//
// The same network as a network file: examples/tutorial/two_neurons.json.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/nest-mpi/nest-mpi/kernel"
)

func main() {
	if _, err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "two_neurons:", err)
		os.Exit(1)
	}
}

// result is what the example measures.
type result struct {
	spikes1, spikes2 []float64 // spike times of neuron1 and neuron2 (ms)
	vm2Peak          float64   // largest V_m of neuron2 (mV)
	vm2Samples       int
}

func run(w io.Writer) (*result, error) {
	k, err := kernel.New(kernel.Options{Log: io.Discard})
	if err != nil {
		return nil, err
	}
	defer k.Close()

	var firstErr error
	try := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	create := func(model string, p kernel.Params) kernel.NodeCollection {
		nc, err := k.Create(model, 1, p)
		try(err)
		return nc
	}
	neuron1 := create("iaf_psc_alpha", kernel.Params{"I_e": 376.0})
	neuron2 := create("iaf_psc_alpha", nil)
	multimeter := create("multimeter", kernel.Params{"record_from": []string{"V_m"}, "interval": 0.1})
	spikes := create("spike_recorder", nil)
	if firstErr != nil {
		return nil, firstErr
	}
	// nest.Connect(neuron1, neuron2, syn_spec={"weight": 20.0})
	try(k.Connect(neuron1, neuron2, nil, kernel.Params{"weight": 20.0}))
	try(k.Connect(multimeter, neuron2, nil, nil))
	both, err := neuron1.Concat(neuron2)
	try(err)
	if firstErr != nil {
		return nil, firstErr
	}
	try(k.Connect(both, spikes, nil, nil))
	try(k.Simulate(1000.0))
	if firstErr != nil {
		return nil, firstErr
	}

	st, err := k.GetStatus(spikes, "events")
	if err != nil {
		return nil, err
	}
	ev := st[0]["events"].(kernel.Params)
	res := &result{}
	for i, s := range ev["senders"].([]int64) {
		t := ev["times"].([]float64)[i]
		if uint64(s) == neuron1.IDs()[0] {
			res.spikes1 = append(res.spikes1, t)
		} else {
			res.spikes2 = append(res.spikes2, t)
		}
	}
	st, err = k.GetStatus(multimeter, "events")
	if err != nil {
		return nil, err
	}
	vm := st[0]["events"].(kernel.Params)["V_m"].([]float64)
	res.vm2Samples = len(vm)
	res.vm2Peak = -1e300
	for _, v := range vm {
		res.vm2Peak = max(res.vm2Peak, v)
	}

	fmt.Fprintf(w, "neuron1 (I_e = 376 pA): %d spikes, first at %s ms\n", len(res.spikes1), first(res.spikes1))
	fmt.Fprintf(w, "neuron2 (weight 20 pA, delay 1 ms): %d spikes; V_m: %d samples, peak %.6f mV\n",
		len(res.spikes2), res.vm2Samples, res.vm2Peak)
	return res, nil
}

func first(ts []float64) string {
	if len(ts) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", ts[0])
}
