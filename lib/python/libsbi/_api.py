"""ctypes declarations of the public C API: every function's argtypes/restype.

One table, in header order. Arrays and handles are passed as c_void_p (a
NumPy array's address is an int, which ctypes passes without building a
pointer object); `T **out` handles are POINTER(c_void_p); scalar outputs are
POINTER(<type>). tests/test_api_table.py checks this table against the C
headers (every SBI_API function is here, with the same types).

A function missing from the loaded library (an older libsbi) is not an
import error: calling it raises libsbi.MissingFunctionError.
"""
import ctypes as C

from . import _loader

INT = C.c_int
I32 = C.c_int32
I64 = C.c_int64
U64 = C.c_uint64
SIZE = C.c_size_t
DBL = C.c_double
STR = C.c_char_p
PTR = C.c_void_p          # a handle or an array
OUT = C.POINTER(C.c_void_p)  # T **out, and void **buf
P_I32 = C.POINTER(C.c_int32)
P_I64 = C.POINTER(C.c_int64)
P_DBL = C.POINTER(C.c_double)
P_SIZE = C.POINTER(C.c_size_t)
P_STR = C.POINTER(C.c_char_p)  # const char *const *names

# Callback types (sbi/core.h, prior.h, simulator.h, inference.h).
PROGRESS_FN = C.CFUNCTYPE(INT, PTR, I64, I64)
TRAIN_PROGRESS_FN = C.CFUNCTYPE(INT, PTR, I64, DBL, DBL)
SIMULATE_FN = C.CFUNCTYPE(INT, PTR, I64, I32, PTR, PTR, I32, PTR, PTR)
DESTROY_FN = C.CFUNCTYPE(None, PTR)
PRIOR_SAMPLE_FN = C.CFUNCTYPE(INT, PTR, PTR, I64, I32, PTR)
PRIOR_LOG_PROB_FN = C.CFUNCTYPE(INT, PTR, I64, I32, PTR, PTR)
PRIOR_SUPPORT_FN = C.CFUNCTYPE(INT, PTR, I64, I32, PTR, PTR)
SUMMARY_FN = C.CFUNCTYPE(INT, PTR, I64, I32, PTR, I32, PTR, PTR)
MALLOC_FN = C.CFUNCTYPE(PTR, PTR, SIZE)
REALLOC_FN = C.CFUNCTYPE(PTR, PTR, PTR, SIZE)
FREE_FN = C.CFUNCTYPE(None, PTR, PTR)
PLUGIN_CREATE_FN = C.CFUNCTYPE(INT, OUT, PTR)
PLUGIN_DESTROY_FN = C.CFUNCTYPE(None, PTR)
PLUGIN_DESCRIBE_FN = C.CFUNCTYPE(PTR)

CALLBACK_TYPES = {
    "sbi_progress_fn": PROGRESS_FN,
    "sbi_train_progress_fn": TRAIN_PROGRESS_FN,
    "sbi_simulate_fn": SIMULATE_FN,
    "sbi_destroy_fn": DESTROY_FN,
    "sbi_prior_sample_fn": PRIOR_SAMPLE_FN,
    "sbi_prior_log_prob_fn": PRIOR_LOG_PROB_FN,
    "sbi_prior_support_fn": PRIOR_SUPPORT_FN,
    "sbi_summary_fn": SUMMARY_FN,
    "sbi_malloc_fn": MALLOC_FN,
    "sbi_realloc_fn": REALLOC_FN,
    "sbi_free_fn": FREE_FN,
    "sbi_plugin_create_fn": PLUGIN_CREATE_FN,
    "sbi_plugin_destroy_fn": PLUGIN_DESTROY_FN,
    "sbi_plugin_describe_fn": PLUGIN_DESCRIBE_FN,
}

# name: (restype, [argtypes])
FUNCTIONS = {
    # core.h
    "sbi_status_string": (STR, [INT]),
    "sbi_last_error": (STR, []),
    "sbi_clear_error": (None, []),
    "sbi_version_number": (I32, []),
    "sbi_version_string": (STR, []),
    "sbi_abi_version": (I32, []),
    "sbi_set_allocator": (INT, [MALLOC_FN, REALLOC_FN, FREE_FN, PTR]),
    "sbi_free": (None, [PTR]),
    # rng.h
    "sbi_rng_create": (INT, [OUT, U64, U64]),
    "sbi_rng_free": (None, [PTR]),
    "sbi_rng_reset": (INT, [PTR, U64, U64]),
    "sbi_rng_uniform": (INT, [PTR, I64, PTR]),
    "sbi_rng_normal": (INT, [PTR, I64, PTR]),
    "sbi_rng_u64": (INT, [PTR, I64, PTR]),
    "sbi_rng_categorical": (INT, [PTR, I32, PTR, I64, PTR]),
    "sbi_seed_for_index": (U64, [U64, U64]),
    # prior.h
    "sbi_prior_create_box_uniform": (INT, [OUT, I32, PTR, PTR]),
    "sbi_prior_create_gaussian": (INT, [OUT, I32, PTR, PTR]),
    "sbi_prior_create_gaussian_diag": (INT, [OUT, I32, PTR, PTR]),
    "sbi_prior_create_callback": (INT, [OUT, I32, PRIOR_SAMPLE_FN, PRIOR_LOG_PROB_FN,
                                        PRIOR_SUPPORT_FN, PTR]),
    "sbi_prior_free": (None, [PTR]),
    "sbi_prior_clone": (INT, [PTR, OUT]),
    "sbi_prior_dim": (INT, [PTR, P_I32]),
    "sbi_prior_kind": (INT, [PTR, P_I32]),
    "sbi_prior_bounds": (INT, [PTR, PTR, PTR]),
    "sbi_prior_moments": (INT, [PTR, PTR, PTR]),
    "sbi_prior_sample": (INT, [PTR, PTR, I64, PTR]),
    "sbi_prior_log_prob": (INT, [PTR, I64, PTR, PTR]),
    "sbi_prior_in_support": (INT, [PTR, I64, PTR, PTR]),
    # simulator.h
    "sbi_simulator_create": (INT, [OUT, I32, I32, SIMULATE_FN, PTR]),
    "sbi_simulator_set_destructor": (INT, [PTR, DESTROY_FN]),
    "sbi_simulator_free": (None, [PTR]),
    "sbi_simulator_dims": (INT, [PTR, P_I32, P_I32]),
    "sbi_simulator_run": (INT, [PTR, I64, PTR, PTR, PTR, PTR]),
    "sbi_dataset_create": (INT, [OUT, I64, I32, I32, PTR, PTR]),
    "sbi_dataset_free": (None, [PTR]),
    "sbi_dataset_shape": (INT, [PTR, P_I64, P_I32, P_I32]),
    "sbi_dataset_theta": (INT, [PTR, OUT]),
    "sbi_dataset_x": (INT, [PTR, OUT]),
    "sbi_dataset_status": (INT, [PTR, OUT]),
    "sbi_dataset_count": (INT, [PTR, I32, P_I64]),
    "sbi_dataset_copy_valid": (INT, [PTR, PTR, PTR, P_I64]),
    "sbi_runner_create": (INT, [OUT, PTR]),
    "sbi_runner_free": (None, [PTR]),
    "sbi_runner_set_workers": (INT, [PTR, I32]),
    "sbi_runner_set_chunk_size": (INT, [PTR, I64]),
    "sbi_runner_set_progress": (INT, [PTR, PROGRESS_FN, PTR]),
    "sbi_runner_set_first_index": (INT, [PTR, I64]),
    "sbi_runner_set_checkpoint": (INT, [PTR, STR]),
    "sbi_runner_cancel": (INT, [PTR]),
    "sbi_runner_run_prior": (INT, [PTR, PTR, I64, U64, OUT]),
    "sbi_runner_run": (INT, [PTR, I64, PTR, U64, OUT]),
    # plugin.h
    "sbi_plugin_abi_version": (I32, []),
    "sbi_plugin_validate": (INT, [PTR]),
    "sbi_plugin_load": (INT, [OUT, STR]),
    "sbi_plugin_open_descriptor": (INT, [OUT, PTR]),
    "sbi_plugin_free": (None, [PTR]),
    "sbi_plugin_info": (INT, [PTR, P_STR, P_STR, P_STR, P_STR]),
    "sbi_plugin_dims": (INT, [PTR, P_I32, P_I32]),
    "sbi_plugin_theta_name": (INT, [PTR, I32, P_STR, P_STR]),
    "sbi_plugin_x_name": (INT, [PTR, I32, P_STR]),
    "sbi_plugin_prior_box": (INT, [PTR, PTR, PTR]),
    "sbi_plugin_create_prior": (INT, [PTR, OUT]),
    "sbi_plugin_theta_true": (INT, [PTR, PTR]),
    "sbi_plugin_option_count": (INT, [PTR, P_I32]),
    "sbi_plugin_option_name": (INT, [PTR, I32, P_STR]),
    "sbi_plugin_get_option": (INT, [PTR, STR, P_DBL]),
    "sbi_plugin_set_option": (INT, [PTR, STR, DBL]),
    "sbi_plugin_create_simulator": (INT, [PTR, OUT]),
    # stats.h
    "sbi_stats_moment_count": (INT, [I32, P_I32]),
    "sbi_stats_moments": (INT, [PTR, I64, I32, PTR]),
    "sbi_stats_mean": (INT, [PTR, I64, P_DBL]),
    "sbi_stats_mean_std": (INT, [PTR, I64, P_DBL, P_DBL]),
    "sbi_stats_time_window": (INT, [I64, DBL, DBL, DBL, P_I64, P_I64]),
    "sbi_stats_spike_times": (INT, [PTR, I64, DBL, DBL, DBL, DBL, DBL, I64, PTR, P_I64]),
    "sbi_stats_spike_count": (INT, [PTR, I64, DBL, DBL, DBL, DBL, DBL, P_I64]),
    "sbi_summary_create": (INT, [OUT, I32, I32, SUMMARY_FN, PTR]),
    "sbi_summary_create_moments": (INT, [OUT, I32, I64, I64, I32]),
    "sbi_summary_create_spike_count": (INT, [OUT, I32, DBL, DBL, DBL, DBL, DBL]),
    "sbi_summary_create_samples": (INT, [OUT, I32, I64, I64, I64]),
    "sbi_summary_create_concat": (INT, [OUT, I32, OUT]),
    "sbi_summary_set_destructor": (INT, [PTR, DESTROY_FN]),
    "sbi_summary_free": (None, [PTR]),
    "sbi_summary_dims": (INT, [PTR, P_I32, P_I32]),
    "sbi_summary_compute": (INT, [PTR, I64, PTR, PTR, PTR]),
    "sbi_simulator_create_with_summary": (INT, [OUT, PTR, PTR]),
    # inference.h
    "sbi_estimator_name": (STR, [I32]),
    "sbi_estimator_from_name": (INT, [STR, P_I32]),
    "sbi_trainer_create": (INT, [OUT, PTR, I32]),
    "sbi_trainer_free": (None, [PTR]),
    "sbi_trainer_set_int": (INT, [PTR, I32, I64]),
    "sbi_trainer_set_double": (INT, [PTR, I32, DBL]),
    "sbi_trainer_get_int": (INT, [PTR, I32, P_I64]),
    "sbi_trainer_get_double": (INT, [PTR, I32, P_DBL]),
    "sbi_trainer_set_progress": (INT, [PTR, TRAIN_PROGRESS_FN, PTR]),
    "sbi_trainer_append": (INT, [PTR, I64, PTR, I32, PTR]),
    "sbi_trainer_append_dataset": (INT, [PTR, PTR]),
    "sbi_trainer_dims": (INT, [PTR, P_I32, P_I32]),
    "sbi_trainer_train": (INT, [PTR, U64]),
    "sbi_trainer_cancel": (INT, [PTR]),
    "sbi_trainer_counts": (INT, [PTR, P_I64, P_I64, P_I64, P_I64]),
    "sbi_trainer_result": (INT, [PTR, P_I64, P_DBL]),
    "sbi_trainer_constant_x": (INT, [PTR, P_I32, PTR]),
    "sbi_trainer_build_posterior": (INT, [PTR, OUT]),
    # posterior.h
    "sbi_posterior_free": (None, [PTR]),
    "sbi_posterior_dims": (INT, [PTR, P_I32, P_I32]),
    "sbi_posterior_estimator": (INT, [PTR, P_I32]),
    "sbi_posterior_prior": (INT, [PTR, OUT]),
    "sbi_posterior_training_summary": (INT, [PTR, P_I64, P_I64, P_DBL]),
    "sbi_posterior_sample_ex": (INT, [PTR, PTR, PTR, I64, I64, PTR, P_I64, P_DBL]),
    "sbi_posterior_sample": (INT, [PTR, PTR, PTR, I64, PTR]),
    "sbi_posterior_sample_batched": (INT, [PTR, PTR, I64, PTR, I64, PTR]),
    "sbi_posterior_log_prob": (INT, [PTR, PTR, PTR, I64, PTR, PTR]),
    "sbi_posterior_leakage": (INT, [PTR, PTR, PTR, P_DBL]),
    "sbi_posterior_map": (INT, [PTR, PTR, PTR, PTR, P_DBL]),
    "sbi_posterior_save": (INT, [PTR, STR]),
    "sbi_posterior_save_mem": (INT, [PTR, OUT, P_SIZE]),
    "sbi_posterior_load": (INT, [OUT, STR]),
    "sbi_posterior_load_mem": (INT, [OUT, PTR, SIZE]),
    # diagnostics.h
    "sbi_c2st": (INT, [I64, PTR, I64, PTR, I32, U64, P_DBL]),
    "sbi_c2st_ex": (INT, [I64, PTR, I64, PTR, I32, U64, I32, I64, I32, PTR, P_DBL]),
    "sbi_sbc_ranks": (INT, [I64, I64, I32, PTR, PTR, PTR]),
    "sbi_sbc_run": (INT, [PTR, PTR, PTR, I64, I64, U64, PROGRESS_FN, PTR, PTR, PTR, PTR, PTR,
                          P_I64]),
    "sbi_sbc_run_pairs": (INT, [PTR, I64, PTR, PTR, I64, U64, PROGRESS_FN, PTR, PTR, PTR]),
    "sbi_sbc_ks": (INT, [I64, I32, PTR, I64, PTR, PTR]),
    "sbi_sbc_chi2": (INT, [I64, I32, PTR, I64, I32, PTR, PTR]),
    "sbi_sbc_histogram": (INT, [I64, I32, PTR, I64, I32, PTR]),
    "sbi_coverage_ranks": (INT, [I64, I64, PTR, PTR, PTR]),
    "sbi_coverage_curve": (INT, [I64, PTR, I64, I32, PTR, PTR]),
    "sbi_sbc_plot_svg": (INT, [STR, I64, I32, PTR, I64, I32, P_STR]),
    "sbi_coverage_plot_svg": (INT, [STR, I32, PTR, PTR, I64]),
    # io.h
    "sbi_table_read": (INT, [OUT, STR]),
    "sbi_table_read_mem": (INT, [OUT, PTR, SIZE, I32]),
    "sbi_table_free": (None, [PTR]),
    "sbi_table_shape": (INT, [PTR, P_I64, P_I32]),
    "sbi_table_ndim": (INT, [PTR, P_I32]),
    "sbi_table_format": (INT, [PTR, P_I32]),
    "sbi_table_data": (INT, [PTR, OUT]),
    "sbi_table_name": (INT, [PTR, I32, P_STR]),
    "sbi_table_write": (INT, [STR, I64, I32, PTR, P_STR, I32]),
    "sbi_table_write_mem": (INT, [OUT, P_SIZE, I64, I32, PTR, P_STR, I32]),
    "sbi_prior_parse_spec": (INT, [STR, OUT]),
    # plot.h
    "sbi_plot_create": (INT, [OUT, I32, I32, I32, I32]),
    "sbi_plot_free": (None, [PTR]),
    "sbi_plot_set_title": (INT, [PTR, STR]),
    "sbi_plot_set_row_weight": (INT, [PTR, I32, DBL]),
    "sbi_plot_set_labels": (INT, [PTR, I32, STR, STR, STR]),
    "sbi_plot_set_limits": (INT, [PTR, I32, DBL, DBL, DBL, DBL]),
    "sbi_plot_add_line": (INT, [PTR, I32, I64, PTR, PTR, STR, STR, DBL, I32]),
    "sbi_plot_add_points": (INT, [PTR, I32, I64, PTR, PTR, STR, STR, DBL, I32]),
    "sbi_plot_add_vline": (INT, [PTR, I32, DBL, STR, STR, I32]),
    "sbi_plot_add_histogram": (INT, [PTR, I32, I64, PTR, I64, I32, DBL, DBL, STR, STR]),
    "sbi_plot_save": (INT, [PTR, STR]),
    "sbi_plot_render": (INT, [PTR, OUT, P_SIZE]),
    "sbi_plot_pairplot": (INT, [STR, I64, I32, PTR, PTR, PTR, P_STR, PTR, I32, STR]),
}

# Functions this binding deliberately does not expose in its Python API
# (declared above all the same, so the table stays complete).
NOT_WRAPPED = {
    # A Python allocator would run for every allocation with the GIL held,
    # and must be set before any other call, which importing already makes.
    "sbi_set_allocator",
}


class _Missing:
    """Stands in for a function the loaded library does not export."""

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, *args):
        from ._errors import MissingFunctionError
        raise MissingFunctionError(
            f"{self.__name__} is not exported by the loaded libsbi ({LIBRARY_PATH}); "
            f"it is older than this binding")


class _Lib:
    """Attribute access to the declared functions of the loaded library."""


lib = _Lib()
missing = []
_cdll, LIBRARY_PATH = _loader.load()
for _name, (_res, _args) in FUNCTIONS.items():
    try:
        _fn = getattr(_cdll, _name)
    except AttributeError:
        missing.append(_name)
        setattr(lib, _name, _Missing(_name))
        continue
    _fn.restype = _res
    _fn.argtypes = _args
    setattr(lib, _name, _fn)


def has(name):
    """True if the loaded library exports the declared function `name`."""
    return name in FUNCTIONS and name not in missing
