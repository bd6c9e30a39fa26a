"""Calls a function of CasADi-generated C code through its C API (ctypes), as the C++ library's
wrapper does: `_work` sizes the argument, result and work arrays."""
import ctypes
import platform
import subprocess

import numpy as np


def cpu_has_x86_64_v3():
    """Whether this CPU runs x86-64-v3 code (AVX2, FMA, BMI2, MOVBE): the level of the C++
    library's second builds."""
    try:
        flags = set(open("/proc/cpuinfo").read().split())
    except OSError:
        return False
    return platform.machine() == "x86_64" and {"avx2", "fma", "bmi2", "movbe"} <= flags


def compile_library(sources, lib_path, flags=()):
    """Compiles generated C files into a shared library, as a user's compiler would (-O2), and loads it."""
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-Werror=implicit-function-declaration", *flags,
                    "-o", str(lib_path), *map(str, sources), "-lm"], check=True)
    return ctypes.CDLL(str(lib_path))


def work_sizes(lib, symbol):
    """(sz_arg, sz_res, sz_iw, sz_w) of `symbol`_work."""
    sizes = [ctypes.c_longlong() for _ in range(4)]
    assert getattr(lib, symbol + "_work")(*[ctypes.byref(s) for s in sizes]) == 0
    return [s.value for s in sizes]


def call(lib, symbol, args, out_sizes, work_fill=0.0):
    """The outputs (flat numpy arrays of `out_sizes`) of `symbol`(args); the work vector starts
    filled with `work_fill` (NaN shows a slot read before it was written)."""
    f = getattr(lib, symbol)
    f.restype = ctypes.c_int
    sz_arg, sz_res, sz_iw, sz_w = work_sizes(lib, symbol)
    args = [np.ascontiguousarray(a, dtype=float) for a in args]
    outs = [np.zeros(n) for n in out_sizes]
    Arg = (ctypes.c_void_p * max(sz_arg, 1))(*[a.ctypes.data for a in args])
    Res = (ctypes.c_void_p * max(sz_res, 1))(*[o.ctypes.data for o in outs])
    iw = (ctypes.c_longlong * max(sz_iw, 1))()
    w = (ctypes.c_double * max(sz_w, 1))(*([work_fill] * max(sz_w, 1)))
    assert f(Arg, Res, iw, w, 0) == 0
    return outs
