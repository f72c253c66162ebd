// Command ei_network builds and runs the balanced E/I network of NEST's store/restore example
// (Brunel-style, iaf_psc_delta, STDP on excitatory synapses) with the kernel API, and prints the
// mean rates and the excitatory weight distribution.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime/pprof"

	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/kernel"
)

func main() {
	threads := flag.Int("threads", 1, "local_num_threads")
	tsim := flag.Float64("t", 1000, "simulated time (ms)")
	prof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := Run(*threads, *tsim)
	if err != nil {
		log.Print(err)
		return
	}
	fmt.Printf("spikes %d, E rate %.1f Hz, I rate %.1f Hz, E weight mean %.4f sd %.4f, weight_recorder events %d\n",
		res.Spikes, res.RateE, res.RateI, res.WMean, res.WStd, res.WREvents)
}

// Result summarises a run.
type Result struct {
	Spikes       int
	RateE, RateI float64
	WMean, WStd  float64
	WREvents     int
}

// Run builds the network on a new kernel and simulates tsim ms.
func Run(threads int, tsim float64) (Result, error) {
	k, err := kernel.New(kernel.Options{})
	if err != nil {
		return Result{}, err
	}
	defer k.Close()
	const nI, nE = 500, 2000
	const je, ji = 1.0, -4.0
	steps := []func() error{
		func() error { return k.SetKernelStatus(kernel.Params{"local_num_threads": threads}) },
		func() error { return k.CopyModel("stdp_synapse_hom", "e_syn", kernel.Params{"Wmax": 2 * je}) },
		func() error { return k.CopyModel("static_synapse", "i_syn", nil) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return Result{}, err
		}
	}
	vm := kernel.Params{"V_m": connect.Normal(-65, 5)}
	e, err := k.Create("iaf_psc_delta", nE, vm)
	if err != nil {
		return Result{}, err
	}
	in, err := k.Create("iaf_psc_delta", nI, vm)
	if err != nil {
		return Result{}, err
	}
	all, _ := e.Concat(in)
	pg, _ := k.Create("poisson_generator", 1, kernel.Params{"rate": 800.0})
	sr, _ := k.Create("spike_recorder", 1)
	wr, _ := k.Create("weight_recorder", 1)
	if err := k.SetDefaults("e_syn", kernel.Params{"weight_recorder": wr}); err != nil {
		return Result{}, err
	}
	sub, _ := e.Slice(0, 10, 1)
	if err := k.SetStatus(wr, kernel.Params{"senders": sub}); err != nil {
		return Result{}, err
	}
	conns := []struct {
		pre, post kernel.NodeCollection
		conn, syn any
	}{
		{e, all, kernel.Params{"rule": "fixed_indegree", "indegree": 200}, kernel.Params{"synapse_model": "e_syn", "weight": je}},
		{in, all, kernel.Params{"rule": "fixed_indegree", "indegree": 50}, kernel.Params{"synapse_model": "i_syn", "weight": ji}},
		{pg, all, "all_to_all", kernel.Params{"weight": je}},
		{all, sr, nil, nil},
	}
	for _, c := range conns {
		if err := k.Connect(c.pre, c.post, c.conn, c.syn); err != nil {
			return Result{}, err
		}
	}
	if err := k.Simulate(tsim); err != nil {
		return Result{}, err
	}
	st, err := k.GetStatus(sr, "events")
	if err != nil {
		return Result{}, err
	}
	senders := st[0]["events"].(kernel.Params)["senders"].([]int64)
	var r Result
	r.Spikes = len(senders)
	for _, s := range senders {
		if s <= nE {
			r.RateE++
		} else {
			r.RateI++
		}
	}
	r.RateE /= nE * tsim / 1000
	r.RateI /= nI * tsim / 1000
	sc, err := k.GetConnections(kernel.ConnFilter{SynapseModel: "e_syn"})
	if err != nil {
		return Result{}, err
	}
	cols, err := sc.Get("weight")
	if err != nil {
		return Result{}, err
	}
	ws := cols["weight"].([]float64)
	for _, w := range ws {
		r.WMean += w
	}
	r.WMean /= float64(len(ws))
	for _, w := range ws {
		r.WStd += (w - r.WMean) * (w - r.WMean)
	}
	r.WStd = math.Sqrt(r.WStd / float64(len(ws)))
	wst, _ := k.GetStatus(wr, "n_events")
	r.WREvents = int(wst[0]["n_events"].(int64))
	return r, nil
}
