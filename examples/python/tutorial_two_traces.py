# PyNEST tutorial, part 1 (NEST 3.9 documentation): a second neuron (I_e 370 pA) on the same
# multimeter; the interleaved traces are split with array slicing. Only the import changed.
import pylab
import nestmpi as nest

neuron = nest.Create("iaf_psc_alpha")
nest.SetStatus(neuron, {"I_e": 376.0})
multimeter = nest.Create("multimeter")
nest.SetStatus(multimeter, {"withtime": True, "record_from": ["V_m"]})
spikedetector = nest.Create("spike_detector",
                            params={"withgid": True, "withtime": True})
nest.Connect(multimeter, neuron)
nest.Connect(neuron, spikedetector)

neuron2 = nest.Create("iaf_psc_alpha")
nest.SetStatus(neuron2, {"I_e": 370.0})
nest.Connect(multimeter, neuron2)

nest.Simulate(1000.0)

dmm = nest.GetStatus(multimeter)[0]
pylab.figure(2)
Vms1 = dmm["events"]["V_m"][::2]  # start at index 0: till the end: each second entry
ts1 = dmm["events"]["times"][::2]
pylab.plot(ts1, Vms1)
Vms2 = dmm["events"]["V_m"][1::2]  # start at index 1: till the end: each second entry
ts2 = dmm["events"]["times"][1::2]
pylab.plot(ts2, Vms2)
pylab.show()
