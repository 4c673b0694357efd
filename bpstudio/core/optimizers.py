"""Optimisers that update the flat parameter vector in place: W := W - alpha . dE/dW and friends."""

from __future__ import annotations

import numpy as np

from .settings import TrainingSettings


class Optimizer:
    """Plain gradient descent; subclasses keep state (velocity, moments) of the same shape."""

    name = "gd"

    def __init__(self, settings: TrainingSettings, n_params: int) -> None:
        self.settings = settings
        self.n_params = n_params
        self.reset()

    def reset(self) -> None:
        self.t = 0

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        self.t += 1
        theta -= self.settings.learning_rate * grad

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.settings.learning_rate:g}, steps={self.t})"


class Momentum(Optimizer):
    """v := mu . v - alpha . g;  W := W + v."""

    name = "momentum"

    def reset(self) -> None:
        super().reset()
        self.velocity = np.zeros(self.n_params)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        self.t += 1
        v = self.velocity
        v *= self.settings.momentum
        v -= self.settings.learning_rate * grad
        theta += v


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias-corrected first and second moments."""

    name = "adam"

    def reset(self) -> None:
        super().reset()
        self.m = np.zeros(self.n_params)
        self.v = np.zeros(self.n_params)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        s = self.settings
        self.t += 1
        self.m *= s.beta1
        self.m += (1.0 - s.beta1) * grad
        self.v *= s.beta2
        self.v += (1.0 - s.beta2) * grad * grad
        m_hat = self.m / (1.0 - s.beta1 ** self.t)
        v_hat = self.v / (1.0 - s.beta2 ** self.t)
        theta -= s.learning_rate * m_hat / (np.sqrt(v_hat) + s.epsilon)


OPTIMIZER_CLASSES = {cls.name: cls for cls in (Optimizer, Momentum, Adam)}


def make(settings: TrainingSettings, n_params: int) -> Optimizer:
    return OPTIMIZER_CLASSES[settings.optimizer](settings, n_params)
