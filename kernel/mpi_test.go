//go:build mpi

package kernel_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/comm/mpitest"
	"github.com/nest-mpi/nest-mpi/connect"
	"github.com/nest-mpi/nest-mpi/kernel"
)

func TestMain(m *testing.M) { mpitest.Main(m) }

// mpiNetwork builds a network on k and returns its recorders: the 2,000 neurons driven by
// a poisson_generator with random static connectivity (delays uniform in [1, 2] ms) and random
// initial potentials, plus the tutorial's two connected neurons with a multimeter.
func mpiNetwork(k *kernel.Kernel) ([]kernel.NodeCollection, error) {
	var firstErr error
	try := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	create := func(model string, n int, p kernel.Params) kernel.NodeCollection {
		nc, err := k.Create(model, n, p)
		try(err)
		return nc
	}
	neurons := create("iaf_psc_alpha", 2000, kernel.Params{"V_m": connect.Uniform(-70, -55)})
	pg := create("poisson_generator", 1, kernel.Params{"rate": 12000.0})
	sr := create("spike_recorder", 1, nil)
	try(k.Connect(neurons, neurons, kernel.Params{"rule": "fixed_indegree", "indegree": 50},
		kernel.Params{"weight": connect.Normal(20, 5), "delay": connect.Uniform(1.0, 2.0)}))
	try(k.Connect(pg, neurons, nil, kernel.Params{"weight": 12.0}))
	try(k.Connect(neurons, sr, nil, nil))
	n1 := create("iaf_psc_alpha", 1, kernel.Params{"I_e": 376.0})
	n2 := create("iaf_psc_alpha", 1, nil)
	mm := create("multimeter", 1, kernel.Params{"record_from": []string{"V_m", "I_syn_ex"}, "interval": 0.1})
	sr2 := create("spike_recorder", 1, nil)
	try(k.Connect(n1, n2, nil, kernel.Params{"weight": 20.0}))
	try(k.Connect(mm, n2, nil, nil))
	nn, _ := n1.Concat(n2)
	try(k.Connect(mm, nn, nil, nil))
	try(k.Connect(nn, sr2, nil, nil))
	return []kernel.NodeCollection{sr, mm, sr2}, firstErr
}

// eiNetwork builds the E/I network of NEST's store/restore example at a fifth of its size, with
// plastic excitatory synapses observed by a weight_recorder.
func eiNetwork(k *kernel.Kernel) ([]kernel.NodeCollection, error) {
	var firstErr error
	try := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	try(k.CopyModel("stdp_synapse_hom", "e_syn", kernel.Params{"Wmax": 2.0}))
	vm := kernel.Params{"V_m": connect.Normal(-65, 5)}
	e, err := k.Create("iaf_psc_delta", 400, vm)
	try(err)
	in, err := k.Create("iaf_psc_delta", 100, vm)
	try(err)
	all, _ := e.Concat(in)
	pg, err := k.Create("poisson_generator", 1, kernel.Params{"rate": 800.0 * 5})
	try(err)
	sr, err := k.Create("spike_recorder", 1, nil)
	try(err)
	wr, err := k.Create("weight_recorder", 1, nil)
	try(err)
	try(k.SetDefaults("e_syn", kernel.Params{"weight_recorder": wr}))
	try(k.Connect(e, all, kernel.Params{"rule": "fixed_indegree", "indegree": 40}, kernel.Params{"synapse_model": "e_syn", "weight": 1.0}))
	try(k.Connect(in, all, kernel.Params{"rule": "fixed_indegree", "indegree": 10}, kernel.Params{"weight": -4.0}))
	try(k.Connect(pg, all, nil, kernel.Params{"weight": 1.0}))
	try(k.Connect(all, sr, nil, nil))
	return []kernel.NodeCollection{sr, wr}, firstErr
}

// newModelsNetwork uses every model added with the model plug-ins: the four rkf45 neurons and
// izhikevich driven by Poisson input and a step_current_generator, connected through
// tsodyks_synapse, tsodyks2_synapse and stdp_pl_synapse_hom (observed by a weight_recorder).
func newModelsNetwork(k *kernel.Kernel) ([]kernel.NodeCollection, error) {
	var firstErr error
	try := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	create := func(model string, n int, p kernel.Params) kernel.NodeCollection {
		nc, err := k.Create(model, n, p)
		try(err)
		return nc
	}
	pops := []struct {
		model   string
		drive   float64 // weight of the Poisson drive
		current float64 // weight of the step current
	}{{"iaf_cond_exp", 3, 1}, {"iaf_cond_alpha", 3, 1}, {"aeif_cond_alpha", 3, 1}, {"hh_psc_alpha", 150, 1}, {"izhikevich", 4, 0.02}}
	pg := create("poisson_generator", 1, kernel.Params{"rate": 9000.0})
	scg := create("step_current_generator", 1, kernel.Params{"amplitude_times": []float64{20, 60}, "amplitude_values": []float64{150, -50}})
	sr := create("spike_recorder", 1, nil)
	wr := create("weight_recorder", 1, nil)
	try(k.CopyModel("stdp_pl_synapse_hom", "pl_syn", kernel.Params{"weight_recorder": wr}))
	var all kernel.NodeCollection
	for i, p := range pops {
		nc := create(p.model, 30, kernel.Params{"V_m": connect.Uniform(-70, -60)})
		try(k.Connect(pg, nc, nil, kernel.Params{"weight": p.drive, "delay": 1.0}))
		try(k.Connect(scg, nc, nil, kernel.Params{"weight": p.current, "delay": 1.0}))
		try(k.Connect(nc, sr, nil, nil))
		if i == 0 {
			all = nc
		} else {
			all, _ = all.Concat(nc)
		}
	}
	psc, _ := all.Slice(90, 150, 1) // hh_psc_alpha and izhikevich take currents and mV
	try(k.Connect(all, all, kernel.Params{"rule": "fixed_indegree", "indegree": 5},
		kernel.Params{"synapse_model": "tsodyks_synapse", "weight": connect.Uniform(0.5, 1.5), "U": connect.Uniform(0.2, 0.6), "delay": connect.Uniform(1, 2)}))
	try(k.Connect(all, all, kernel.Params{"rule": "fixed_indegree", "indegree": 5},
		kernel.Params{"synapse_model": "tsodyks2_synapse", "weight": 1.0, "tau_fac": 20.0, "delay": 1.5}))
	try(k.Connect(all, psc, kernel.Params{"rule": "pairwise_bernoulli", "p": 0.1},
		kernel.Params{"synapse_model": "pl_syn", "weight": 2.0, "delay": connect.Uniform(1, 3)}))
	mm := create("multimeter", 1, kernel.Params{"record_from": []string{"V_m"}, "interval": 0.5})
	some, _ := all.Slice(0, 150, 10)
	try(k.Connect(mm, some, nil, nil))
	return []kernel.NodeCollection{sr, wr, mm}, firstErr
}

func runNetwork(c comm.Communicator, threads int) ([]kernel.Params, error) {
	k, err := kernel.New(kernel.Options{Comm: c})
	if err != nil {
		return nil, err
	}
	defer k.Close()
	if err := k.SetKernelStatus(kernel.Params{"local_num_threads": threads, "rng_seed": 12345}); err != nil {
		return nil, err
	}
	recs, err := mpiNetwork(k)
	if err != nil {
		return nil, err
	}
	ei, err := eiNetwork(k)
	if err != nil {
		return nil, err
	}
	recs = append(recs, ei...)
	nm, err := newModelsNetwork(k)
	if err != nil {
		return nil, err
	}
	recs = append(recs, nm...)
	for _, t := range []float64{100, 55.5, 44.5} {
		if err := k.Simulate(t); err != nil {
			return nil, err
		}
	}
	var out []kernel.Params
	for _, r := range recs {
		ev, err := k.GatherEvents(r)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// TestSplitInvariance runs the same network as ranks × threads under MPI and as one process with
// the same number of virtual processes, and requires identical events (bit for bit).
func TestSplitInvariance(t *testing.T) {
	world := mpitest.Comm()
	for _, nvp := range []int{4, 2} {
		if nvp%world.Size() != 0 {
			continue
		}
		threads := nvp / world.Size()
		t.Run(fmt.Sprintf("%dx%d_vs_1x%d", world.Size(), threads, nvp), func(t *testing.T) {
			got, errMPI := runNetwork(world, threads)
			want, errLocal := runNetwork(comm.NewLocal(), nvp)
			if errMPI != nil || errLocal != nil {
				t.Fatalf("mpi: %v; local: %v", errMPI, errLocal)
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("recorder %d: events differ between %d ranks x %d threads and 1 x %d", i, world.Size(), threads, nvp)
				}
			}
			for i, min := range map[int]int{0: 1000, 5: 200, 6: 100} { // spikes, new models' spikes, plastic weights
				if n := len(want[i]["senders"].([]int64)); n < min {
					t.Errorf("recorder %d has only %d events: the network is too quiet to test anything", i, n)
				}
			}
		})
	}
}

// TestCheckpointAcrossSplits stores a run under MPI (ranks x threads = 4 VPs) and restores it on
// the same split and as one process with 4 threads; it also stores a one-process 1x4 run and
// restores it under MPI. Every continuation gives the events of the uninterrupted run.
func TestCheckpointAcrossSplits(t *testing.T) {
	world := mpitest.Comm()
	if 4%world.Size() != 0 {
		t.Skip("needs a number of ranks that divides 4")
	}
	threads := 4 / world.Size()
	dir := sharedTempDir(t, world)
	build := func(k *kernel.Kernel) []kernel.NodeCollection {
		recs, err := eiNetwork(k)
		if err != nil {
			t.Fatal(err)
		}
		nm, err := newModelsNetwork(k)
		if err != nil {
			t.Fatal(err)
		}
		return append(recs, nm...)
	}
	const T = 40.0
	uninterrupted := func(c comm.Communicator, threads int, store string) []kernel.Params {
		k := newTestKernel(t, c, threads)
		defer k.Close()
		recs := build(k)
		mustDo(t, k.Simulate(T))
		mustDo(t, k.Store(store))
		mustDo(t, k.Simulate(T))
		return gatherAll(t, k, recs)
	}
	restored := func(c comm.Communicator, threads int, from string, recs []kernel.NodeCollection) []kernel.Params {
		k, err := kernel.Restore(from, kernel.RestoreOptions{Options: kernel.Options{Comm: c, Log: io.Discard, Out: io.Discard}, Threads: threads})
		mustDo(t, err)
		defer k.Close()
		mustDo(t, k.Simulate(T))
		ids := make([]kernel.NodeCollection, len(recs))
		for i, r := range recs {
			ids[i], err = k.NodeCollection(r.IDs())
			mustDo(t, err)
		}
		return gatherAll(t, k, ids)
	}
	// the recorders' ids, from a throwaway build
	probe := newTestKernel(t, comm.NewLocal(), 1)
	recs := build(probe)
	probe.Close()

	mpiDir := filepath.Join(dir, "mpi")
	want := uninterrupted(world, threads, mpiDir)
	for _, c := range []struct {
		name string
		got  func() []kernel.Params
	}{
		{fmt.Sprintf("%dx%d_to_%dx%d", world.Size(), threads, world.Size(), threads), func() []kernel.Params { return restored(world, threads, mpiDir, recs) }},
		{fmt.Sprintf("%dx%d_to_1x4", world.Size(), threads), func() []kernel.Params { return restored(comm.NewLocal(), 4, mpiDir, recs) }},
	} {
		if got := c.got(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the restored run differs from the uninterrupted one", c.name)
		}
	}
	// onto another number of VPs: re-sharded by node id; the continuation runs (its random
	// streams differ, so its events do not equal the uninterrupted run's)
	other, err := kernel.Restore(mpiDir, kernel.RestoreOptions{Options: kernel.Options{Comm: world, Log: io.Discard, Out: io.Discard}, Threads: threads + 1})
	mustDo(t, err)
	mustDo(t, other.Simulate(T))
	if got := gatherAll(t, other, rebindAll(t, other, recs)); len(got[0]["times"].([]float64)) <= len(want[0]["times"].([]float64))/3 {
		t.Errorf("re-sharded onto %d VPs: only %d spikes", world.Size()*(threads+1), len(got[0]["times"].([]float64)))
	}
	other.Close()
	localDir := filepath.Join(dir, fmt.Sprintf("local-%d", world.Rank()))
	wantLocal := uninterrupted(comm.NewLocal(), 4, localDir)
	if !reflect.DeepEqual(wantLocal, want) {
		t.Fatalf("1x4 differs from %dx%d", world.Size(), threads)
	}
	if got := restored(world, threads, filepath.Join(dir, "local-0"), recs); !reflect.DeepEqual(got, want) {
		t.Errorf("1x4_to_%dx%d: the restored run differs from the uninterrupted one", world.Size(), threads)
	}
}

func newTestKernel(t *testing.T, c comm.Communicator, threads int) *kernel.Kernel {
	k, err := kernel.New(kernel.Options{Comm: c, Log: io.Discard, Out: io.Discard})
	mustDo(t, err)
	mustDo(t, k.SetKernelStatus(kernel.Params{"local_num_threads": threads, "rng_seed": 12345}))
	return k
}

func gatherAll(t *testing.T, k *kernel.Kernel, recs []kernel.NodeCollection) []kernel.Params {
	var out []kernel.Params
	for _, r := range recs {
		ev, err := k.GatherEvents(r)
		mustDo(t, err)
		out = append(out, ev)
	}
	return out
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sharedTempDir returns a temporary folder that every rank uses (rank 0 makes it).
func sharedTempDir(t *testing.T, c comm.Communicator) string {
	name := make([]byte, 256)
	if c.Rank() == 0 {
		dir, err := os.MkdirTemp("", "nestmpi-ck-")
		mustDo(t, err)
		copy(name, dir)
	}
	all := make([]byte, 256*c.Size())
	mustDo(t, c.Allgather(name, all))
	dir := strings.TrimRight(string(all[:256]), "\x00")
	t.Cleanup(func() {
		_ = c.Barrier()
		if c.Rank() == 0 {
			os.RemoveAll(dir)
		}
	})
	return dir
}

// TestStopAgreedOverRanks: a stop requested on the last rank only stops every rank after the
// same slice, with ErrInterrupted, and the run continues to the uninterrupted events.
func TestStopAgreedOverRanks(t *testing.T) {
	world := mpitest.Comm()
	want := func() []kernel.Params {
		k := newTestKernel(t, world, 1)
		defer k.Close()
		recs, err := eiNetwork(k)
		mustDo(t, err)
		mustDo(t, k.Simulate(60))
		return gatherAll(t, k, recs)
	}()
	k := newTestKernel(t, world, 1)
	defer k.Close()
	recs, err := eiNetwork(k)
	mustDo(t, err)
	var stop atomic.Bool
	k.SetStop(&stop)
	mustDo(t, k.Simulate(10))
	if world.Rank() == world.Size()-1 {
		stop.Store(true)
	}
	err = k.Simulate(50)
	if !errors.Is(err, kernel.ErrInterrupted) {
		t.Fatalf("rank %d: %v, want ErrInterrupted", world.Rank(), err)
	}
	times := []float64{k.Time()}
	lo := []float64{-k.Time()}
	mustDo(t, world.AllreduceFloat64(times, times, comm.Max))
	mustDo(t, world.AllreduceFloat64(lo, lo, comm.Max))
	if times[0] != -lo[0] {
		t.Fatalf("ranks stopped at different times (%g to %g ms)", -lo[0], times[0])
	}
	stop.Store(false)
	mustDo(t, k.Simulate(60-k.Time()))
	if got := gatherAll(t, k, recs); !reflect.DeepEqual(got, want) {
		t.Fatal("the interrupted run, continued, differs from the uninterrupted one")
	}
}

func rebindAll(t *testing.T, k *kernel.Kernel, recs []kernel.NodeCollection) []kernel.NodeCollection {
	out := make([]kernel.NodeCollection, len(recs))
	for i, r := range recs {
		var err error
		out[i], err = k.NodeCollection(r.IDs())
		mustDo(t, err)
	}
	return out
}
