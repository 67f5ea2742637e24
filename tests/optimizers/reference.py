"""Independent float64 implementations of each optimizer's published update formula.

Written from the formulas in Chainer's documentation and the papers they cite, one
step at a time, elementwise, without in-place tricks: ``step(p, g, state, hp, t)``
returns the new parameter and updates ``state`` (a dict of arrays, created on the
first step) with new arrays.  ``t`` is the 1-based step number of this parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
import numpy as np

from fchain.types import Array

State = dict[str, Array]
Hyper = dict[str, float]
Step = Callable[[Array, Array, State, Hyper, int], Array]


def _zeros(p: Array, state: State, *names: str) -> None:
    for name in names:
        state.setdefault(name, np.zeros_like(p))


def sgd(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    return p - hp["lr"] * g


def momentum_sgd(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "v")
    s["v"] = hp["momentum"] * s["v"] - hp["lr"] * g
    return p + s["v"]


def corrected_momentum_sgd(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "v")
    s["v"] = hp["momentum"] * s["v"] - g
    return p + hp["lr"] * s["v"]


def nesterov_ag(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "v")
    mu, lr = hp["momentum"], hp["lr"]
    s["v"] = mu * s["v"] - lr * g
    return p + mu ** 2 * s["v"] - (1 + mu) * lr * g


def ada_grad(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "h")
    s["h"] = s["h"] + g ** 2
    return p - hp["lr"] * g / (np.sqrt(s["h"]) + hp["eps"])


def ada_delta(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "msg", "msdx")
    rho, eps = hp["rho"], hp["eps"]
    s["msg"] = rho * s["msg"] + (1 - rho) * g ** 2
    dx: Array = np.sqrt((s["msdx"] + eps) / (s["msg"] + eps)) * g
    s["msdx"] = rho * s["msdx"] + (1 - rho) * dx ** 2
    return p - dx


def rmsprop(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "ms")
    a = hp["alpha"]
    s["ms"] = a * s["ms"] + (1 - a) * g ** 2
    if hp.get("eps_inside_sqrt", False):
        denom = np.sqrt(s["ms"] + hp["eps"])
    else:
        denom = np.sqrt(s["ms"]) + hp["eps"]
    return p - hp["lr"] * g / denom


def rmsprop_graves(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "n", "g", "delta")
    a = hp["alpha"]
    s["n"] = a * s["n"] + (1 - a) * g ** 2
    s["g"] = a * s["g"] + (1 - a) * g
    s["delta"] = hp["momentum"] * s["delta"] - hp["lr"] * g / np.sqrt(s["n"] - s["g"] ** 2 + hp["eps"])
    return p + s["delta"]


def smorms3(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    s.setdefault("mem", np.ones_like(p))
    _zeros(p, s, "g", "g2")
    r = 1.0 / (s["mem"] + 1.0)
    s["g"] = (1 - r) * s["g"] + r * g
    s["g2"] = (1 - r) * s["g2"] + r * g ** 2
    x = s["g"] ** 2 / (s["g2"] + hp["eps"])
    new_p = p - g * np.minimum(x, hp["lr"]) / (np.sqrt(s["g2"]) + hp["eps"])
    s["mem"] = 1 + s["mem"] * (1 - x)
    return new_p


def adam(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "m", "v")
    b1, b2 = hp["beta1"], hp["beta2"]
    s["m"] = b1 * s["m"] + (1 - b1) * g
    s["v"] = b2 * s["v"] + (1 - b2) * g ** 2
    v = s["v"]
    if hp.get("amsgrad", False):
        _zeros(p, s, "vhat")
        s["vhat"] = np.maximum(s["vhat"], s["v"])
        v = s["vhat"]
    alpha_t = hp["alpha"] * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    step = alpha_t / (np.sqrt(v) + hp["eps"])
    if hp.get("adabound", False):
        final = hp["final_lr"] * hp["alpha"] / hp.get("initial_alpha", hp["alpha"])
        lower = final * (1 - 1 / (hp["gamma"] * t + 1))
        upper = final * (1 + 1 / (hp["gamma"] * t))
        step = np.clip(step, lower, upper)
    eta, wd = hp.get("eta", 1.0), hp.get("weight_decay_rate", 0.0)
    return p - eta * (step * s["m"] + wd * p)


def msvag(p: Array, g: Array, s: State, hp: Hyper, t: int) -> Array:
    _zeros(p, s, "m", "v")
    b = hp["beta"]
    s["m"] = b * s["m"] + (1 - b) * g
    s["v"] = b * s["v"] + (1 - b) * g ** 2
    bt = b ** t
    rho = min((1 - b) ** 2 * (1 - bt ** 2) / ((1 - bt) ** 2 * (1 - b ** 2)), 0.9999)
    mt = s["m"] / (1 - bt)
    vt = s["v"] / (1 - bt)
    variance = (vt - mt ** 2) / (1 - rho)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.clip(mt ** 2 / (mt ** 2 + rho * variance), 0, 1)
    factor = np.where(np.isnan(factor), 0.0, factor)
    eta, wd = hp.get("eta", 1.0), hp.get("weight_decay_rate", 0.0)
    return p - eta * (hp["lr"] * mt * factor + wd * p)


# ----------------------------------------------------------------------- hooks
# Each hook maps the gradients of all parameters (a dict path -> array) to new ones,
# from the formulas in Chainer's optimizer_hooks documentation.  They run before
# any update rule, in registration order, each over every parameter; ``t`` is the
# rules' step count *before* this update (0 on the first one), which is what a
# noise function sees.
Grads = dict[str, Array]
Params = dict[str, Array]
HookStep = Callable[[Params, Grads, int], Grads]


def weight_decay(rate: float) -> HookStep:
    """L2 regularization: ``g + rate * p``."""
    def apply(params: Params, grads: Grads, t: int) -> Grads:
        return {k: g + rate * params[k] for k, g in grads.items()}
    return apply


def lasso(rate: float) -> HookStep:
    """L1 regularization: ``g + rate * sign(p)``."""
    def apply(params: Params, grads: Grads, t: int) -> Grads:
        return {k: g + rate * np.sign(params[k]) for k, g in grads.items()}
    return apply


def gradient_hard_clipping(lower: float, upper: float) -> HookStep:
    """Every element of every gradient into ``[lower, upper]``."""
    def apply(params: Params, grads: Grads, t: int) -> Grads:
        return {k: np.minimum(np.maximum(g, lower), upper) for k, g in grads.items()}
    return apply


def gradient_clipping(threshold: float) -> HookStep:
    """Rescale all gradients together so that their joint L2 norm is at most
    ``threshold`` (unchanged when it already is)."""
    def apply(params: Params, grads: Grads, t: int) -> Grads:
        total = math.sqrt(sum(float((g * g).sum()) for g in grads.values()))
        factor = threshold / total
        if factor >= 1:
            return dict(grads)
        return {k: g * factor for k, g in grads.items()}
    return apply


def gradient_lars(threshold: float, weight_decay_rate: float, eps: float) -> HookStep:
    """LARS (You et al.): per parameter, ``(g + wd * p)`` times
    ``|p| / (eps + |g| + wd * |p|)`` when ``|p| > threshold``, else times 1."""
    def apply(params: Params, grads: Grads, t: int) -> Grads:
        out = {}
        for k, g in grads.items():
            p = params[k]
            p_norm = math.sqrt(float((p * p).sum()))
            g_norm = math.sqrt(float((g * g).sum()))
            trust = p_norm / (eps + g_norm + weight_decay_rate * p_norm) if p_norm > threshold else 1.0
            out[k] = trust * (g + weight_decay_rate * p)
        return out
    return apply


def gradient_noise(noise: Callable[[str, tuple[int, ...], int], Array]) -> HookStep:
    """``g + noise(path, shape, t)``: the test supplies a seeded noise function."""
    def apply(params: Params, grads: Grads, t: int) -> Grads:
        return {k: g + noise(k, tuple(g.shape), t) for k, g in grads.items()}
    return apply
