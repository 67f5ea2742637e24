"""One fused CuPy elementwise kernel per optimizer update rule.

On a GPU an update rule is a single kernel launch that reads the gradient and the
state once and writes the parameter and the state once, instead of the half-dozen
temporaries the array expression of ``fchain.core.optim_rules`` would allocate.
The kernels compute the same formulas (tested against the numpy path in
``tests/optimizers/test_gpu_kernels.py``); they are built lazily on first use and
cached, and CuPy is imported only then, never on a CPU-only machine.

Arrays are typed ``T`` (the parameter's dtype) and so are the scalars, as in
Chainer's kernels, except Adam, whose arithmetic runs in float32 for float16
parameters (``P`` is the parameter's dtype and the scalars have the compute type).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fchain.core import backend

__all__ = ["adam_kernel", "kernel"]

# name -> (input params, output params, operation)
_SOURCES: dict[str, tuple[str, str, str]] = {
    "sgd": ("T grad, T lr", "T param", "param -= lr * grad;"),
    "momentum_sgd": (
        "T grad, T lr, T momentum", "T param, T v",
        "v = momentum * v - lr * grad; param += v;"),
    "corrected_momentum_sgd": (
        "T grad, T lr, T momentum", "T param, T v",
        "v = momentum * v - grad; param += lr * v;"),
    "nesterov_ag": (
        "T grad, T lr, T momentum", "T param, T v",
        "v = momentum * v - lr * grad;"
        " param += momentum * momentum * v - (1 + momentum) * lr * grad;"),
    "ada_grad": (
        "T grad, T lr, T eps", "T param, T h",
        "h += grad * grad; param -= lr * grad / (sqrt(h) + eps);"),
    "ada_delta": (
        "T grad, T rho, T eps", "T param, T msg, T msdx",
        "msg = rho * msg + (1 - rho) * grad * grad;"
        " T dx = sqrt((msdx + eps) / (msg + eps)) * grad;"
        " msdx = rho * msdx + (1 - rho) * dx * dx;"
        " param -= dx;"),
    "rmsprop": (
        "T grad, T lr, T alpha, T eps", "T param, T ms",
        "ms = alpha * ms + (1 - alpha) * grad * grad;"
        " param -= lr * grad / (sqrt(ms) + eps);"),
    "rmsprop_eps_inside_sqrt": (
        "T grad, T lr, T alpha, T eps", "T param, T ms",
        "ms = alpha * ms + (1 - alpha) * grad * grad;"
        " param -= lr * grad / sqrt(ms + eps);"),
    "rmsprop_graves": (
        "T grad, T lr, T alpha, T momentum, T eps", "T param, T n, T g, T delta",
        "n = alpha * n + (1 - alpha) * grad * grad;"
        " g = alpha * g + (1 - alpha) * grad;"
        " delta = momentum * delta - lr * grad / sqrt(n - g * g + eps);"
        " param += delta;"),
    "smorms3": (
        "T grad, T lr, T eps", "T param, T mem, T g, T g2",
        "T r = 1 / (mem + 1);"
        " g = (1 - r) * g + r * grad;"
        " g2 = (1 - r) * g2 + r * grad * grad;"
        " T x = g * g / (g2 + eps);"
        " param -= grad * min(x, lr) / (sqrt(g2) + eps);"
        " mem = 1 + mem * (1 - x);"),
    "msvag": (
        "T grad, T lr, T one_minus_beta, T eta, T weight_decay_rate,"
        " T one_minus_beta_power, T rho",
        "T param, T m, T v",
        "m += one_minus_beta * (grad - m);"
        " v += one_minus_beta * (grad * grad - v);"
        " T mt = m / one_minus_beta_power;"
        " T vt = v / one_minus_beta_power;"
        " T mt2 = mt * mt;"
        " T s = (vt - mt2) / (1 - rho);"
        " T factor = mt2 / (mt2 + rho * s);"
        " if (factor != factor) { factor = 0; }"
        " else if (factor < (T)0) { factor = 0; }"
        " else if (factor > (T)1) { factor = 1; }"
        " param -= eta * (lr * mt * factor + weight_decay_rate * param);"),
}

_CACHE: dict[tuple[str, ...], Callable[..., object]] = {}


def _cupy() -> Any:
    cp = backend.cupy_module()
    if cp is None:
        raise RuntimeError("optimizer GPU kernels need CuPy, which is not installed")
    return cp


def kernel(name: str) -> Callable[..., object]:
    """The elementwise kernel of update rule ``name`` (a key of the table above);
    call it as ``kernel(grad, *scalars, param, *state)``."""
    key = (name,)
    k = _CACHE.get(key)
    if k is None:
        in_params, out_params, operation = _SOURCES[name]
        k = _cupy().ElementwiseKernel(in_params, out_params, operation, f"fchain_{name}")
        _CACHE[key] = k
    return k


def adam_kernel(amsgrad: bool, adabound: bool, compute_dtype: str) -> Callable[..., object]:
    """Adam's kernel for one variant and compute dtype (``'float32'`` or
    ``'float64'``): call it as ``kernel(grad, alpha_t, one_minus_beta1,
    one_minus_beta2, eps, neg_eta, keep, lower, upper, param, m, v[, vhat])`` where
    ``keep = 1 - eta * weight_decay_rate``."""
    key = ("adam", str(amsgrad), str(adabound), compute_dtype)
    k = _CACHE.get(key)
    if k is None:
        c = {"float32": "float", "float64": "double"}[compute_dtype]
        s = compute_dtype
        in_params = (f"P grad, {s} alpha_t, {s} one_minus_beta1, {s} one_minus_beta2,"
                     f" {s} eps, {s} neg_eta, {s} keep, {s} lower, {s} upper")
        out_params = "P param, P m, P v" + (", P vhat" if amsgrad else "")
        body = [
            f"{c} g_ = static_cast<{c}>(grad);",
            f"m = static_cast<P>(static_cast<{c}>(m) + one_minus_beta1 * (g_ - static_cast<{c}>(m)));",
            f"v = static_cast<P>(static_cast<{c}>(v) + one_minus_beta2 * (g_ * g_ - static_cast<{c}>(v)));",
        ]
        if amsgrad:
            body.append(f"if (static_cast<{c}>(v) > static_cast<{c}>(vhat)) {{ vhat = v; }}")
            body.append(f"{c} root = sqrt(static_cast<{c}>(vhat));")
        else:
            body.append(f"{c} root = sqrt(static_cast<{c}>(v));")
        body.append(f"{c} step = alpha_t / (root + eps);")
        if adabound:
            body.append("step = min(max(step, lower), upper);")
        body.append(
            f"param = static_cast<P>(keep * static_cast<{c}>(param)"
            f" + neg_eta * (step * static_cast<{c}>(m)));")
        name = "fchain_adam" + ("_ams" if amsgrad else "") + ("_bound" if adabound else "")
        k = _cupy().ElementwiseKernel(in_params, out_params, " ".join(body), name)
        _CACHE[key] = k
    return k
