"""Pure update math of every Chainer 7 optimizer and optimizer hook.

Design
------
Each rule is a plain function ``rule(xp, param, grad, *state, *hyperparameters)``
that **updates ``param`` and the state arrays in place** and returns ``None``.  In
place, because an optimizer step touches every parameter of a model on every
iteration: allocating fresh parameter and state arrays would double the memory
traffic of the cheapest rules (SGD is one multiply-add).  The functions keep no
state between calls and touch nothing but their arguments, so they are still pure
in the sense that matters: the same arrays and numbers in give the same arrays out.
``functional(rule, ...)`` runs a rule on copies and returns the new arrays, which is
the reference (copying) form used by tests and by anyone who wants values instead of
mutation.

Exactness
---------
The expressions are written in the same order, with the same Python scalars, as
Chainer 7's CPU update rules, so a float32 run rounds exactly as Chainer does:
``(1 - rho) * grad * grad`` is ``((1 - rho) * grad) * grad``, ``lr * grad / d`` is
``(lr * grad) / d``.  Hyperparameters must be Python numbers (``float``/``int``/
``bool``): a Python number combines with a float32 array in float32 (NumPy's
weak scalars), which is what Chainer computed.  The stateful optimizer
(``fchain.facade.optimizer``) converts its hyperparameters with ``float()`` first.

Only ``xp`` functions of ``ArrayNamespace``, array operators and in-place operators
are used, so the same functions run on numpy and CuPy arrays; on a GPU the
optimizer prefers one fused elementwise kernel per rule (``fchain.facade.optim_cuda``)
and these functions are the reference those kernels are tested against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from fchain.types import Array, ArrayNamespace, DTypeLike

__all__ = [
    "ada_delta",
    "ada_grad",
    "adabound_bounds",
    "adam",
    "adam_alpha_t",
    "corrected_momentum_sgd",
    "functional",
    "gradient_clipping_rate",
    "gradient_hard_clipping",
    "gradient_lars",
    "lasso",
    "momentum_sgd",
    "msvag",
    "msvag_rho",
    "nesterov_ag",
    "norm",
    "rmsprop",
    "rmsprop_graves",
    "scale",
    "sgd",
    "smorms3",
    "squared_norm",
    "weight_decay",
]


# --------------------------------------------------------------------- SGD family
def sgd(xp: ArrayNamespace, param: Array, grad: Array, lr: float) -> None:
    """``param -= lr * grad``."""
    param -= lr * grad


def momentum_sgd(xp: ArrayNamespace, param: Array, grad: Array, v: Array,
                 lr: float, momentum: float) -> None:
    """``v = momentum * v - lr * grad; param += v``."""
    v *= momentum
    v -= lr * grad
    param += v


def corrected_momentum_sgd(xp: ArrayNamespace, param: Array, grad: Array, v: Array,
                           lr: float, momentum: float) -> None:
    """``v = momentum * v - grad; param += lr * v`` (the learning rate scales the step,
    not the velocity, so changing ``lr`` mid-run does not rescale old momentum)."""
    v *= momentum
    v -= grad
    param += lr * v


def nesterov_ag(xp: ArrayNamespace, param: Array, grad: Array, v: Array,
                lr: float, momentum: float) -> None:
    """Nesterov's accelerated gradient in Sutskever's reformulation:
    ``v = momentum * v - lr * grad; param += momentum**2 * v - (1 + momentum) * lr * grad``."""
    v *= momentum
    v -= lr * grad
    param += momentum * momentum * v
    param -= (1 + momentum) * lr * grad


# ------------------------------------------------------------- adaptive methods
def ada_grad(xp: ArrayNamespace, param: Array, grad: Array, h: Array,
             lr: float, eps: float) -> None:
    """``h += grad**2; param -= lr * grad / (sqrt(h) + eps)``."""
    h += grad * grad
    param -= lr * grad / (xp.sqrt(h) + eps)


def ada_delta(xp: ArrayNamespace, param: Array, grad: Array, msg: Array, msdx: Array,
              rho: float, eps: float) -> None:
    """Zeiler's ADADELTA: running means of squared gradients (``msg``) and squared
    steps (``msdx``); ``dx = sqrt((msdx + eps) / (msg + eps)) * grad``."""
    msg *= rho
    msg += (1 - rho) * grad * grad
    dx = xp.sqrt((msdx + eps) / (msg + eps)) * grad
    msdx *= rho
    msdx += (1 - rho) * dx * dx
    param -= dx


def rmsprop(xp: ArrayNamespace, param: Array, grad: Array, ms: Array,
            lr: float, alpha: float, eps: float, eps_inside_sqrt: bool) -> None:
    """``ms = alpha * ms + (1 - alpha) * grad**2; param -= lr * grad / (sqrt(ms) + eps)``
    (``sqrt(ms + eps)`` when ``eps_inside_sqrt``)."""
    ms *= alpha
    ms += (1 - alpha) * grad * grad
    denom = xp.sqrt(ms + eps) if eps_inside_sqrt else xp.sqrt(ms) + eps
    param -= lr * grad / denom


def rmsprop_graves(xp: ArrayNamespace, param: Array, grad: Array, n: Array, g: Array,
                   delta: Array, lr: float, alpha: float, momentum: float,
                   eps: float) -> None:
    """Graves's RMSprop: running mean ``g`` and mean square ``n`` of the gradient,
    ``delta = momentum * delta - lr * grad / sqrt(n - g**2 + eps); param += delta``."""
    n *= alpha
    n += (1 - alpha) * grad * grad
    g *= alpha
    g += (1 - alpha) * grad
    delta *= momentum
    delta -= lr * grad / xp.sqrt(n - g * g + eps)
    param += delta


def smorms3(xp: ArrayNamespace, param: Array, grad: Array, mem: Array, g: Array,
            g2: Array, lr: float, eps: float) -> None:
    """Simon Funk's SMORMS3 (``mem`` starts at ones, ``g`` and ``g2`` at zeros)."""
    r = 1 / (mem + 1)
    g[...] = (1 - r) * g + r * grad
    g2[...] = (1 - r) * g2 + r * grad * grad
    x = g * g / (g2 + eps)
    param -= grad * xp.minimum(x, lr) / (xp.sqrt(g2) + eps)
    mem[...] = 1 + mem * (1 - x)


# ----------------------------------------------------------------------- Adam
def adam_alpha_t(alpha: float, beta1: float, beta2: float, t: int) -> float:
    """Adam's bias-corrected step size ``alpha * sqrt(1 - beta2**t) / (1 - beta1**t)``
    for the rule's own step count ``t`` (>= 1)."""
    if t == 0:
        raise RuntimeError(
            "Adam: alpha_t is undefined before the first update (t == 0); "
            "call update() first")
    fix1 = 1.0 - math.pow(beta1, t)
    fix2 = 1.0 - math.pow(beta2, t)
    return alpha * math.sqrt(fix2) / fix1


def adabound_bounds(final_lr: float, alpha: float, initial_alpha: float, gamma: float,
                    t: int) -> tuple[float, float]:
    """AdaBound's clipping range of the per-element step size at step ``t`` (>= 1).

    ``final_lr`` is scaled by ``alpha / initial_alpha`` so that a schedule changing
    ``alpha`` also moves the bounds."""
    if t == 0:
        raise RuntimeError(
            "AdaBound: the bounds are undefined before the first update (t == 0)")
    lr = final_lr * alpha / initial_alpha
    lower = lr * (1.0 - 1.0 / (gamma * t + 1))
    upper = lr * (1.0 + 1.0 / (gamma * t))
    return lower, upper


def adam(xp: ArrayNamespace, param: Array, grad: Array, m: Array, v: Array,
         vhat: Array | None, alpha_t: float, beta1: float, beta2: float, eps: float,
         eta: float, weight_decay_rate: float, bounds: tuple[float, float] | None,
         compute_dtype: DTypeLike) -> None:
    """One Adam step (AdamW, AMSGrad, AdaBound and AMSBound included).

    ``m += (1 - beta1) * (grad - m)``, ``v += (1 - beta2) * (grad**2 - v)``;
    AMSGrad (``vhat`` given) keeps ``vhat = max(vhat, v)`` and uses it in place of
    ``v``; ``step = alpha_t / (sqrt(v) + eps)`` (``eps`` is added to the
    *uncorrected* root), clipped to ``bounds`` for AdaBound; finally
    ``param = (1 - eta * weight_decay_rate) * param - eta * step * m`` (decoupled
    weight decay).

    The decay factor is ``1 - eta * weight_decay_rate``: the schedule multiplier
    ``eta`` scales the decay as well as the step.  This is Chainer 7's documented
    formula, its fused GPU kernel, and also its CPU path (7.8.1's ``_inplace_axpby(
    param, 1 - eta * weight_decay_rate, -eta, step * m)``), evaluated in the same
    order here so float32 results agree bit for bit; the golden files in
    ``tests/fixtures/chainer`` (AdamW-style ``eta=0.5``) pin it.

    ``compute_dtype`` is float32 for float16 parameters (the moments stay in the
    parameter's dtype), the parameter's own dtype otherwise."""
    grad = xp.asarray(grad, dtype=compute_dtype)
    m += (1.0 - beta1) * (grad - m)
    v += (1.0 - beta2) * (grad * grad - v)
    if vhat is not None:
        vhat[...] = xp.maximum(vhat, v)
        denom_src = vhat
    else:
        denom_src = v
    denom_src = xp.asarray(denom_src, dtype=compute_dtype)
    step = alpha_t / (xp.sqrt(denom_src) + eps)
    if bounds is not None:
        step = xp.clip(step, bounds[0], bounds[1])
    keep = 1.0 - eta * weight_decay_rate
    if keep == 1:
        if eta == 1:
            param -= step * m  # bitwise the same as param += -1.0 * (step * m)
        else:
            param += -eta * (step * m)
    else:
        param[...] = keep * param + -eta * (step * m)


# ---------------------------------------------------------------------- M-SVAG
def msvag_rho(beta: float, beta_power: float) -> float:
    """M-SVAG's variance-correction factor, capped at 0.9999 (it is 1 at step 1)."""
    rho = ((1.0 - beta) ** 2) * (1.0 - beta_power ** 2) / (
        ((1.0 - beta_power) ** 2) * (1.0 - beta ** 2))
    return min(rho, 0.9999)


def msvag(xp: ArrayNamespace, param: Array, grad: Array, m: Array, v: Array,
          lr: float, beta: float, beta_power: float, eta: float,
          weight_decay_rate: float) -> None:
    """One M-SVAG step; ``beta_power`` is ``beta ** t`` for this step (the caller
    multiplies it by ``beta`` afterwards).  Elements where the variance-adapted
    factor is 0/0 (a gradient that was always zero) take factor 0.  With numpy,
    call inside ``numpy.errstate(invalid='ignore', divide='ignore')``."""
    rho = msvag_rho(beta, beta_power)
    m += (1 - beta) * (grad - m)
    v += (1 - beta) * (grad * grad - v)
    mt = m / (1 - beta_power)
    vt = v / (1 - beta_power)
    mt2 = mt ** 2
    s = (vt - mt2) / (1 - rho)
    factor = xp.clip(mt2 / (mt2 + rho * s), 0, 1)
    # After clipping only NaN (0/0) is non-finite.
    factor = xp.where(xp.isfinite(factor), factor, 0)
    param -= eta * (lr * mt * factor + weight_decay_rate * param)


# ----------------------------------------------------------------------- hooks
def weight_decay(xp: ArrayNamespace, grad: Array, param: Array, rate: float) -> None:
    """L2 regularization: ``grad += rate * param``."""
    grad += rate * param


def lasso(xp: ArrayNamespace, grad: Array, param: Array, rate: float) -> None:
    """L1 regularization: ``grad += rate * sign(param)``."""
    grad += rate * xp.sign(param)


def gradient_hard_clipping(xp: ArrayNamespace, grad: Array, lower: float,
                           upper: float) -> None:
    """Clip every gradient element into ``[lower, upper]``."""
    grad[...] = xp.clip(grad, lower, upper)


def scale(xp: ArrayNamespace, grad: Array, rate: float) -> None:
    """``grad *= rate``."""
    grad *= rate


def squared_norm(xp: ArrayNamespace, a: Array) -> float:
    """``dot(a.ravel(), a.ravel())`` computed in ``a``'s dtype, as a Python float."""
    flat = xp.reshape(a, -1)
    return float(xp.dot(flat, flat))


def norm(xp: ArrayNamespace, a: Array) -> float:
    """The L2 norm of all of ``a``, rounded in ``a``'s dtype as numpy's
    ``linalg.norm`` rounds it (``sqrt`` of the ``dot``), as a Python float."""
    flat = xp.reshape(a, -1)
    return float(xp.sqrt(xp.dot(flat, flat)))


def gradient_clipping_rate(xp: ArrayNamespace, grads: Sequence[Array],
                           threshold: float) -> float:
    """``threshold / ||grads||_2`` over all gradients (the per-array squared norms are
    summed in float64, as Chainer did); the caller scales only when it is < 1."""
    total = 0.0
    for g in grads:
        total += squared_norm(xp, g)
    norm = math.sqrt(total)
    return threshold / norm if norm != 0.0 else math.inf


def gradient_lars(xp: ArrayNamespace, grad: Array, param: Array, threshold: float,
                  weight_decay_rate: float, eps: float) -> None:
    """Layer-wise adaptive rate scaling: ``grad = rate * (grad + weight_decay * param)``
    with ``rate = |p| / (eps + |g| + weight_decay * |p|)`` when ``|p| > threshold``,
    else 1 (norms over the whole array; the rate in float64)."""
    p_norm = norm(xp, param)
    g_norm = norm(xp, grad)
    if p_norm > threshold:
        rate = p_norm / (eps + g_norm + weight_decay_rate * p_norm)
    else:
        rate = 1.0
    grad += weight_decay_rate * param
    grad *= rate


# --------------------------------------------------------------- reference form
def functional(rule: Callable[..., None], xp: ArrayNamespace, param: Array, grad: Array,
               states: Sequence[Array | None], *hyperparameters: object
               ) -> tuple[Array, tuple[Array | None, ...]]:
    """Run an in-place ``rule`` on copies: returns ``(new_param, new_states)`` and
    leaves every argument untouched (a ``None`` state, such as Adam's ``vhat``
    without AMSGrad, stays ``None``).

    ``functional(momentum_sgd, numpy, p, g, (v,), 0.01, 0.9)``.
    """
    new_param = xp.asarray(param).copy()
    new_states = tuple(None if s is None else xp.asarray(s).copy() for s in states)
    rule(xp, new_param, xp.asarray(grad).copy(), *new_states, *hyperparameters)
    return new_param, new_states
