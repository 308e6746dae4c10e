"""Simulator plugins: shared objects describing a C simulator (its
dimensions, names, default prior box, default observation, options), loaded
by path. The HH model ships as one (sbi_hh_plugin.so)."""
import ctypes as C
import os

import numpy as np

from . import _arrays as A
from ._api import lib
from ._errors import StateError, check
from ._handle import Handle
from .prior import Prior
from .simulator import Simulator


def plugin_abi_version():
    """The plugin ABI version the loaded libsbi understands."""
    return lib.sbi_plugin_abi_version()


def _text(p):
    return None if p.value is None else p.value.decode("utf-8", "replace")


class Plugin(Handle):
    """A loaded simulator plugin: load_plugin(path), or
    Plugin.open_descriptor(address) for a descriptor already in the process.

    plugin.simulator() makes a C simulator (thread-safe: the runner may use
    worker threads); plugin.prior() the default box-uniform prior;
    plugin.theta_true the default observation's parameters. Options (the
    plugin's numeric settings) are read with plugin.options and changed
    with plugin.set_option(name, value) for simulators made afterwards."""

    _kind = "Plugin"

    @classmethod
    def load(cls, path):
        """Load a plugin module by path. PluginError for a missing file, a
        missing sbi_plugin_describe or an invalid descriptor; VersionError
        for another plugin ABI."""
        out = C.c_void_p()
        check(lib.sbi_plugin_load(C.byref(out), os.fsencode(os.fspath(path))), "sbi_plugin_load")
        self = cls.__new__(cls)
        self._set(out.value, lib.sbi_plugin_free)
        return self

    @classmethod
    def open_descriptor(cls, address, keep=()):
        """A plugin handle for a descriptor (sbi_plugin_descriptor*, as an
        int) in this process, e.g. from a C library loaded with ctypes;
        `keep` holds that library alive."""
        if not address:
            raise ValueError("open_descriptor: NULL descriptor")
        out = C.c_void_p()
        check(lib.sbi_plugin_open_descriptor(C.byref(out), int(address)),
              "sbi_plugin_open_descriptor")
        self = cls.__new__(cls)
        self._set(out.value, lib.sbi_plugin_free, list(keep))
        return self

    def _info(self):
        v = [C.c_char_p() for _ in range(4)]
        check(lib.sbi_plugin_info(self._ptr, *map(C.byref, v)), "sbi_plugin_info")
        return [_text(s) for s in v]

    @property
    def name(self):
        return self._info()[0]

    @property
    def description(self):
        return self._info()[1]

    @property
    def version(self):
        return self._info()[2]

    @property
    def path(self):
        """The path it was loaded from ("" for open_descriptor)."""
        return self._info()[3]

    @property
    def dims(self):
        """(theta_dim, x_dim)."""
        td, xd = C.c_int32(), C.c_int32()
        check(lib.sbi_plugin_dims(self._ptr, C.byref(td), C.byref(xd)), "sbi_plugin_dims")
        return td.value, xd.value

    @property
    def theta_names(self):
        return [self._theta_name(i)[0] for i in range(self.dims[0])]

    @property
    def theta_units(self):
        return [self._theta_name(i)[1] for i in range(self.dims[0])]

    def _theta_name(self, i):
        name, unit = C.c_char_p(), C.c_char_p()
        check(lib.sbi_plugin_theta_name(self._ptr, i, C.byref(name), C.byref(unit)),
              "sbi_plugin_theta_name")
        return _text(name), _text(unit)

    @property
    def x_names(self):
        """Output names, or None when the plugin gives none."""
        names = []
        for j in range(self.dims[1]):
            name = C.c_char_p()
            check(lib.sbi_plugin_x_name(self._ptr, j, C.byref(name)), "sbi_plugin_x_name")
            if name.value is None:
                return None
            names.append(_text(name))
        return names

    def prior_box(self):
        """(low, high) of the default prior."""
        td = self.dims[0]
        low, high = np.empty(td), np.empty(td)
        check(lib.sbi_plugin_prior_box(self._ptr, A.addr(low), A.addr(high)),
              "sbi_plugin_prior_box")
        return low, high

    def prior(self):
        """A new box-uniform prior on the default box."""
        out = C.c_void_p()
        check(lib.sbi_plugin_create_prior(self._ptr, C.byref(out)), "sbi_plugin_create_prior")
        p = Prior.__new__(Prior)
        p._set(out.value, lib.sbi_prior_free)
        return p

    @property
    def theta_true(self):
        """Parameters of the default observation, or None if the plugin gives
        none."""
        theta = np.empty(self.dims[0])
        try:
            check(lib.sbi_plugin_theta_true(self._ptr, A.addr(theta)), "sbi_plugin_theta_true")
        except StateError:
            return None
        return theta

    @property
    def options(self):
        """{name: current value} of the plugin's options."""
        n = C.c_int32()
        check(lib.sbi_plugin_option_count(self._ptr, C.byref(n)), "sbi_plugin_option_count")
        out = {}
        for i in range(n.value):
            name = C.c_char_p()
            check(lib.sbi_plugin_option_name(self._ptr, i, C.byref(name)),
                  "sbi_plugin_option_name")
            out[_text(name)] = self.get_option(_text(name))
        return out

    def get_option(self, name):
        v = C.c_double()
        check(lib.sbi_plugin_get_option(self._ptr, str(name).encode(), C.byref(v)),
              "sbi_plugin_get_option")
        return v.value

    def set_option(self, name, value):
        """Set an option for simulators made afterwards (the plugin checks
        it: InvalidArgumentError if refused, the option then unchanged)."""
        check(lib.sbi_plugin_set_option(self._ptr, str(name).encode(), float(value)),
              "sbi_plugin_set_option")
        return self

    def simulator(self):
        """A new C simulator with the current options; it keeps the plugin's
        module loaded while it lives."""
        out = C.c_void_p()
        check(lib.sbi_plugin_create_simulator(self._ptr, C.byref(out)),
              "sbi_plugin_create_simulator")
        return Simulator._adopt(out.value)

    def __repr__(self):
        if self.closed:
            return "<libsbi.Plugin (closed)>"
        td, xd = self.dims
        return f"<libsbi.Plugin {self.name!r} theta_dim={td} x_dim={xd}>"


def load_plugin(path):
    """Load a simulator plugin (a shared object exporting
    sbi_plugin_describe) by path: Plugin.load(path)."""
    return Plugin.load(path)


def validate_descriptor(address):
    """Check a plugin descriptor (sbi_plugin_descriptor*, as an int) as the
    loader does; raises VersionError or PluginError naming the field."""
    check(lib.sbi_plugin_validate(int(address) if address else None), "sbi_plugin_validate")
