"""The public header, with its system #includes removed and run through
`cc -E -P -DSBI_API=`, is clean input for cffi: FFI().cdef accepts it, and
the shared library then works through it (version and a prior round trip).
Skips (exit 77) when cffi is not installed.

usage: test_cffi.py CC INCLUDE_DIR GENERATED_INCLUDE_DIR LIBSBI [parse-only]
(parse-only: sanitizer builds, whose library Python cannot dlopen)"""
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import cffi
except ImportError:
    print("skipped: python3-cffi is not installed")
    sys.exit(77)

cc, include_dir, generated_dir, lib = sys.argv[1:5]

SYSTEM_INCLUDE = re.compile(r'^\s*#\s*include\s*<[^>]*>\s*$')


def copy_stripped(src_root, dst_root):
    """Copy every .h under src_root, dropping #include <...> lines."""
    for dirpath, _, files in os.walk(src_root):
        for name in files:
            if not name.endswith(".h"):
                continue
            src = os.path.join(dirpath, name)
            dst = os.path.join(dst_root, os.path.relpath(src, src_root))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(src) as f:
                lines = [l for l in f if not SYSTEM_INCLUDE.match(l)]
            with open(dst, "w") as f:
                f.writelines(lines)


with tempfile.TemporaryDirectory() as tmp:
    copy_stripped(include_dir, tmp)
    copy_stripped(generated_dir, tmp)
    out = subprocess.run([cc, "-E", "-P", "-DSBI_API=", "-I", tmp, os.path.join(tmp, "sbi.h")],
                         check=True, capture_output=True, text=True).stdout

ffi = cffi.FFI()
ffi.cdef(out)  # raises CDefError on anything cffi cannot parse

if sys.argv[5:] == ["parse-only"]:
    print("OK: cffi parsed the header (library not loaded in a sanitizer build)")
    sys.exit(0)

sbi = ffi.dlopen(lib)
major, minor, patch = (int(v) for v in ffi.string(sbi.sbi_version_string()).decode().split("."))
assert sbi.sbi_version_number() == 10000 * major + 100 * minor + patch
assert sbi.SBI_EINVAL == -1 and sbi.SBI_PRIOR_GAUSSIAN == 2

# A prior through FFI: create, evaluate, error message, free.
prior = ffi.new("sbi_prior **")
low = ffi.new("double[2]", [0.0, -1.0])
high = ffi.new("double[2]", [2.0, 3.0])
assert sbi.sbi_prior_create_box_uniform(prior, 2, low, high) == 0
theta = ffi.new("double[4]", [1.0, 0.0, 5.0, 0.0])
lp = ffi.new("double[2]")
assert sbi.sbi_prior_log_prob(prior[0], 2, theta, lp) == 0
assert abs(lp[0] + math.log(8.0)) < 1e-15 and lp[1] == -math.inf
sbi.sbi_prior_free(prior[0])
assert sbi.sbi_prior_create_box_uniform(prior, 2, high, low) == sbi.SBI_EINVAL
msg = ffi.string(sbi.sbi_last_error()).decode()
assert "low[0]=2 is not below high[0]=0" in msg, msg

# A simulator callback written in Python, driven by the runner.
@ffi.callback("int(void *, int64_t, int32_t, const double *, const uint64_t *, int32_t, double *, int32_t *)")
def simulate(user_data, n, theta_dim, th, seeds, x_dim, x, status):
    for i in range(n):
        x[i] = th[i * theta_dim] + th[i * theta_dim + 1]
        if x[i] > 2.5:
            status[i] = 1
    return 0

sim = ffi.new("sbi_simulator **")
runner = ffi.new("sbi_runner **")
ds = ffi.new("sbi_dataset **")
assert sbi.sbi_simulator_create(sim, 2, 1, simulate, ffi.NULL) == 0
assert sbi.sbi_runner_create(runner, sim[0]) == 0
assert sbi.sbi_prior_create_box_uniform(prior, 2, low, high) == 0
assert sbi.sbi_runner_run_prior(runner[0], prior[0], 50, 7, ds) == 0
count = ffi.new("int64_t *")
failed = ffi.new("int64_t *")
assert sbi.sbi_dataset_count(ds[0], sbi.SBI_ROW_OK, count) == 0
assert sbi.sbi_dataset_count(ds[0], sbi.SBI_ROW_FAILED, failed) == 0
assert count[0] + failed[0] == 50 and failed[0] > 0
sbi.sbi_dataset_free(ds[0])
sbi.sbi_runner_free(runner[0])
sbi.sbi_simulator_free(sim[0])
sbi.sbi_prior_free(prior[0])
print("OK: cffi parsed %d lines of preprocessed header and ran the library" % out.count("\n"))
