# The weight_recorder page (NEST 3.9 documentation), with input added so that the plastic
# synapses see spikes: a Poisson generator drives the presynaptic neurons and a constant current
# the postsynaptic ones. The page's code with only the import changed; the input and the read-out
# at the end are added.
import nestmpi as nest

wr = nest.Create('weight_recorder')
nest.CopyModel("stdp_synapse", "stdp_synapse_rec", {"weight_recorder": wr})

pre = nest.Create("iaf_psc_alpha", 10)
post = nest.Create("iaf_psc_alpha", 10)

nest.Connect(pre, post, syn_spec="stdp_synapse_rec")

# Input (added).
pg = nest.Create("poisson_generator", params={"rate": 20000.0})
nest.Connect(pg, pre, syn_spec={"weight": 15.0})
post.set(I_e=360.0)

nest.Simulate(1000.0)

events = wr.get("events")
weights = nest.GetConnections(pre, post).get(["source", "target", "weight"])
