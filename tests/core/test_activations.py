"""Activations: each derivative against a finite difference, the fast backprop step against
g . f'(a) exactly, stable sigmoid at the extremes, the declared ranges."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bpstudio.core import activations as act
from bpstudio.core.activations import ACTIVATIONS, LEAKY_SLOPE, UNIT_ACTIVATIONS

POINTS = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])  # away from ReLU's kink at 0


@pytest.mark.parametrize("name", sorted(UNIT_ACTIVATIONS))
def test_derivative_matches_central_difference(name):
    fn = ACTIVATIONS[name]
    h = 1e-6
    numeric = (fn.f(POINTS + h) - fn.f(POINTS - h)) / (2 * h)
    np.testing.assert_allclose(fn.prime(POINTS), numeric, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name", sorted(UNIT_ACTIVATIONS))
def test_delta_from_is_g_times_prime_exactly(name):
    fn = ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    a = rng.normal(0, 2, (5, 3))
    z = fn.f(a)
    g = rng.normal(size=(5, 3))
    expected = g * fn.prime_from(a, z)
    np.testing.assert_array_equal(fn.delta_from(g.copy(), a, z), expected)


@pytest.mark.parametrize("name", sorted(UNIT_ACTIVATIONS))
def test_f_into_a_buffer_is_f_exactly(name):
    fn = ACTIVATIONS[name]
    a = np.random.default_rng(1).normal(0, 2, (4, 3))
    out = np.full_like(a, np.nan)
    z = fn.f_into(a, out)
    np.testing.assert_array_equal(z, fn.f(a))
    assert z is out or (name == "identity" and z is a)
    np.testing.assert_array_equal(fn.f_into(a), fn.f(a))


def test_values_by_hand():
    a = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(ACTIVATIONS["identity"].f(a), a)
    np.testing.assert_array_equal(ACTIVATIONS["relu"].f(a), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].prime(a), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(ACTIVATIONS["leaky_relu"].f(a), [-LEAKY_SLOPE, 0.0, 2.0])
    np.testing.assert_array_equal(ACTIVATIONS["leaky_relu"].prime(a), [LEAKY_SLOPE, LEAKY_SLOPE, 1.0])
    assert ACTIVATIONS["sigmoid"].f(np.array([0.0]))[0] == 0.5
    assert ACTIVATIONS["sigmoid"].prime(np.array([0.0]))[0] == 0.25
    assert ACTIVATIONS["tanh"].prime(np.array([0.0]))[0] == 1.0
    assert ACTIVATIONS["softplus"].f(np.array([0.0]))[0] == pytest.approx(np.log(2), rel=1e-15)
    assert ACTIVATIONS["gaussian"].f(np.array([0.0]))[0] == 1.0


def test_sigmoid_is_stable_and_precise_at_the_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning
        z = ACTIVATIONS["sigmoid"].f(np.array([-1000.0, -30.0, 30.0, 1000.0]))
    assert z[0] == 0.0 and z[3] == 1.0
    assert z[1] == pytest.approx(np.exp(-30.0) / (1 + np.exp(-30.0)), rel=1e-14)  # tiny, still precise
    assert z[2] == pytest.approx(1 - np.exp(-30.0), rel=1e-15)


def test_sigmoid_and_softplus_accept_scalars_and_integers():
    assert float(ACTIVATIONS["sigmoid"].f(0.0)) == 0.5
    np.testing.assert_array_equal(ACTIVATIONS["sigmoid"].f(np.array([0, 0])), [0.5, 0.5])
    assert float(ACTIVATIONS["softplus"].prime(0.0)) == 0.5


def test_sigmoid_does_not_touch_its_input():
    a = np.array([[1.0, -2.0]])
    ACTIVATIONS["sigmoid"].f(a)
    np.testing.assert_array_equal(a, [[1.0, -2.0]])


@pytest.mark.parametrize("name", sorted(UNIT_ACTIVATIONS))
def test_values_stay_in_the_declared_range(name):
    fn = ACTIVATIONS[name]
    z = fn.f(np.linspace(-20, 20, 2001))
    assert np.all(z >= fn.low) and np.all(z <= fn.high)


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'; use one of identity, sigmoid"):
        act.get("swish")
    assert act.get("tanh") is ACTIVATIONS["tanh"]


def test_repr_gives_both_formulas():
    assert repr(ACTIVATIONS["tanh"]) == "Activation(tanh: f(a) = tanh(a), f'(a) = 1 - z^2)"
