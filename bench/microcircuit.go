package bench

import (
	"fmt"
	"math"
)

// Microcircuit is the cortical microcircuit of Potjans & Diesmann (2014) as NEST's Potjans_2014
// example defines it (network_params, sim_params, stimulus_params with Poisson background, no
// thalamic or DC input). Eight populations L23E, L23I, L4E, L4I, L5E, L5I, L6E, L6I of iaf_psc_exp
// neurons (C_m 250 pF, τ_m 10 ms, τ_syn 0.5 ms, E_L = V_reset = −65 mV, V_th −50 mV, t_ref 2 ms,
// V_m ~ normal with the population's "optimized" mean and sd). Population i has round(N_i·N_scaling)
// neurons; the connections from j to i are fixed_total_number with
// K_ij = round(ln(1−p_ij)/ln(1 − 1/(N_i·N_j)) · N_scaling · K_scaling); weights are
// normal(w_ij, 0.1·|w_ij|) redrawn to keep their sign, with w_ij the PSC of a 0.15 mV PSP (−4 times
// that from inhibitory sources, twice it from L4E to L23E); delays are normal(d, d/2) with d 1.5 ms
// (excitatory sources) or 0.75 ms, redrawn below half a step; every neuron of i receives a Poisson
// generator of rate 8 Hz · round(K_ext,i·K_scaling) through the 0.15 mV weight at 1.5 ms. With
// K_scaling < 1 weights grow by 1/√K_scaling and a DC current restores the mean input (NEST's
// adjust_weights_and_input_to_synapse_scaling). The run is PresimMs (500) then SimMs (1000).
type Microcircuit struct {
	NScaling, KScaling float64
	PresimMs, SimMs    float64
}

// DefaultMicrocircuit is the full-scale network of the example's published run.
func DefaultMicrocircuit() Microcircuit {
	return Microcircuit{NScaling: 1, KScaling: 1, PresimMs: 500, SimMs: 1000}
}

// The example's populations and parameters.
var (
	mcPops  = [8]string{"L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"}
	mcNFull = [8]float64{20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948}
	// mcConnProbs[i][j] is the probability of a connection from population j to population i.
	mcConnProbs = [8][8]float64{
		{0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0., 0.0076, 0.},
		{0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0., 0.0042, 0.},
		{0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.},
		{0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0., 0.1057, 0.},
		{0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.},
		{0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.},
		{0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252},
		{0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443}}
	mcKExt = [8]float64{1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100}
	// MicrocircuitRates are the example's published rates (spikes/s) over (500, 1500] ms.
	MicrocircuitRates = [8]float64{0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829}
	mcV0Mean          = [8]float64{-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43}
	mcV0SD            = [8]float64{5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48}
)

// MicrocircuitPopulations names the populations in order.
func MicrocircuitPopulations() []string { return mcPops[:] }

const (
	mcCm, mcTauM, mcTauSyn = 250.0, 10.0, 0.5
	mcPSP, mcWRelSD, mcG   = 0.15, 0.1, -4.0
	mcBgRate, mcDelayExt   = 8.0, 1.5
	mcDelayE, mcDelayI     = 1.5, 0.75
	mcDelayRelSD           = 0.5
)

// SimulatedMs is PresimMs + SimMs.
func (m Microcircuit) SimulatedMs() float64 { return m.PresimMs + m.SimMs }

// Synapses returns K_ij = round(ln(1−p_ij)/ln(1 − 1/(N_i·N_j)) · N_scaling · K_scaling).
func (m Microcircuit) Synapses() [8][8]int {
	var k [8][8]int
	for i := range 8 {
		for j := range 8 {
			k[i][j] = int(math.Round(mcFullSynapses(i, j) * m.NScaling * m.KScaling))
		}
	}
	return k
}

// mcFullSynapses is the expected number of distinct-pair draws giving connection probability p.
func mcFullSynapses(i, j int) float64 {
	prod := mcNFull[i] * mcNFull[j]
	return math.Log(1-mcConnProbs[i][j]) / math.Log((prod-1)/prod)
}

// expPSCPerPSP is the current (pA) whose exponential PSC gives a 1 mV PSP peak in iaf_psc_exp:
// with s = 1/(τ_s − τ_m) and f = (τ_m/τ_s)^s, PSC/PSP = 1 / (τ_m·τ_s/C_m · s · (f^τ_m − f^τ_s)).
func expPSCPerPSP(cm, tauM, tauS float64) float64 {
	s := 1 / (tauS - tauM)
	f := math.Pow(tauM/tauS, s)
	return 1 / (tauM * tauS / cm * s * (math.Pow(f, tauM) - math.Pow(f, tauS)))
}

// weights returns the mean recurrent weights, the external weight and the DC current per
// population, after the K_scaling adjustment.
func (m Microcircuit) weights() (w [8][8]float64, wExt float64, dc [8]float64) {
	unit := expPSCPerPSP(mcCm, mcTauM, mcTauSyn)
	wExt = mcPSP * unit
	for i := range 8 {
		for j := range 8 {
			w[i][j] = mcPSP * unit
			if j%2 == 1 {
				w[i][j] *= mcG
			}
		}
	}
	w[0][2] *= 2
	if m.KScaling == 1 {
		return w, wExt, dc
	}
	sq := math.Sqrt(m.KScaling)
	for i := range 8 {
		in := 0.0
		for j := range 8 {
			in += w[i][j] * mcFullSynapses(i, j) / mcNFull[i] * MicrocircuitRates[j]
			w[i][j] /= sq
		}
		in += wExt * mcKExt[i] * mcBgRate
		dc[i] = 0.001 * mcTauSyn * (1 - sq) * in
	}
	return w, wExt / sq, dc
}

// Script is the network file of the microcircuit.
func (m Microcircuit) Script(threads int, seed int64) *Script {
	s := &Script{
		Comment: fmt.Sprintf("The Potjans-Diesmann microcircuit (NEST's Potjans_2014 example), N_scaling %g, K_scaling %g, generated by nest-mpi bench", m.NScaling, m.KScaling),
		Kernel:  map[string]any{"resolution": 0.1, "rng_seed": seed, "local_num_threads": threads},
	}
	w, wExt, dc := m.weights()
	sizes := m.PopulationSizes()
	for i, p := range mcPops {
		s.add("Create", map[string]any{"model": "iaf_psc_exp", "n": sizes[i], "as": p, "params": map[string]any{
			"C_m": mcCm, "tau_m": mcTauM, "tau_syn_ex": mcTauSyn, "tau_syn_in": mcTauSyn, "E_L": -65.0,
			"V_th": -50.0, "V_reset": -65.0, "t_ref": 2.0, "I_e": dc[i],
			"V_m": normal(mcV0Mean[i], mcV0SD[i], math.Inf(-1), math.Inf(1))}})
	}
	for _, p := range mcPops {
		s.add("Create", map[string]any{"model": "spike_recorder", "as": "spikes_" + p})
	}
	for i, p := range mcPops {
		rate := mcBgRate * math.Round(mcKExt[i]*m.KScaling)
		s.add("Create", map[string]any{"model": "poisson_generator", "params": map[string]any{"rate": rate}, "as": "bg_" + p})
	}
	k := m.Synapses()
	dmin := 0.5 * 0.1
	for i, post := range mcPops {
		for j, pre := range mcPops {
			if k[i][j] <= 0 {
				continue
			}
			lo, hi := 0.0, math.Inf(1)
			if w[i][j] < 0 {
				lo, hi = math.Inf(-1), 0
			}
			d := mcDelayE
			if j%2 == 1 {
				d = mcDelayI
			}
			s.add("Connect", map[string]any{"pre": pre, "post": post,
				"conn_spec": map[string]any{"rule": "fixed_total_number", "N": k[i][j]},
				"syn_spec": map[string]any{"synapse_model": "static_synapse",
					"weight": normal(w[i][j], math.Abs(w[i][j]*mcWRelSD), lo, hi),
					"delay":  normal(d, d*mcDelayRelSD, dmin, math.Inf(1))}})
		}
	}
	for _, p := range mcPops {
		s.add("Connect", map[string]any{"pre": p, "post": "spikes_" + p})
	}
	for _, p := range mcPops {
		s.add("Connect", map[string]any{"pre": "bg_" + p, "post": p, "conn_spec": "all_to_all",
			"syn_spec": map[string]any{"synapse_model": "static_synapse", "weight": wExt, "delay": mcDelayExt}})
	}
	s.add("Simulate", m.PresimMs)
	s.add("Simulate", m.SimMs)
	return s
}

// PopulationSizes are the numbers of neurons, round(N_i·N_scaling) (at least 1).
func (m Microcircuit) PopulationSizes() [8]int {
	var n [8]int
	for i := range n {
		n[i] = max(1, int(math.Round(mcNFull[i]*m.NScaling)))
	}
	return n
}
