// Command store_restore is NEST's store/restore example with the Go API: it builds the balanced
// E/I network with plastic excitatory synapses, simulates 1 s, stores the neurons' V_m and the
// connections (the user-level way) and a full checkpoint, continues for 1 s, and then
//
//   - rebuilds the network from the stored values in a clean kernel and simulates 1 s, twice with
//     the same seed (identical spikes) and once with another (different spikes);
//   - restores the full checkpoint and continues, which gives exactly the spikes of the run that
//     never stopped.
//
// It draws a figure like the example's: a raster of each run and the excitatory weight
// distributions at their ends (gonum/plot), written to OUT/store_restore.png.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/kernel"
)

// network holds the populations and recorders of one kernel.
type network struct {
	k      *kernel.Kernel
	e, i   kernel.NodeCollection
	all    kernel.NodeCollection
	spikes kernel.NodeCollection
}

// stored is what the user-level way keeps: V_m and the connections.
type stored struct {
	eVm, iVm               []float64
	eSrc, eTgt, iSrc, iTgt []uint64
	eW, eD, iW, iD         []float64
}

const (
	nE, nI        = 2000, 500
	jE, jI        = 1.0, -4.0
	indegE, indeI = 200, 50
	rate          = 800.0
)

func main() {
	tsim := flag.Float64("t", 1000, "simulated time of each run (ms)")
	threads := flag.Int("threads", 4, "local_num_threads")
	out := flag.String("out", "out/store_restore", "output folder (figure and checkpoint)")
	flag.Parse()
	if err := run(*tsim, *threads, *out); err != nil {
		log.Fatal(err)
	}
}

func run(tsim float64, threads int, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ck := filepath.Join(out, "ck")
	net, err := newKernel(threads, 12345)
	if err != nil {
		return err
	}
	if err := net.build(); err != nil {
		return err
	}
	var runs []runResult
	add := func(label string, n *network, t0 float64) error {
		r, err := n.result(label, t0, t0+tsim)
		runs = append(runs, r)
		return err
	}
	if err := net.k.Simulate(tsim); err != nil {
		return err
	}
	if err := add("initial simulation", net, 0); err != nil {
		return err
	}
	st, err := net.store()
	if err != nil {
		return err
	}
	if err := net.k.Store(ck); err != nil {
		return err
	}
	if err := net.k.Simulate(tsim); err != nil {
		return err
	}
	if err := add("continued simulation", net, tsim); err != nil {
		return err
	}
	uninterrupted, err := net.k.GatherEvents(net.spikes)
	if err != nil {
		return err
	}
	net.k.Close()
	for _, c := range []struct {
		label string
		seed  int64
	}{{"restored (seed 12345)", 12345}, {"restored again (seed 12345)", 12345}, {"restored (seed 54321)", 54321}} {
		n, err := newKernel(threads, c.seed)
		if err != nil {
			return err
		}
		if err := n.restore(st); err != nil {
			return err
		}
		if err := n.k.Simulate(tsim); err != nil {
			return err
		}
		if err := add(c.label, n, 0); err != nil {
			return err
		}
		n.k.Close()
	}
	if !reflect.DeepEqual(runs[2].times, runs[3].times) || reflect.DeepEqual(runs[2].times, runs[4].times) {
		return fmt.Errorf("restores with the same seed must agree and with another seed differ")
	}
	if err := checkFullRestore(ck, threads, tsim, uninterrupted); err != nil {
		return err
	}
	name := filepath.Join(out, "store_restore.png")
	if err := drawFigure(runs, name); err != nil {
		return err
	}
	for _, r := range runs {
		fmt.Printf("%-28s %6.2f spikes/s, mean excitatory weight %.4f\n", r.label, r.rate, mean(r.weights))
	}
	fmt.Printf("the full checkpoint continued exactly as the run that never stopped; figure: %s\n", name)
	return nil
}

func newKernel(threads int, seed int64) (*network, error) {
	k, err := kernel.New(kernel.Options{})
	if err != nil {
		return nil, err
	}
	if err := k.SetKernelStatus(kernel.Params{"local_num_threads": threads, "rng_seed": seed}); err != nil {
		return nil, err
	}
	if err := k.CopyModel("stdp_synapse_hom", "e_syn", kernel.Params{"Wmax": 2 * jE}); err != nil {
		return nil, err
	}
	return &network{k: k}, k.CopyModel("static_synapse", "i_syn", nil)
}

// build constructs the network from scratch, as the example's EINetwork.build.
func (n *network) build() error {
	vm := kernel.Params{"V_m": connect.Normal(-65, 5)}
	if err := n.populations(vm, vm); err != nil {
		return err
	}
	k := n.k
	if err := k.Connect(n.e, n.all, kernel.Params{"rule": "fixed_indegree", "indegree": indegE}, kernel.Params{"synapse_model": "e_syn", "weight": jE}); err != nil {
		return err
	}
	if err := k.Connect(n.i, n.all, kernel.Params{"rule": "fixed_indegree", "indegree": indeI}, kernel.Params{"synapse_model": "i_syn", "weight": jI}); err != nil {
		return err
	}
	return n.instruments()
}

func (n *network) populations(ep, ip kernel.Params) error {
	var err error
	if n.e, err = n.k.Create("iaf_psc_delta", nE, ep); err != nil {
		return err
	}
	if n.i, err = n.k.Create("iaf_psc_delta", nI, ip); err != nil {
		return err
	}
	n.all, err = n.e.Concat(n.i)
	return err
}

func (n *network) instruments() error {
	k := n.k
	pg, err := k.Create("poisson_generator", 1, kernel.Params{"rate": rate})
	if err != nil {
		return err
	}
	if n.spikes, err = k.Create("spike_recorder", 1); err != nil {
		return err
	}
	if err := k.Connect(pg, n.all, nil, kernel.Params{"weight": jE}); err != nil {
		return err
	}
	return k.Connect(n.all, n.spikes, nil, nil)
}

// store keeps V_m and the connections, as the example's EINetwork.store.
func (n *network) store() (*stored, error) {
	var s stored
	var err error
	if s.eVm, err = n.values(n.e); err != nil {
		return nil, err
	}
	if s.iVm, err = n.values(n.i); err != nil {
		return nil, err
	}
	if s.eSrc, s.eTgt, s.eW, s.eD, err = n.connections("e_syn"); err != nil {
		return nil, err
	}
	s.iSrc, s.iTgt, s.iW, s.iD, err = n.connections("i_syn")
	return &s, err
}

func (n *network) values(nc kernel.NodeCollection) ([]float64, error) {
	st, err := n.k.GetStatus(nc, "V_m")
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(st))
	for i, d := range st {
		out[i] = d["V_m"].(float64)
	}
	return out, nil
}

func (n *network) connections(model string) (src, tgt []uint64, w, d []float64, err error) {
	sc, err := n.k.GetConnections(kernel.ConnFilter{SynapseModel: model})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	cols, err := sc.Get("source", "target", "weight", "delay")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, s := range cols["source"].([]int64) {
		src = append(src, uint64(s))
	}
	for _, t := range cols["target"].([]int64) {
		tgt = append(tgt, uint64(t))
	}
	return src, tgt, cols["weight"].([]float64), cols["delay"].([]float64), nil
}

// restore rebuilds the network from stored values, as the example's EINetwork.restore: array
// connections with one weight and delay per position.
func (n *network) restore(s *stored) error {
	if err := n.populations(kernel.Params{"V_m": s.eVm}, kernel.Params{"V_m": s.iVm}); err != nil {
		return err
	}
	if err := n.k.ConnectArrays(s.eSrc, s.eTgt, kernel.Params{"synapse_model": "e_syn", "weight": s.eW, "delay": s.eD}); err != nil {
		return err
	}
	if err := n.k.ConnectArrays(s.iSrc, s.iTgt, kernel.Params{"synapse_model": "i_syn", "weight": s.iW, "delay": s.iD}); err != nil {
		return err
	}
	return n.instruments()
}

// checkFullRestore restores the full checkpoint and requires the spikes of the run that never
// stopped.
func checkFullRestore(dir string, threads int, tsim float64, want kernel.Params) error {
	k, err := kernel.Restore(dir, kernel.RestoreOptions{Threads: threads})
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.Simulate(tsim); err != nil {
		return err
	}
	sr, err := k.NodeCollection([]uint64{nE + nI + 2})
	if err != nil {
		return err
	}
	got, err := k.GatherEvents(sr)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("the restored checkpoint's spikes differ from the uninterrupted run's")
	}
	return nil
}

// runResult is what the figure shows of one run.
type runResult struct {
	label          string
	t0, t1         float64
	times, senders []float64
	weights        []float64
	rate           float64
}

// result collects the spikes of neurons 1..100 in (t0, t1] and the excitatory weights.
func (n *network) result(label string, t0, t1 float64) (runResult, error) {
	r := runResult{label: label, t0: t0, t1: t1}
	ev, err := n.k.GatherEvents(n.spikes)
	if err != nil {
		return r, err
	}
	times, senders := ev["times"].([]float64), ev["senders"].([]int64)
	count := 0
	for i, t := range times {
		if t <= t0 || t > t1 {
			continue
		}
		count++
		if senders[i] <= 100 {
			r.times, r.senders = append(r.times, t), append(r.senders, float64(senders[i]))
		}
	}
	r.rate = float64(count) / float64(nE+nI) / ((t1 - t0) / 1000)
	_, _, w, _, err := n.connections("e_syn")
	r.weights = slices.Clone(w)
	return r, err
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(max(1, len(xs)))
}

func createFile(name string) (*os.File, error) { return os.Create(name) }
