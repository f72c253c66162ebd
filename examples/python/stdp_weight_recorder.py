# STDP observed with a weight_recorder, as on the weight_recorder page, in the setup of NEST 3.9's
# reference run (see python/tests/data/README.md): two spike trains through parrot neurons onto
# one neuron with plastic synapses.
import nestmpi as nest

g1 = nest.Create("spike_generator", params={"spike_times": [10.0 + 25.0 * k for k in range(40)]})
g2 = nest.Create("spike_generator", params={"spike_times": [
    10.5, 29.9, 170.6, 183.1, 198.5, 238.2, 281.8, 287.8, 344.3, 391.1, 395.1, 483.5, 515.5, 518.5,
    568.6, 585.1, 647.2, 672.0, 674.3, 675.5, 682.1, 711.9, 734.1, 745.3, 769.6, 784.7, 794.7,
    804.2, 814.6, 819.5, 870.5, 941.6]})
parrots = nest.Create("parrot_neuron", 2)
nest.Connect(g1 + g2, parrots, "one_to_one", {"weight": 1.0, "delay": 1.0})

neuron = nest.Create("iaf_psc_alpha", params={"I_e": 376.0, "tau_minus": 20.0})
wr = nest.Create("weight_recorder")
nest.CopyModel("stdp_synapse", "stdp_rec", {"weight_recorder": wr})
nest.Connect(parrots, neuron, "all_to_all", {"synapse_model": "stdp_rec", "weight": 50.0, "delay": 1.0})

sr = nest.Create("spike_recorder")
nest.Connect(parrots + neuron, sr)

nest.Simulate(1000.0)

events = wr.events
final = nest.GetConnections(parrots, neuron).get(["source", "weight"])
