"""Fixtures for the training tests."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from bpstudio.core.presets import load_preset  # noqa: E402


@pytest.fixture
def article():
    return load_preset("article-xor")


@pytest.fixture
def xor():
    return load_preset("xor")
