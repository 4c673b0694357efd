"""Optimisers: first steps worked out by hand; state and reset."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core import optimizers
from bpstudio.core.settings import TrainingSettings


def make(name: str, n: int, **kw):
    return optimizers.make(TrainingSettings(optimizer=name, **kw).validate(), n)


def test_gradient_descent_step():
    opt = make("gd", 2, learning_rate=0.1)
    theta = np.array([1.0, -1.0])
    opt.step(theta, np.array([4.0, -2.0]))  # W := W - α . g
    np.testing.assert_allclose(theta, [0.6, -0.8], rtol=1e-15)
    assert opt.t == 1 and repr(opt) == "Optimizer(lr=0.1, steps=1)"


def test_momentum_first_two_steps_by_hand():
    opt = make("momentum", 2, learning_rate=0.1, momentum=0.9)
    theta = np.array([1.0, -1.0])
    # v1 = 0.9 . 0 - 0.1 . (0.5, -2) = (-0.05, 0.2);  θ1 = (0.95, -0.8)
    opt.step(theta, np.array([0.5, -2.0]))
    np.testing.assert_allclose(opt.velocity, [-0.05, 0.2], rtol=1e-15)
    np.testing.assert_allclose(theta, [0.95, -0.8], rtol=1e-15)
    # v2 = 0.9 . (-0.05, 0.2) - 0.1 . (1, 0) = (-0.145, 0.18);  θ2 = (0.805, -0.62)
    opt.step(theta, np.array([1.0, 0.0]))
    np.testing.assert_allclose(opt.velocity, [-0.145, 0.18], rtol=1e-14)
    np.testing.assert_allclose(theta, [0.805, -0.62], rtol=1e-14)


def test_adam_first_step_by_hand():
    opt = make("adam", 3, learning_rate=0.1, beta1=0.9, beta2=0.999, epsilon=1e-8)
    theta = np.array([1.0, -1.0, 3.0])
    g = np.array([0.5, -2.0, 0.0])
    opt.step(theta, g)
    # m = 0.1 . g, v = 0.001 . g²; bias-corrected m̂ = g, v̂ = g²; step = α . g / (|g| + ε)
    np.testing.assert_allclose(opt.m, [0.05, -0.2, 0.0], rtol=1e-15)
    np.testing.assert_allclose(opt.v, [0.00025, 0.004, 0.0], rtol=1e-14)
    expected = [1 - 0.1 * 0.5 / (0.5 + 1e-8), -1 + 0.1 * 2 / (2 + 1e-8), 3.0]
    np.testing.assert_allclose(theta, expected, rtol=1e-14)


def test_adam_second_step_with_the_same_gradient_repeats_the_first():
    # m2 = 0.9 . 0.05 + 0.1 . 0.5 = 0.095, m̂2 = 0.095 / 0.19 = 0.5
    # v2 = 0.999 . 0.00025 + 0.001 . 0.25 = 0.00049975, v̂2 = 0.00049975 / 0.001999 = 0.25
    opt = make("adam", 1, learning_rate=0.1)
    theta = np.array([1.0])
    for _ in range(2):
        opt.step(theta, np.array([0.5]))
    assert opt.m[0] == pytest.approx(0.095, rel=1e-14)
    assert opt.v[0] == pytest.approx(0.00049975, rel=1e-13)
    assert theta[0] == pytest.approx(1 - 2 * 0.1 * 0.5 / (0.5 + 1e-8), rel=1e-13)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_reset_forgets_the_state(name):
    opt = make(name, 2)
    theta = np.zeros(2)
    opt.step(theta, np.ones(2))
    opt.reset()
    assert opt.t == 0
    for arr in (getattr(opt, a) for a in ("velocity", "m", "v") if hasattr(opt, a)):
        assert not arr.any()
    fresh, theta2 = make(name, 2), np.zeros(2)
    theta = np.zeros(2)
    opt.step(theta, np.ones(2))
    fresh.step(theta2, np.ones(2))
    np.testing.assert_array_equal(theta, theta2)


def test_make_picks_the_class():
    assert [type(make(n, 1)).__name__ for n in ("gd", "momentum", "adam")] == ["Optimizer", "Momentum", "Adam"]
