"""The studio asks OpenBLAS for one thread (its helpers' spinning took a core from the GUI)."""

from __future__ import annotations

import pytest

from bpstudio.training import blas


def test_one_blas_thread_when_openblas_is_there():
    before = blas.blas_threads()
    if before is None:
        pytest.skip("numpy is not using OpenBLAS here")
    try:
        assert blas.use_one_blas_thread()
        assert blas.blas_threads() == 1
    finally:
        setter = blas._function(blas.SETTERS)
        setter(before)  # leave other tests as they were


def test_the_worker_thread_asks_for_one_blas_thread(qtbot):
    from bpstudio.core.presets import load_preset
    from bpstudio.training.controller import TrainingController
    from bpstudio.training.session import RUNNING
    from bpstudio.ui.document import Document

    before = blas.blas_threads()
    if before is None:
        pytest.skip("numpy is not using OpenBLAS here")
    blas._function(blas.SETTERS)(2)  # as numpy starts on a 2-core machine
    ctl = TrainingController(Document(load_preset("xor")))
    try:
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=10_000,
                              check_params_cb=lambda s: s.state == RUNNING):
            ctl.play()
        assert blas.blas_threads() == 1
    finally:
        assert ctl.shutdown()
        blas._function(blas.SETTERS)(before)
