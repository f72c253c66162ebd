"""An interactive session, call by call: PyNEST's surface, errors in between (each a PyNEST
exception class), and the kernel still usable after every one of them."""

import os
import unittest
from unittest import mock

import numpy as np

from helpers import mpi_available, nest
from nestmpi import _client

Errors = nest.kernel.NESTErrors


class Session(unittest.TestCase):
    processes = 1

    @classmethod
    def setUpClass(cls):
        nest.init(processes=cls.processes)
        nest.set_verbosity("M_ERROR")

    @classmethod
    def tearDownClass(cls):
        nest.init(processes=1)

    def setUp(self):
        nest.ResetKernel()

    def test_call_by_call_with_errors(self):
        steps = [
            (lambda: nest.Create("no_such_model"), Errors.UnknownModelName),
            (lambda: nest.Create("iaf_psc_alpha", n="two"), Errors.TypeMismatch),
            (lambda: nest.Create("iaf_psc_alpha", params={"no_such_key": 1.0}), Errors.UnaccessedDictionaryEntry),
            (lambda: nest.SetKernelStatus({"resolution": -1.0}), nest.NESTError),
            (lambda: nest.Simulate("long"), Errors.TypeMismatch),
        ]
        n = nest.Create("iaf_psc_alpha", 2, params={"I_e": 376.0})
        for fn, exc in steps:
            with self.assertRaises(exc):
                fn()
            self.assertEqual(len(n), 2)  # still usable
        sr = nest.Create("spike_recorder")
        with self.assertRaises(Errors.BadDelay):
            nest.Connect(n, sr, syn_spec={"delay": -1.0})
        nest.Connect(n, sr)
        with self.assertRaises(Errors.IllegalConnection):
            nest.Connect(sr, n)
        nest.Simulate(100.0)
        self.assertEqual(nest.biological_time, 100.0)
        self.assertEqual(sr.n_events, 2)
        self.assertEqual(list(sr.events["senders"]), [1, 2])
        with self.assertRaises(nest.NESTError) as cm:
            n.set(V_th="high")
        self.assertIn("V_th", str(cm.exception))
        self.assertIsInstance(cm.exception, nest.NESTError)
        nest.Simulate(100.0)
        self.assertEqual(nest.biological_time, 200.0)

    def test_kernel_attributes(self):
        nest.resolution = 0.2
        self.assertEqual(nest.resolution, 0.2)
        nest.rng_seed = 1234
        self.assertEqual(nest.rng_seed, 1234)
        nest.print_time = False
        self.assertFalse(nest.print_time)
        self.assertEqual(nest.local_num_threads, 1)
        self.assertEqual(nest.total_num_virtual_procs, self.processes)
        self.assertEqual(nest.NumProcesses(), self.processes)
        self.assertEqual(nest.Rank(), 0)
        self.assertEqual(nest.GetKernelStatus("resolution"), 0.2)
        self.assertEqual(nest.GetKernelStatus(["resolution", "rng_seed"]), (0.2, 1234))
        self.assertIn("biological_time", nest.GetKernelStatus())
        with self.assertRaises(AttributeError):
            nest.no_such_attribute

    def test_models_defaults_help(self):
        self.assertIn("iaf_psc_alpha", nest.Models())
        self.assertIn("stdp_synapse", nest.Models(sel="stdp"))
        self.assertEqual(nest.GetDefaults("iaf_psc_alpha", "C_m"), 250.0)
        nest.SetDefaults("iaf_psc_alpha", {"C_m": 200.0})
        self.assertEqual(nest.Create("iaf_psc_alpha").C_m, 200.0)
        nest.CopyModel("iaf_psc_alpha", "my_neuron", {"tau_m": 20.0})
        self.assertEqual(nest.GetDefaults("my_neuron")["tau_m"], 20.0)
        with self.assertRaises(Errors.NewModelNameExists):
            nest.CopyModel("iaf_psc_alpha", "my_neuron")
        self.assertIn("iaf_psc_alpha", nest.help("iaf_psc_alpha", return_text=True))

    def test_node_collections(self):
        a = nest.Create("iaf_psc_alpha", 10, params={"V_m": np.linspace(-70.0, -61.0, 10)})
        b = nest.Create("iaf_psc_exp", 5, params=[{"I_e": float(i)} for i in range(5)])
        self.assertEqual(len(a + b), 15)
        self.assertEqual(a[::3].tolist(), [1, 4, 7, 10])
        self.assertEqual(a[-1].global_id, 10)
        self.assertEqual(a[2:8:2].V_m, (-68.0, -66.0, -64.0))
        self.assertEqual([nc.global_id for nc in b], [11, 12, 13, 14, 15])
        self.assertEqual(b.get("I_e"), (0.0, 1.0, 2.0, 3.0, 4.0))
        a.set(I_e=5.0)
        a[0].I_e = 7.0
        self.assertEqual(a[:2].get("I_e"), (7.0, 5.0))
        nest.SetStatus(a[1], {"I_e": 9.0})
        nest.SetStatus(a[2], "I_e", 8.0)
        self.assertEqual(nest.GetStatus(a[:3], "I_e"), (7.0, 9.0, 8.0))
        self.assertEqual(nest.GetStatus(a[:2], ["I_e", "C_m"]), ((7.0, 250.0), (9.0, 250.0)))
        self.assertIsInstance(nest.GetStatus(a[0])[0], dict)
        frame = a.get(["V_m", "I_e"], output="pandas")
        self.assertEqual(list(frame.index), list(range(1, 11)))
        self.assertEqual(list(frame.columns), ["V_m", "I_e"])
        self.assertIn(3, a)
        with self.assertRaises(Errors.UnknownNode):
            nest.GetStatus([99])
        with self.assertRaises(Errors.BadProperty):
            a + a
        with self.assertRaises(TypeError):
            a["x"]
        old = a
        nest.ResetKernel()
        with self.assertRaises(Errors.InvalidNodeCollection):
            old.get("V_m")

    def test_node_valued_parameters(self):
        n = nest.Create("iaf_psc_alpha", 30)
        wr = nest.Create("weight_recorder", params={"senders": n[0:20]})
        self.assertEqual(wr.senders, n[0:20])
        wr.set(targets=n[5:25])
        self.assertEqual(wr.get("targets"), n[5:25])
        nest.CopyModel("stdp_synapse", "stdp_rec", {"weight_recorder": wr})
        self.assertEqual(nest.GetDefaults("stdp_rec", "weight_recorder"), wr)
        self.assertEqual(len(nest.GetDefaults("stdp_synapse")["weight_recorder"]), 0)

    def test_random_parameters(self):
        n = nest.Create("iaf_psc_alpha", 200, params={
            "V_m": nest.math.redraw(nest.random.normal(-65.0, 5.0), min=-70.0, max=-60.0)})
        vm = np.array(n.V_m)
        self.assertTrue(((vm >= -70.0) & (vm <= -60.0)).all())
        self.assertGreater(vm.std(), 1.0)
        n.set(V_m=nest.random.uniform(-70.0, -69.0))
        self.assertTrue((np.array(n.V_m) < -69.0).all())
        with self.assertRaises(NotImplementedError):
            nest.random.normal() * 2

    def test_connections(self):
        pre = nest.Create("iaf_psc_alpha", 3)
        post = nest.Create("iaf_psc_alpha", 3)
        src = np.array([1, 1, 2, 3])
        tgt = np.array([4, 5, 5, 6])
        nest.Connect(src, tgt, "one_to_one", {"weight": np.array([1.0, 2.0, 3.0, 4.0]),
                                              "delay": np.array([1.0, 1.5, 2.0, 2.5])})
        nest.Connect(pre, post, "one_to_one", {"synapse_model": "stdp_synapse", "weight": 5.0})
        conns = nest.GetConnections(synapse_model="static_synapse")
        self.assertEqual(len(conns), 4)
        self.assertEqual(conns.weight, [1.0, 2.0, 3.0, 4.0])
        frame = conns.get(["source", "target", "delay"], output="pandas")
        self.assertEqual(list(frame.source), [1, 1, 2, 3])
        self.assertEqual(list(frame.delay), [1.0, 1.5, 2.0, 2.5])
        conns.set(weight=2.5)
        self.assertEqual(conns.get("weight"), [2.5] * 4)
        conns.set(weight=np.array([4.0, 3.0, 2.0, 1.0]))
        self.assertEqual(conns.weight, [4.0, 3.0, 2.0, 1.0])
        conns.set([{"weight": 1.0, "delay": 2.0}] * 2 + [{"weight": 5.0, "delay": 3.0}] * 2)
        self.assertEqual(conns.get(["weight", "delay"]), {"weight": [1.0, 1.0, 5.0, 5.0], "delay": [2.0, 2.0, 3.0, 3.0]})
        with self.assertRaises(Errors.DimensionMismatch):
            conns.set(weight=[1.0, 2.0])
        self.assertEqual(conns.weight, [1.0, 1.0, 5.0, 5.0])
        one = nest.GetConnections(pre[0], post[0], "stdp_synapse")
        self.assertEqual(one.get("weight"), 5.0)
        self.assertEqual(one.get()["synapse_model"], "stdp_synapse")
        self.assertEqual(len(nest.GetConnections(source=pre)), 7)
        with self.assertRaises(Errors.ArgumentType):
            nest.Connect(src, tgt[:2], "one_to_one")
        with self.assertRaises(NotImplementedError):
            nest.GetConnections(synapse_label=1)
        sc = nest.Connect(np.array([4, 4]), np.array([1, 2]), "one_to_one", {"weight": 9.0},
                          return_synapsecollection=True)
        self.assertEqual(sc.get("weight"), [9.0, 9.0])
        sc = nest.Connect(pre[:1], post[1:], "all_to_all", "stdp_synapse", return_synapsecollection=True)
        self.assertEqual(len(sc), 2)

    def test_old_forms(self):
        noise = nest.Create("poisson_generator", params={"rate": 1000.0})
        neuron = nest.Create("iaf_psc_alpha")
        sd = nest.Create("spike_detector", params={"withgid": True, "withtime": True})
        nest.Connect([noise], neuron, syn_spec={"weight": 1.2})
        nest.Connect(neuron, sd)
        self.assertEqual(len(nest.GetConnections(noise)), 1)
        self.assertEqual(nest.GetStatus(sd, "model"), ("spike_recorder",))

    def test_prepare_run_cleanup(self):
        n = nest.Create("iaf_psc_alpha", params={"I_e": 376.0})
        sr = nest.Create("spike_recorder")
        nest.Connect(n, sr)
        with nest.RunManager():
            for _ in range(10):
                nest.Run(10.0)
        nest.Prepare()
        nest.Run(50.0)
        nest.Cleanup()
        self.assertEqual(nest.biological_time, 150.0)
        self.assertEqual(list(sr.events["times"])[:1], [59.300000000000004])

    def test_unsupported(self):
        with self.assertRaises(NotImplementedError) as cm:
            nest.Create("iaf_psc_alpha", positions=object())
        self.assertIn("positions", str(cm.exception))
        with self.assertRaises(NotImplementedError):
            nest.Install("mymodule")
        with self.assertRaises(NotImplementedError) as cm:
            nest.Disconnect(nest.Create("iaf_psc_alpha"), nest.Create("iaf_psc_alpha"))
        self.assertIn("Disconnect", str(cm.exception))


class Lifecycle(unittest.TestCase):
    """A server that dies or cannot start: one clear exception, and init() starts a new one."""

    def tearDown(self):
        nest.init(processes=1)

    def test_calls_after_the_server_died(self):
        nest.init(processes=1)
        from nestmpi import _session
        _session.server().proc.kill()
        with self.assertRaises(Errors.KernelException) as cm:
            nest.Create("iaf_psc_alpha")
        self.assertIn("server has ended", str(cm.exception))
        with self.assertRaises(Errors.KernelException):
            nest.Simulate(1.0)
        nest.init()
        self.assertEqual(len(nest.Create("iaf_psc_alpha", 3)), 3)

    def test_binary_missing(self):
        with mock.patch.dict(os.environ, {"NESTMPI_BIN": "/nonexistent/nest-mpi"}):
            with self.assertRaises(Errors.KernelException) as cm:
                nest.init(processes=1)
        self.assertIn("NESTMPI_BIN", str(cm.exception))

    def test_mpirun_missing(self):
        env = {"PATH": "/nonexistent", "NESTMPI_MPIRUN": ""}
        with mock.patch.dict(os.environ, env):
            with self.assertRaises(Errors.KernelException) as cm:
                _client.mpirun_command(2)
        self.assertIn("mpirun", str(cm.exception))

    @unittest.skipUnless(mpi_available(), "needs OpenMPI and bin/nest-mpi-mpi")
    def test_processes_from_the_environment(self):
        from nestmpi import _session
        with mock.patch.dict(os.environ, {"NESTMPI_PROCESSES": "2"}):
            _session.shutdown()
            _session._S.processes, _session._S.started = None, False
            self.assertEqual(nest.NumProcesses(), 2)

    def test_bad_processes(self):
        with self.assertRaises(Errors.BadParameter):
            nest.init(processes=0)
        with mock.patch.dict(os.environ, {"NESTMPI_PROCESSES": "many"}):
            from nestmpi import _session
            with self.assertRaises(Errors.BadParameter):
                _session._S.processes = None
                _session._S.requested_processes()


@unittest.skipUnless(mpi_available(), "needs OpenMPI and bin/nest-mpi-mpi (make mpi-deps build)")
class SessionTwoProcesses(Session):
    processes = 2


if __name__ == "__main__":
    unittest.main()
