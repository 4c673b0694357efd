"""Losses: values and derivatives by hand, batch means bit for bit, the (0, 1) refusal."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpstudio.core import losses
from bpstudio.core.activations import ACTIVATIONS
from bpstudio.core.losses import LOSSES, LossError, check_output_activations, output_delta

SE, CE = LOSSES["squared_error"], LOSSES["cross_entropy"]


def test_squared_error_by_hand():
    yhat, y = np.array([[1.0, 2.0], [4.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(SE.per_sample(yhat, y), [2.5, 8.0])  # ½(1 + 4), ½ . 16
    assert SE.mean(yhat, y) == 5.25
    np.testing.assert_array_equal(SE.grad(yhat, y), yhat)


def test_cross_entropy_by_hand():
    yhat, y = np.array([[0.8], [0.25]]), np.array([[1.0], [0.0]])
    np.testing.assert_allclose(CE.per_sample(yhat, y), [-math.log(0.8), -math.log(0.75)], rtol=1e-15)
    np.testing.assert_allclose(CE.grad(yhat, y)[:, 0], [-1 / 0.8, 1 / 0.75], rtol=1e-15)


@pytest.mark.parametrize("loss", [SE, CE], ids=lambda x: x.name)
def test_grad_matches_central_difference(loss):
    rng = np.random.default_rng(0)
    yhat, y = rng.uniform(0.05, 0.95, (6, 2)), rng.random((6, 2))
    h = 1e-7
    for k in range(2):
        up, down = yhat.copy(), yhat.copy()
        up[:, k] += h
        down[:, k] -= h
        numeric = (loss.per_sample(up, y) - loss.per_sample(down, y)) / (2 * h)
        np.testing.assert_allclose(loss.grad(yhat, y)[:, k], numeric, rtol=1e-7)


@pytest.mark.parametrize("loss", [SE, CE], ids=lambda x: x.name)
@pytest.mark.parametrize("shape", [(7, 1), (5, 3), (1, 1)])
def test_mean_is_numpys_mean_bit_for_bit(loss, shape):
    rng = np.random.default_rng(1)
    yhat, y = rng.uniform(0.01, 0.99, shape), rng.random(shape)
    assert loss.mean(yhat, y) == float(np.mean(loss.per_sample(yhat, y)))


@pytest.mark.parametrize("shape", [(7, 1), (5, 3), (3, 2)])
def test_squared_error_mean_from_grad_is_the_same_bits(shape):
    rng = np.random.default_rng(2)
    yhat, y = rng.normal(size=shape), rng.normal(size=shape)
    assert SE.mean_from_grad(SE.grad(yhat, y)) == SE.mean(yhat, y)


def test_cross_entropy_stays_finite_at_exactly_0_and_1():
    yhat, y = np.array([[1.0], [0.0], [1.0], [0.0]]), np.array([[1.0], [0.0], [0.0], [1.0]])
    per = CE.per_sample(yhat, y)
    assert 0 <= per[0] < 2e-16 and 0 <= per[1] < 1e-300  # right answers cost (almost) nothing
    assert np.all(np.isfinite(per)) and per[2] > 30 and per[3] > 700
    assert np.all(np.isfinite(CE.grad(yhat, y)))
    # only exact 0 and 1 are clipped: a small but representable ŷ keeps its true loss
    assert CE.per_sample(np.array([[1e-20]]), np.array([[1.0]]))[0] == pytest.approx(20 * math.log(10))


def test_empty_batch_mean_is_nan_not_an_error():
    assert math.isnan(SE.mean(np.empty((0, 1)), np.empty((0, 1))))


def test_output_delta():
    a = np.array([[0.3], [-1.0]])
    z = ACTIVATIONS["sigmoid"].f(a)
    y = np.array([[1.0], [0.0]])
    np.testing.assert_array_equal(output_delta(CE, ACTIVATIONS["sigmoid"], a, z, y), z - y)
    np.testing.assert_array_equal(output_delta(SE, ACTIVATIONS["sigmoid"], a, z, y),
                                  (z - y) * z * (1 - z))
    np.testing.assert_array_equal(output_delta(SE, ACTIVATIONS["identity"], a, a, y), a - y)
    t = np.tanh(a)
    np.testing.assert_array_equal(output_delta(SE, ACTIVATIONS["tanh"], a, t, y), (t - y) * (1 - t * t))
    g = np.array([[5.0], [6.0]])  # a precomputed dE/dŷ is used as given
    np.testing.assert_array_equal(output_delta(SE, ACTIVATIONS["identity"], a, a, y, g), g)


def test_cross_entropy_refusal_says_why():
    check_output_activations(CE, ["D0"], [ACTIVATIONS["sigmoid"]])
    check_output_activations(SE, ["D0"], [ACTIVATIONS["identity"]])  # squared error takes any
    with pytest.raises(LossError) as err:
        check_output_activations(CE, ["D0", "D1"], [ACTIVATIONS["sigmoid"], ACTIVATIONS["relu"]])
    msg = str(err.value)
    assert "output D1 uses relu" in msg and "ln(y_hat)" in msg and "(0, 1)" in msg


def test_unknown_loss():
    with pytest.raises(LossError, match="unknown loss 'l1'; use one of squared_error, cross_entropy"):
        losses.get("l1")
    assert repr(SE) == "Loss(squared_error: E = 1/2 . (y_hat - y)^2)"
