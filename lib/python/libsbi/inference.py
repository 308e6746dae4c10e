"""Neural posterior estimation (NPE / SNPE-C, single round): the trainer."""
import ctypes as C
import operator
from collections import namedtuple

import numpy as np

from . import _api
from . import _arrays as A
from ._api import lib
from ._errors import Trap, callback, check
from ._handle import Handle
from .dataset import Dataset
from .posterior import Posterior
from .rng import random_seed

ESTIMATORS = {"mdn": 1, "maf": 2, "nsf": 3}

# Python name -> (SBI_OPT_* key, type). Defaults follow sbi 0.27.
OPTIONS = {
    "batch_size": (1, int),
    "learning_rate": (2, float),
    "validation_fraction": (3, float),
    "stop_after_epochs": (4, int),
    "max_epochs": (5, int),
    "clip_max_norm": (6, float),
    "hidden_features": (7, int),
    "hidden_layers": (8, int),
    "num_components": (9, int),
    "num_transforms": (10, int),
    "num_bins": (11, int),
    "z_score_theta": (12, int),
    "z_score_x": (13, int),
    "threads": (14, int),  # libsbi only: threads per training step, same results
}
# The reference package's names for the same options.
ALIASES = {"training_batch_size": "batch_size", "max_num_epochs": "max_epochs"}

Counts = namedtuple("Counts", "n_valid n_excluded n_train n_validation")


def estimator_name(kind):
    """'mdn', 'maf', 'nsf' for an estimator kind (library text)."""
    return lib.sbi_estimator_name(kind).decode()


def estimator_kind(name):
    """The library's kind number for an estimator name."""
    k = C.c_int32()
    check(lib.sbi_estimator_from_name(str(name).encode(), C.byref(k)), "sbi_estimator_from_name")
    return k.value


def _option(name):
    name = ALIASES.get(name, name)
    if name not in OPTIONS:
        raise TypeError(f"unknown trainer option {name!r}; options: "
                        + ", ".join(sorted(OPTIONS)))
    return name, OPTIONS[name]


def _int_value(name, value):
    if name.startswith("z_score"):
        # The reference takes "independent" / "none"; libsbi 1 / 0.
        if isinstance(value, str):
            table = {"independent": 1, "none": 0}
            if value not in table:
                raise ValueError(f"{name}: expected 'independent', 'none' or a bool, got "
                                 f"{value!r} (structured z-scoring is not supported)")
            return table[value]
        if value is None:
            return 0
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return operator.index(value)
    except TypeError:
        raise ValueError(f"{name}: expected an integer, got {value!r}") from None


class Trainer(Handle):
    """Learns q(theta | x) from simulated rows.

    Trainer(prior, estimator="mdn", **options). Options (defaults as the
    reference sbi 0.27): batch_size (training_batch_size) 200, learning_rate
    5e-4, validation_fraction 0.1, stop_after_epochs 20, max_epochs
    (max_num_epochs) 2**31-1, clip_max_norm 5.0, hidden_features 50,
    hidden_layers 2, num_components 10 (MDN), num_transforms 5, num_bins 10
    (NSF), z_score_theta / z_score_x True ('independent') or False ('none');
    threads 1 (libsbi only: 2 lets MAF/NSF training steps use a second core,
    with bit-identical results; the MDN ignores it).

        trainer = Trainer(prior, "mdn", max_epochs=200)
        posterior = trainer.append_simulations(theta, x).train(seed=1).build_posterior()
    """

    _kind = "Trainer"

    def __init__(self, prior, estimator="mdn", **options):
        if estimator not in ESTIMATORS:
            raise ValueError(f"estimator: expected one of {sorted(ESTIMATORS)}, got "
                             f"{estimator!r}")
        self.prior_dim = prior.dim
        self._traps = prior._traps
        self._needs = prior._needs  # a CallbackPrior's callbacks (the copy shares them)
        self._trap = Trap()
        out = C.c_void_p()
        check(lib.sbi_trainer_create(C.byref(out), prior._ptr, ESTIMATORS[estimator]),
              "sbi_trainer_create")
        self._set(out.value, lib.sbi_trainer_free, self._needs)
        self.estimator = estimator
        self.set(**options)

    def set(self, **options):
        """Set options (keyword arguments, see the class doc)."""
        for name, value in options.items():
            name, (key, typ) = _option(name)
            if typ is int:
                check(lib.sbi_trainer_set_int(self._ptr, key, _int_value(name, value)),
                      "sbi_trainer_set_int")
            else:
                try:
                    v = float(value)
                except (TypeError, ValueError):
                    raise ValueError(f"{name}: expected a number, got {value!r}") from None
                check(lib.sbi_trainer_set_double(self._ptr, key, v), "sbi_trainer_set_double")
        return self

    def get(self, name):
        """The current value of an option."""
        name, (key, typ) = _option(name)
        if typ is int:
            v = C.c_int64()
            check(lib.sbi_trainer_get_int(self._ptr, key, C.byref(v)), "sbi_trainer_get_int")
        else:
            v = C.c_double()
            check(lib.sbi_trainer_get_double(self._ptr, key, C.byref(v)),
                  "sbi_trainer_get_double")
        return v.value

    @property
    def options(self):
        """All options as a dict."""
        return {name: self.get(name) for name in OPTIONS}

    def append_simulations(self, theta, x=None):
        """Add rows (copied). theta (n, prior.dim), x (n, x_dim); rows whose
        x is NaN/Inf are excluded and counted. Also accepts a Dataset as
        the only argument. Returns self."""
        if isinstance(theta, Dataset):
            if x is not None:
                raise ValueError("append_simulations(dataset) takes no x")
            check(lib.sbi_trainer_append_dataset(self._ptr, theta._ptr),
                  "sbi_trainer_append_dataset")
            return self
        if x is None:
            raise ValueError("append_simulations(theta, x): x is missing")
        t, _ = A.matrix(theta, "theta", self.prior_dim)
        xa = A._real(x, "x")
        if xa.ndim != 2 or xa.shape[0] != t.shape[0]:
            raise ValueError(f"x: expected shape ({t.shape[0]}, x_dim) to match theta "
                             f"{t.shape}, got {xa.shape}")
        check(lib.sbi_trainer_append(self._ptr, t.shape[0], A.addr(t), xa.shape[1], A.addr(xa)),
              "sbi_trainer_append")
        return self

    def append_dataset(self, dataset):
        """Add the ROW_OK rows of a Dataset. Returns self."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"expected a libsbi.Dataset, got {type(dataset).__name__}")
        return self.append_simulations(dataset)

    def train(self, seed=None, *, progress=None):
        """Train from scratch. seed drives the split, initialisation and batch
        order (random if None). progress(epoch, train_loss, validation_loss)
        is called after every epoch; returning True stops training (then
        CancelledError; the best weights so far are kept). Returns self."""
        seed = random_seed() if seed is None else A.u64(seed)
        if progress is not None and not callable(progress):
            raise TypeError("progress: expected a callable or None")
        cb = _api.TRAIN_PROGRESS_FN()  # NULL: no callback
        if progress is not None:
            cb = callback(_api.TRAIN_PROGRESS_FN, self._trap,
                          lambda _ud, e, t, v: 1 if progress(e, t, v) is True else 0, 1)
        check(lib.sbi_trainer_set_progress(self._ptr, cb, None), "sbi_trainer_set_progress")
        try:
            rc = lib.sbi_trainer_train(self._ptr, seed)
        finally:
            check(lib.sbi_trainer_set_progress(self._ptr, _api.TRAIN_PROGRESS_FN(), None),
                  "sbi_trainer_set_progress")
        check(rc, "sbi_trainer_train", self._traps + (self._trap,))
        return self

    def cancel(self):
        """Stop a training in progress after its current batch (any thread)."""
        check(lib.sbi_trainer_cancel(self._ptr), "sbi_trainer_cancel")

    @property
    def dims(self):
        """(theta_dim, x_dim); x_dim is 0 until rows were appended."""
        td, xd = C.c_int32(), C.c_int32()
        check(lib.sbi_trainer_dims(self._ptr, C.byref(td), C.byref(xd)), "sbi_trainer_dims")
        return td.value, xd.value

    def constant_x(self):
        """Boolean mask (x_dim,) of the x dimensions that were constant on the
        training split of the last training (they carry no information; the
        reference warns about them)."""
        xd = self.dims[1]
        flags = np.zeros(xd, dtype=np.int32)
        count = C.c_int32()
        check(lib.sbi_trainer_constant_x(self._ptr, C.byref(count), A.addr(flags)),
              "sbi_trainer_constant_x")
        return flags.astype(bool)

    @property
    def counts(self):
        """Counts(n_valid, n_excluded, n_train, n_validation)."""
        v = [C.c_int64() for _ in range(4)]
        check(lib.sbi_trainer_counts(self._ptr, *map(C.byref, v)), "sbi_trainer_counts")
        return Counts(*(c.value for c in v))

    @property
    def epochs(self):
        """Epochs of the last training."""
        return self._result()[0]

    @property
    def best_validation_loss(self):
        return self._result()[1]

    def _result(self):
        e, loss = C.c_int64(), C.c_double()
        check(lib.sbi_trainer_result(self._ptr, C.byref(e), C.byref(loss)), "sbi_trainer_result")
        return e.value, loss.value

    def __repr__(self):
        if self.closed:
            return "<libsbi.Trainer (closed)>"
        return f"<libsbi.Trainer {self.estimator} rows={self.counts.n_valid}>"

    def build_posterior(self):
        """The trained posterior (an independent copy)."""
        out = C.c_void_p()
        check(lib.sbi_trainer_build_posterior(self._ptr, C.byref(out)),
              "sbi_trainer_build_posterior")
        return Posterior._adopt(out.value, self._traps, self._needs)
