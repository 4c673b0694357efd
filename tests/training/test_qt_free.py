"""The session side of training is Qt-free: it runs headless (CLI, tests) without PySide6."""

from __future__ import annotations

import subprocess
import sys


def test_session_phases_and_snapshots_import_no_qt():
    code = ("import sys; import bpstudio.training.session, bpstudio.training.compose, "
            "bpstudio.training.phases, bpstudio.training.observe, bpstudio.training.gate, "
            "bpstudio.training.divergence, bpstudio.training.checkpoint, bpstudio.training.blas; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
