"""Exceptions: one class per library status, and the trap that carries an
exception raised inside a Python callback back across the C call.

Exceptions cannot unwind through C. A callback wrapper therefore catches
everything (KeyboardInterrupt included), stores it in a Trap and returns
non-zero, which makes the library stop the operation; when the C call
returns, check() re-raises the stored exception with its own traceback.
"""
import threading

from ._api import lib


class Error(Exception):
    """A libsbi call failed. `status` is the library's status code (negative),
    `status_name` its constant name, `message` the library's detailed message
    (sbi_last_error() at the time of the failure)."""

    status = None

    def __init__(self, status, message, function=None):
        self.status = status
        self.message = message
        self.function = function
        self.status_name = STATUS_NAMES.get(status, str(status))
        text = message or lib.sbi_status_string(status).decode()
        where = f"{function}: " if function and not message else ""
        super().__init__(f"{where}{text} [{self.status_name}]")


class InvalidArgumentError(Error, ValueError):
    """SBI_EINVAL: an argument is invalid (the message says which)."""


class OutOfMemoryError(Error, MemoryError):
    """SBI_ENOMEM."""


class SimulatorError(Error):
    """SBI_ESIMULATOR: the simulator stopped the run. `dataset` holds the rows
    simulated before it (the others are ROW_PENDING), when there is one."""

    dataset = None


class CancelledError(Error):
    """SBI_ECANCELED: cancelled (cancel() or a progress callback returning
    True). For a simulation run, `dataset` holds the rows simulated so far."""

    dataset = None


class FormatError(Error, ValueError):
    """SBI_EFORMAT: a file or buffer is not in the expected format."""


class VersionError(Error):
    """SBI_EVERSION: unsupported file, plugin or library version."""


class InputOutputError(Error, OSError):
    """SBI_EIO: reading or writing a file failed."""


class NumericalError(Error, ArithmeticError):
    """SBI_ENUMERIC: non-finite values, a singular matrix..."""


class BudgetExhaustedError(Error):
    """SBI_EBUDGET: a sampling budget ran out. `samples` holds the samples
    drawn before it did, `acceptance` the acceptance rate."""

    samples = None
    acceptance = None


class StateError(Error):
    """SBI_ESTATE: the call is not valid in the object's current state."""


class PluginError(Error, OSError):
    """SBI_EPLUGIN: a plugin could not be loaded."""


class CallbackError(Error):
    """SBI_ECALLBACK: a user callback other than the simulator failed."""


class MissingFunctionError(Error, NotImplementedError):
    """The loaded libsbi does not export a function this binding declares."""

    def __init__(self, text):
        Exception.__init__(self, text)
        self.status = None
        self.message = text
        self.function = None
        self.status_name = None


STATUS_NAMES = {
    0: "SBI_OK", -1: "SBI_EINVAL", -2: "SBI_ENOMEM", -3: "SBI_ESIMULATOR",
    -4: "SBI_ECANCELED", -5: "SBI_EFORMAT", -6: "SBI_EVERSION", -7: "SBI_EIO",
    -8: "SBI_ENUMERIC", -9: "SBI_EBUDGET", -10: "SBI_ESTATE", -11: "SBI_EPLUGIN",
    -12: "SBI_ECALLBACK",
}

_BY_STATUS = {
    -1: InvalidArgumentError, -2: OutOfMemoryError, -3: SimulatorError,
    -4: CancelledError, -5: FormatError, -6: VersionError, -7: InputOutputError,
    -8: NumericalError, -9: BudgetExhaustedError, -10: StateError, -11: PluginError,
    -12: CallbackError,
}


def error_for(status, function=None):
    """The exception for a failed call; reads the thread's last error, so it
    must be called right after the failing call."""
    message = lib.sbi_last_error().decode("utf-8", "replace")
    return _BY_STATUS.get(status, Error)(status, message, function)


class Trap:
    """Holds the first exception raised inside a Python callback."""

    __slots__ = ("_exc", "_lock")

    def __init__(self):
        self._exc = None
        self._lock = threading.Lock()

    def capture(self, exc):
        with self._lock:
            if self._exc is None:
                self._exc = exc

    def pop(self):
        with self._lock:
            exc, self._exc = self._exc, None
        return exc


def check(rc, function, traps=()):
    """Raise for a call's status: first an exception caught in a callback
    (the user's own, with its traceback), else the library's error."""
    err = error_for(rc, function) if rc != 0 else None
    pending = None
    for trap in traps:
        exc = trap.pop()
        if pending is None:
            pending = exc
    if pending is not None:
        if err is not None and hasattr(pending, "add_note"):
            pending.add_note(f"libsbi: {function} stopped with {err.status_name} "
                             f"because a Python callback raised")
        raise pending
    if err is not None:
        raise err


def callback(cfunctype, trap, fn, failure):
    """A ctypes callback running fn(*args); any exception goes to `trap` and
    the callback returns `failure` (non-zero) to the library."""

    def trampoline(*args):
        try:
            return fn(*args)
        except BaseException as exc:  # noqa: B036 - re-raised by check()
            trap.capture(exc)
            return failure

    return cfunctype(trampoline)
