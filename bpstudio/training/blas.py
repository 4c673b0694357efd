"""One BLAS thread for the studio's small matrices (Qt-free; a no-op where OpenBLAS is not found).

numpy's OpenBLAS splits a big enough product (a 100 × 100 decision-boundary grid through a hidden
layer of 16) over every core, and its helper threads then spin for a while waiting for more work.
On a 2-core machine that spinning took ~27 % of a core from the GUI thread and the training worker
(2-16-16-1 with the boundary on view: 7,500 → 10,100 steps/s with one BLAS thread), while the
studio's products are too small to gain from more threads.
"""

from __future__ import annotations

import ctypes
import glob
import os

SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
           "openblas_set_num_threads64_", "openblas_set_num_threads")
GETTERS = tuple(s.replace("set_", "get_") for s in SETTERS)


def _openblas_paths() -> list[str]:
    """Shared libraries with "openblas" in their name: those loaded (Linux), then numpy's own."""
    found = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "openblas" in os.path.basename(path).lower() and path not in found:
                    found.append(path)
    except OSError:
        pass
    try:
        import numpy

        libs = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs")
        found += [p for p in glob.glob(os.path.join(libs, "*openblas*")) if p not in found]
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    return found


def _function(names: tuple[str, ...]):
    for path in _openblas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in names:
            fn = getattr(lib, name, None)
            if fn is not None:
                return fn
    return None


def blas_threads() -> int | None:
    """OpenBLAS's thread count (None when OpenBLAS is not found)."""
    fn = _function(GETTERS)
    return int(fn()) if fn is not None else None


def use_one_blas_thread() -> bool:
    """Ask OpenBLAS for one thread; True when it was found and asked."""
    fn = _function(SETTERS)
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_int]
    fn(1)
    return True
