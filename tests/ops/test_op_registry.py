"""No op is missing: ``F.__all__``, the op registry and the op modules agree.

* every op module under ``fchain/ops`` registers at least one op;
* every registered op is public in ``fchain.functions`` or is a declared variant
  (``*_constant``: a scalar operand taken as a parameter) or a declared internal op
  (``INTERNAL_OPS``: a public op's backward as an op, for double backprop);
* every name in ``F.__all__`` is an op (or a function built only of ops and
  declared in ``COMPOSITES``) and is re-exported explicitly;
* every op carries a ``GradSpec`` or a ``NotDifferentiable`` with a reason.
"""

from __future__ import annotations

import importlib
import pkgutil

import fchain.functions as F
import fchain.ops
from fchain.core.op import Op
from fchain.core.registry import all_ops
from fchain.core.spec import GradSpec, NotDifferentiable

VARIANT_SUFFIXES = ("_constant",)
# Registered ops that are not public and are not scalar variants: each is some public
# op's backward made an op of its own so double backprop can differentiate it (the
# reason is listed).  Their module must also export the public op they serve.
INTERNAL_OPS: dict[str, str] = {
    "get_item_grad": "get_item's backward (a scatter-add), whose own backward is get_item",
    "convolution_nd_grad_W": "convolution_nd's gradient in W, bilinear in (x, gy); its backward is "
                             "deconvolution_nd and convolution_nd",
    "im2col_grad": "im2col's backward (col2im), whose own backward is im2col",
    "max_pooling_nd_grad": "max_pooling_nd's backward (a scatter to the maxima), whose own backward is "
                           "max_pooling_nd's gather; also upsampling_2d",
    "embed_id_grad": "embed_id's backward (a scatter-add of rows), whose own backward is embed_id",
}
# Public functions implemented by composing registered ops (each listed with why).
_FIXED_RANK = "convolution_nd with the number of spatial axes checked (Chainer's fixed-rank form)"
COMPOSITES: dict[str, str] = {
    "convolution_1d": _FIXED_RANK,
    "convolution_2d": _FIXED_RANK,
    "convolution_3d": _FIXED_RANK,
    "dilated_convolution_2d": "convolution_nd with two spatial axes (Chainer's argument order)",
    "depthwise_convolution_2d": "transpose and reshape of W, then a grouped convolution_nd",
    "deconvolution_1d": "deconvolution_nd with one spatial axis",
    "deconvolution_2d": "deconvolution_nd with two spatial axes",
    "deconvolution_3d": "deconvolution_nd with three spatial axes",
    "average_pooling_1d": "average_pooling_nd with one spatial axis",
    "average_pooling_2d": "average_pooling_nd with two spatial axes (pad_value 0)",
    "average_pooling_3d": "average_pooling_nd with three spatial axes",
    "max_pooling_1d": "max_pooling_nd with one spatial axis",
    "max_pooling_2d": "max_pooling_nd with two spatial axes",
    "max_pooling_3d": "max_pooling_nd with three spatial axes",
    "unpooling_1d": "unpooling_nd with one spatial axis",
    "unpooling_2d": "unpooling_nd with two spatial axes",
    "unpooling_3d": "unpooling_nd with three spatial axes",
    "upsampling_2d": "max_pooling_nd_grad (max pooling's scatter) at the given indexes",
    "spatial_pyramid_pooling_2d": "max_pooling_2d per level, reshape and concat",
    "local_convolution_2d": "im2col, reshape, transpose, a batched matmul and add",
    "bilinear": "reshape, a broadcast mul (the outer product), matmul and add",
    "average": "mean under its other name (in Chainer 7 F.mean is F.average)",
    "bias": "reshape of y to broadcast along x from axis on, and add",
    "scale": "reshape of y to broadcast along x from axis on, and mul",
    "fixed_batch_renormalization": "fixed_batch_normalization (Chainer 7's deprecated alias, with its warning)",
}


def _op_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(fchain.ops.__path__, "fchain.ops."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not info.ispkg and not leaf.startswith("_"):
            names.append(info.name)
    return sorted(names)


def _only_composites(module: str) -> bool:
    """A module whose public functions are all declared composites (built of ops)."""
    names = getattr(importlib.import_module(module), "__all__", [])
    return bool(names) and all(name in COMPOSITES for name in names)


def test_every_op_module_registers_an_op() -> None:
    """Each public op module defines (at module level) an op of the registry, or
    only declared composites; its rules may live beside it in a private module
    (``_<op>_rules.py``)."""
    registered = set(map(id, all_ops().values()))
    missing = []
    for module in _op_modules():
        values = vars(importlib.import_module(module)).values()
        if not any(isinstance(v, Op) and id(v) in registered for v in values) and \
                not _only_composites(module):
            missing.append(module)
    assert not missing, f"op modules that register no op: {missing}"


def test_every_registered_op_is_public_or_a_declared_variant() -> None:
    public = set(F.__all__)
    stray = [name for name in all_ops()
             if name not in public and not name.endswith(VARIANT_SUFFIXES)
             and name not in INTERNAL_OPS]
    assert not stray, f"registered ops missing from fchain.functions.__all__: {stray}"


def test_every_public_function_is_an_op_and_exported() -> None:
    ops = set(all_ops())
    not_ops = [name for name in F.__all__ if name not in ops and name not in COMPOSITES]
    assert not not_ops, f"names in F.__all__ that are not registered ops: {not_ops}"
    for name in F.__all__:
        assert callable(getattr(F, name)), name
    assert len(F.__all__) == len(set(F.__all__)), "F.__all__ has duplicates"


def test_every_op_has_a_gradient_spec_or_a_reason() -> None:
    for op in all_ops().values():
        assert isinstance(op, Op)
        assert isinstance(op.spec, (GradSpec, NotDifferentiable)), op.name
        if isinstance(op.spec, NotDifferentiable):
            assert op.spec.reason.strip(), f"{op.name}: NotDifferentiable needs a reason"


def test_variant_ops_belong_to_a_public_op_module() -> None:
    """A variant or internal op lives in a public function's module, or in a private
    rules module whose op a public function's module holds (``_convolution_ops``'s
    ``CONVOLUTION_ND_GRAD_W`` in ``convolution_nd``)."""
    public_modules = {getattr(F, name).__module__ for name in F.__all__}
    held = {id(v) for m in public_modules for v in vars(importlib.import_module(m)).values()}
    for op in all_ops().values():
        if op.name not in F.__all__:
            assert op.forward.__module__ in public_modules or id(op) in held, (
                f"{op.name} lives in {op.forward.__module__}, which exports no public function")
