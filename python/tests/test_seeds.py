"""The seeds' PyNEST programs (examples/python/) run to the end and give the numbers of NEST's
references and of the same networks run from network files, on 1 and on 2 MPI processes."""

import unittest

from helpers import mpi_available, nest, reference, run_network_file, run_script

TOL = 1e-9


class SeedScripts(unittest.TestCase):
    """The tutorial and weight_recorder scripts on one process."""

    processes = 1

    @classmethod
    def setUpClass(cls):
        nest.init(processes=cls.processes)
        nest.set_verbosity("M_WARNING")

    @classmethod
    def tearDownClass(cls):
        nest.init(processes=1)

    def assertClose(self, got, want, what):
        got, want = list(got), list(want)
        self.assertEqual(len(got), len(want), "%s: %d values, want %d" % (what, len(got), len(want)))
        for i, (g, w) in enumerate(zip(got, want)):
            self.assertLessEqual(abs(g - w), TOL, "%s[%d]: %r, want %r" % (what, i, g, w))

    def test_tutorial_one_neuron(self):
        g = run_script("tutorial_one_neuron.py")
        spikes = reference("tutorial_one_neuron_spikes.csv")
        vm = reference("tutorial_one_neuron_vm_interval1.0.csv")
        self.assertClose(g["dSD"]["times"], spikes["time_ms"], "spike times")
        self.assertEqual(set(g["evs"]), {1})
        self.assertClose(g["dmm"]["events"]["times"], vm["time_ms"], "multimeter times")
        self.assertClose(g["Vms"], vm["V_m"], "V_m")
        self.assertEqual(g["nest"].GetStatus(g["neuron"], "I_e"), (376.0,))
        out = run_network_file("tutorial/one_neuron.json")
        self.assertClose(g["dSD"]["times"], out["spikedetector.csv"]["time_ms"], "network file spikes")
        self.assertClose(g["Vms"], out["multimeter.csv"]["V_m"], "network file V_m")

    def test_tutorial_two_traces(self):
        g = run_script("tutorial_two_traces.py")
        vm = reference("tutorial_one_neuron_vm_interval1.0.csv")
        self.assertClose(g["ts1"], vm["time_ms"], "neuron 1 times")
        self.assertClose(g["Vms1"], vm["V_m"], "neuron 1 V_m")
        self.assertClose(g["ts2"], vm["time_ms"], "neuron 2 times")
        self.assertEqual(set(g["dmm"]["events"]["senders"][1::2]), {4})
        self.assertGreater(min(g["Vms2"]), -70.0 - TOL)

    def test_tutorial_noise(self):
        g = run_script("tutorial_noise.py")
        flags = ["--seed", str(nest.rng_seed), "--threads", str(nest.total_num_virtual_procs)]
        out = run_network_file("tutorial/noise.json", *flags)
        self.assertClose(g["ts"], out["spikedetector.csv"]["time_ms"], "spike times")
        self.assertClose(g["Vms"], out["multimeter.csv"]["V_m"], "V_m")
        self.assertGreater(len(g["ts"]), 0)

    def test_tutorial_two_neurons(self):
        g = run_script("tutorial_two_neurons.py")
        ref = reference("tutorial_two_neurons_alpha_n2_vm.csv")
        at = {round(t, 6): v for t, v in zip(ref["time_ms"], ref["V_m"])}
        ts = list(g["ts"])
        self.assertEqual(len(ts), 999)
        self.assertClose(g["Vms"], [at[round(t, 6)] for t in ts], "neuron 2 V_m")
        self.assertAlmostEqual(max(g["Vms"]), -69.739232, places=6)

    def test_weight_recorder(self):
        g = run_script("weight_recorder.py")
        out = run_network_file("weight_recorder.json", "--seed", str(nest.rng_seed),
                               "--threads", str(nest.total_num_virtual_procs))
        ev, wr = g["events"], out["wr.csv"]
        self.assertGreater(len(ev["times"]), 1000)
        self.assertClose(ev["times"], wr["time_ms"], "times")
        self.assertClose(ev["senders"], wr["sender"], "senders")
        self.assertClose(ev["targets"], wr["target"], "targets")
        self.assertClose(ev["weights"], wr["weight"], "weights")
        self.assertClose(g["weights"]["weight"], out["weights.csv"]["weight"], "final weights")

    def test_stdp_weight_recorder(self):
        g = run_script("stdp_weight_recorder.py")
        raw = reference("stdp_synapse_weight_recorder.csv")
        # NEST lists the events of one time slice by sender: sort by time, then sender.
        rows = sorted(zip(raw["time_ms"], raw["sender"], raw["target"], raw["weight"]))
        ref = {k: [r[i] for r in rows] for i, k in enumerate(("time_ms", "sender", "target", "weight"))}
        ev = g["events"]
        self.assertClose(ev["times"], ref["time_ms"], "times")
        self.assertClose(ev["senders"], ref["sender"], "senders")
        self.assertClose(ev["targets"], ref["target"], "targets")
        self.assertClose(ev["weights"], ref["weight"], "weights")
        final = dict(zip(g["final"]["source"], g["final"]["weight"]))
        self.assertClose([final[3], final[4]], [53.32149798404573, 52.2641888950327], "final weights")


@unittest.skipUnless(mpi_available(), "needs OpenMPI and bin/nest-mpi-mpi (make mpi-deps build)")
class SeedScriptsTwoProcesses(SeedScripts):
    """The same scripts on 2 MPI processes, with the same numbers."""

    processes = 2


if __name__ == "__main__":
    unittest.main()
