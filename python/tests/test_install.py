"""Install: with PYTHONPATH=<repo>/python a script from any folder finds the repository's bin/;
`pip install --no-build-isolation ./python` works offline in a venv, finding the binary through
NESTMPI_BIN."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from helpers import REPO

SCRIPT = "import nestmpi as nest; n = nest.Create('iaf_psc_alpha', 4); print(len(n), nest.resolution)"


class Install(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nestmpi-install-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_python(self, python, env):
        out = subprocess.run([python, "-c", SCRIPT], cwd=self.dir, env=env, capture_output=True, text=True,
                             timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split(), ["4", "0.1"])

    def test_pythonpath_from_any_folder(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("NESTMPI_")}
        env["PYTHONPATH"] = os.path.join(REPO, "python")
        self.run_python(sys.executable, env)

    def test_pip_install_offline(self):
        try:
            import ensurepip  # noqa: F401
            import setuptools  # noqa: F401
        except ImportError:
            self.skipTest("needs python3-venv and python3-setuptools")
        venv = os.path.join(self.dir, "venv")
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True,
                       capture_output=True, timeout=300)
        src = os.path.join(self.dir, "src")
        shutil.copytree(os.path.join(REPO, "python"), src, ignore=shutil.ignore_patterns("tests", "__pycache__"))
        pip = subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--no-build-isolation", "--no-index",
                              src], capture_output=True, text=True, timeout=300)
        self.assertEqual(pip.returncode, 0, pip.stdout + pip.stderr)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NESTMPI_") and k != "PYTHONPATH"}
        env["NESTMPI_BIN"] = os.path.join(REPO, "bin", "nest-mpi")
        self.run_python(os.path.join(venv, "bin", "python"), env)


if __name__ == "__main__":
    unittest.main()
