package kernel

import (
	"path/filepath"
	"reflect"
	"testing"
)

// detNetwork is a network without random draws: its run is the same for any number of VPs.
// iaf_psc_alpha neurons with graded I_e, all-to-all static and STDP connections with a
// weight_recorder, a spike generator, a dc and a step current generator, tsodyks synapses onto
// aeif_cond_alpha neurons, a multimeter and spike recorders.
func detNetwork(t *testing.T, k *Kernel) []NodeCollection {
	t.Helper()
	ie := make([]float64, 30)
	for i := range ie {
		ie[i] = 350 + 10*float64(i)
	}
	n := mustCreate(t, k, "iaf_psc_alpha", 30, Params{"I_e": ie})
	wr := mustCreate(t, k, "weight_recorder", 1, nil)
	must(t, k.CopyModel("stdp_synapse", "plastic", Params{"weight_recorder": wr}))
	a, _ := n.Slice(0, 15, 1)
	b, _ := n.Slice(15, 30, 1)
	must(t, k.Connect(a, b, nil, Params{"synapse_model": "plastic", "weight": 20.0, "delay": 1.5}))
	must(t, k.Connect(b, a, nil, Params{"weight": -10.0, "delay": 2.0}))
	aeif := mustCreate(t, k, "aeif_cond_alpha", 7, nil)
	must(t, k.Connect(n, aeif, nil, Params{"synapse_model": "tsodyks_synapse", "weight": 3.0, "delay": 1.0}))
	sg := mustCreate(t, k, "spike_generator", 1, Params{"spike_times": []float64{5, 10, 33.3}})
	must(t, k.Connect(sg, n, nil, Params{"weight": 100.0}))
	dc := mustCreate(t, k, "dc_generator", 1, Params{"amplitude": 200.0, "start": 10.0})
	must(t, k.Connect(dc, aeif, nil, nil))
	scg := mustCreate(t, k, "step_current_generator", 1, Params{"amplitude_times": []float64{20, 50}, "amplitude_values": []float64{300, 0}})
	must(t, k.Connect(scg, aeif, nil, nil))
	sr := mustCreate(t, k, "spike_recorder", 1, nil)
	all, _ := n.Concat(aeif)
	must(t, k.Connect(all, sr, nil, nil))
	mm := mustCreate(t, k, "multimeter", 1, Params{"record_from": []string{"V_m"}, "interval": 0.5})
	must(t, k.Connect(mm, all, nil, nil))
	return []NodeCollection{sr, wr, mm}
}

// TestCheckpointReshards stores a run on 2 VPs and restores it on 1, 3 and 4 VPs: neurons and
// connections move to their new VPs with their complete state, and a network without random
// draws continues exactly as the run that never stopped.
func TestCheckpointReshards(t *testing.T) {
	const T = 30.0
	dir := filepath.Join(t.TempDir(), "ck")
	k := quietKernel(t, Params{"local_num_threads": 2})
	recs := detNetwork(t, k)
	must(t, k.Simulate(T))
	must(t, k.Store(dir))
	must(t, k.Simulate(T))
	want := sortedOutputs(t, k, recs)
	if n := len(want[0].(Params)["times"].([]float64)); n < 50 {
		t.Fatalf("only %d spikes", n)
	}
	for _, threads := range []int{1, 3, 4} {
		r, err := Restore(dir, RestoreOptions{Options: quietOptions(), Threads: threads})
		must(t, err)
		must(t, r.Simulate(T))
		got := sortedOutputs(t, r, rebind(t, r, recs))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("restored on %d VPs: the continuation differs from the uninterrupted run", threads)
		}
		r.Close()
	}
}

// sortedOutputs is every recorder's events and the connection table sorted by source and target
// (storage order depends on the number of VPs, and so do weight_recorder ports: left out).
func sortedOutputs(t *testing.T, k *Kernel, recs []NodeCollection) []any {
	t.Helper()
	var out []any
	for _, r := range recs {
		ev, err := k.GatherEvents(r)
		must(t, err)
		delete(ev, "ports")
		out = append(out, ev)
	}
	ct, err := k.GatherConnections(ConnFilter{}, "weight", "delay")
	must(t, err)
	return append(out, ct.Source, ct.Target, ct.Model, ct.Columns, k.Time())
}
