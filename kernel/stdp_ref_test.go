package kernel

import (
	"sort"
	"testing"
)

// TestSTDPSynapseReference replays NEST's stdp_synapse experiment of the reference README: two
// spike trains through parrot neurons onto an iaf_psc_alpha neuron, a weight_recorder on the
// copied STDP model, and compares every recorded weight, every spike and the final weights.
func TestSTDPSynapseReference(t *testing.T) {
	for _, threads := range []int{1, 2} {
		k := newTestKernel(t, Params{"local_num_threads": threads})
		trains := readCSV(t, "stdp_pre_spike_trains.csv")
		times := map[int][]float64{}
		for _, r := range trains {
			times[int(r[0])] = append(times[int(r[0])], r[1])
		}
		sg := mustCreate(t, k, "spike_generator", 2, nil)
		must(t, k.SetStatusEach(sg, []Params{{"spike_times": times[1]}, {"spike_times": times[2]}}))
		parrots := mustCreate(t, k, "parrot_neuron", 2, nil)
		must(t, k.Connect(sg, parrots, "one_to_one", Params{"weight": 1.0, "delay": 1.0}))
		post := mustCreate(t, k, "iaf_psc_alpha", 1, Params{"I_e": 376.0, "tau_minus": 20.0})
		wr := mustCreate(t, k, "weight_recorder", 1, nil)
		must(t, k.CopyModel("stdp_synapse", "stdp_rec", Params{"weight_recorder": wr}))
		must(t, k.Connect(parrots, post, "all_to_all", Params{"synapse_model": "stdp_rec", "weight": 50.0, "delay": 1.0}))
		sr := mustCreate(t, k, "spike_recorder", 1, nil)
		all, _ := parrots.Concat(post)
		must(t, k.Connect(all, sr, nil, nil))
		must(t, k.Simulate(1000.0))

		ev := eventsOf(t, k, wr)
		type wev struct{ s, tg, t, w float64 }
		var got []wev
		for i, s := range ints(ev["senders"]) {
			got = append(got, wev{float64(s), float64(ints(ev["targets"])[i]), floats(ev["times"])[i], floats(ev["weights"])[i]})
		}
		sort.Slice(got, func(a, b int) bool {
			if got[a].t != got[b].t {
				return got[a].t < got[b].t
			}
			return got[a].s < got[b].s
		})
		ref := readCSV(t, "stdp_synapse_weight_recorder.csv")
		sort.SliceStable(ref, func(a, b int) bool { // NEST lists a slice's events by sender
			if ref[a][2] != ref[b][2] {
				return ref[a][2] < ref[b][2]
			}
			return ref[a][0] < ref[b][0]
		})
		if len(got) != len(ref) {
			t.Fatalf("threads %d: %d weight_recorder events, want %d", threads, len(got), len(ref))
		}
		for i, r := range ref {
			g := got[i]
			if g.s != r[0] || g.tg != r[1] || abs(g.t-r[2]) > 1e-9 || abs(g.w-r[3]) > 1e-9 {
				t.Fatalf("threads %d: event %d = %+v, want %v", threads, i, g, r)
			}
		}
		spk := eventsOf(t, k, sr)
		refSpikes := readCSV(t, "stdp_synapse_spikes.csv")
		sort.SliceStable(refSpikes, func(a, b int) bool {
			if refSpikes[a][1] != refSpikes[b][1] {
				return refSpikes[a][1] < refSpikes[b][1]
			}
			return refSpikes[a][0] < refSpikes[b][0]
		})
		type sev struct{ s, t float64 }
		var gs []sev
		for i, s := range ints(spk["senders"]) {
			gs = append(gs, sev{float64(s), floats(spk["times"])[i]})
		}
		sort.Slice(gs, func(a, b int) bool {
			if gs[a].t != gs[b].t {
				return gs[a].t < gs[b].t
			}
			return gs[a].s < gs[b].s
		})
		if len(gs) != len(refSpikes) {
			t.Fatalf("threads %d: %d spikes, want %d", threads, len(gs), len(refSpikes))
		}
		for i, r := range refSpikes {
			if gs[i].s != r[0] || abs(gs[i].t-r[1]) > 1e-9 {
				t.Fatalf("threads %d: spike %d = %+v, want %v", threads, i, gs[i], r)
			}
		}
		sc, err := k.GetConnections(ConnFilter{SynapseModel: "stdp_rec"})
		must(t, err)
		cols, err := sc.Get("source", "weight")
		must(t, err)
		want := map[int64]float64{3: 53.32149798404573, 4: 52.2641888950327}
		for i, s := range cols["source"].([]int64) {
			if w := cols["weight"].([]float64)[i]; abs(w-want[s]) > 1e-9 {
				t.Errorf("threads %d: final weight %d -> 5 = %.15g, want %.15g", threads, s, w, want[s])
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
