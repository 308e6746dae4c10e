"""libsbi: simulation-based inference (neural posterior estimation) in C,
from Python with NumPy.

    import numpy as np
    import libsbi

    prior = libsbi.BoxUniform([0.5, 1e-4], [80.0, 15.0])
    sim = libsbi.Simulator(lambda theta: theta + np.random.randn(*theta.shape), 2, 2)
    theta, x = libsbi.simulate_for_sbi(sim, prior, 1000, seed=1)
    posterior = libsbi.Trainer(prior).append_simulations(theta, x).train(seed=1).build_posterior()
    samples = posterior.sample(10_000, x[0], seed=2)

The import name is `libsbi` (not `sbi`, the reference package's, so both can
be installed side by side). The shared library is found as _loader.py says
(LIBSBI_LIBRARY overrides). Arrays are float64, row-major: (n, dim).
"""
from . import _api
from ._errors import (BudgetExhaustedError, CallbackError, CancelledError, Error,
                      FormatError, InputOutputError, InvalidArgumentError,
                      MissingFunctionError, NumericalError, OutOfMemoryError, PluginError,
                      SimulatorError, StateError, VersionError)
from ._loader import ABI_VERSION
from . import diagnostics, io, plot, stats
from .dataset import Dataset
from .inference import Trainer, estimator_kind, estimator_name
from .plugin import Plugin, load_plugin, plugin_abi_version
from .posterior import Posterior
from .prior import BoxUniform, CallbackPrior, Gaussian, Prior
from .rng import Rng, seed_for_index
from .runner import Runner, simulate_for_sbi
from .stats import Summary
from .simulator import (ROW_FAILED, ROW_NONFINITE, ROW_OK, ROW_PENDING, PythonSimulator,
                        Simulator)

#: Path or name the shared library was loaded from.
library_path = _api.LIBRARY_PATH


def version():
    """The loaded library's version, "major.minor.patch"."""
    return _api.lib.sbi_version_string().decode()


def version_number():
    """10000*major + 100*minor + patch of the loaded library."""
    return _api.lib.sbi_version_number()


def abi_version():
    """The loaded library's ABI major (the N of libsbi.so.N)."""
    return _api.lib.sbi_abi_version()


def status_string(status):
    """The library's static text for a status code."""
    return _api.lib.sbi_status_string(status).decode()


def last_error():
    """The calling thread's last libsbi error message ("" if none). The
    exceptions carry it already; this is for completeness."""
    return _api.lib.sbi_last_error().decode("utf-8", "replace")


def clear_error():
    """Forget the calling thread's last error message."""
    _api.lib.sbi_clear_error()


__version__ = version()

__all__ = [
    "ABI_VERSION", "BoxUniform", "BudgetExhaustedError", "CallbackError", "CallbackPrior",
    "CancelledError", "Dataset", "Error", "FormatError", "Gaussian", "InputOutputError",
    "InvalidArgumentError", "MissingFunctionError", "NumericalError", "OutOfMemoryError",
    "Plugin", "PluginError", "Posterior", "Prior", "PythonSimulator", "ROW_FAILED", "ROW_NONFINITE",
    "ROW_OK", "ROW_PENDING", "Rng", "clear_error", "last_error", "Runner", "SimulatorError", "Simulator", "StateError",
    "Summary", "Trainer", "VersionError", "diagnostics", "io", "plot", "stats", "abi_version", "estimator_kind", "estimator_name",
    "library_path", "load_plugin", "plugin_abi_version", "seed_for_index", "simulate_for_sbi", "status_string", "version",
    "version_number",
]
