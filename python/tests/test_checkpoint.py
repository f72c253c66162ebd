"""nest.Store and nest.Restore: a full checkpoint from Python continues bit for bit."""

import tempfile
import unittest

from helpers import mpi_available, nest


def network():
    nest.SetKernelStatus({"rng_seed": 9, "local_num_threads": 2})
    e = nest.Create("iaf_psc_delta", 80, params={"V_m": nest.random.normal(-65.0, 5.0)})
    nest.CopyModel("stdp_synapse_hom", "e_syn", {"Wmax": 3.0})
    nest.Connect(e, e, {"rule": "fixed_indegree", "indegree": 10}, {"synapse_model": "e_syn", "weight": 1.0})
    pg = nest.Create("poisson_generator", params={"rate": 9000.0})
    nest.Connect(pg, e, syn_spec={"weight": 1.3})
    sr = nest.Create("spike_recorder")
    nest.Connect(e, sr)
    return sr


class Checkpoint(unittest.TestCase):
    processes = 1

    @classmethod
    def setUpClass(cls):
        nest.init(processes=cls.processes)
        nest.set_verbosity("M_ERROR")

    @classmethod
    def tearDownClass(cls):
        nest.init(processes=1)

    def test_store_simulate_restore_simulate(self):
        with tempfile.TemporaryDirectory() as tmp:
            nest.ResetKernel()
            sr = network()
            nest.Simulate(50.0)
            nest.Store(tmp + "/ck")
            nest.Simulate(50.0)
            want = sr.get("events")
            weights = nest.GetConnections(synapse_model="e_syn").get("weight")
            nest.ResetKernel()
            nest.Restore(tmp + "/ck")
            self.assertEqual(nest.biological_time, 50.0)
            nest.Simulate(50.0)
            sr2 = nest.NodeCollection(sr.tolist())
            got = sr2.get("events")
            self.assertGreater(len(want["times"]), 100)
            self.assertEqual(list(got["times"]), list(want["times"]))
            self.assertEqual(list(got["senders"]), list(want["senders"]))
            self.assertEqual(list(nest.GetConnections(synapse_model="e_syn").get("weight")), list(weights))

    def test_restore_errors(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(nest.NESTError):
                nest.Restore(tmp + "/nothing")
            nest.ResetKernel()
            nest.Create("iaf_psc_alpha")  # the session is still usable


@unittest.skipUnless(mpi_available(), "needs OpenMPI and the MPI build")
class CheckpointTwoProcesses(Checkpoint):
    processes = 2


if __name__ == "__main__":
    unittest.main()
