"""The seed tutorial's "连接" and "基于 chain 写一个模型" sections, literally
(chainer -> fchain, type annotations added for mypy --strict)."""

from __future__ import annotations

import numpy as np

import fchain.links as L
from fchain import Chain, ChainList, Variable
from fchain.types import Array
from tests.arrays import values


def _affine(x: Array, f: L.Linear) -> Array:
    assert f.b is not None
    return x @ values(f.W).T + values(f.b)


def test_tutorial_links_section() -> None:
    f = L.Linear(3, 2)
    assert values(f.W).shape == (2, 3) and values(f.W).dtype == np.float32
    assert f.b is not None
    np.testing.assert_array_equal(f.b.data, np.array([0.0, 0.0], dtype=np.float32))

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = f(x)
    np.testing.assert_allclose(y.data, _affine(x.data, f), rtol=1e-6)

    g = L.Linear(2)
    assert not g.W.is_initialized

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    g = L.Linear(2)
    p = g(x)
    assert g.W.shape == (2, 3)  # 2 x M with M inferred from the first batch
    np.testing.assert_allclose(p.data, _affine(x.data, g), rtol=1e-6)
    assert repr(p).startswith("variable([[")

    g.cleargrads()
    g.grad = np.ones((2, 2), dtype=np.float32)  # the tutorial sets an attribute on the link
    assert g.W.grad is None
    assert g.b is not None and g.b.grad is None


def test_tutorial_chain_section() -> None:
    l1 = L.Linear(4, 3)
    l2 = L.Linear(3, 2)

    def my_forward(x: Variable) -> Variable:
        h = l1(x)
        return l2(h)

    class MyProc(object):
        def __init__(self) -> None:
            self.l1 = L.Linear(4, 3)
            self.l2 = L.Linear(3, 2)

        def forward(self, x: Variable) -> Variable:
            h = self.l1(x)
            return self.l2(h)

    class MyChain(Chain):
        def __init__(self) -> None:
            super(MyChain, self).__init__()
            with self.init_scope():
                self.l1 = L.Linear(4, 3)
                self.l2 = L.Linear(3, 2)

        def __call__(self, x: Variable) -> Variable:
            h = self.l1(x)
            return self.l2(h)

    class MyChain2(ChainList):
        def __init__(self) -> None:
            super(MyChain2, self).__init__(
                L.Linear(4, 3),
                L.Linear(3, 2),
            )

        def __call__(self, x: Variable) -> Variable:
            h = self[0](x)
            return self[1](h)

    x = Variable(np.arange(8, dtype=np.float32).reshape(2, 4) / 8)
    np.testing.assert_allclose(my_forward(x).data, _affine(_affine(x.data, l1), l2), rtol=1e-5)
    proc = MyProc()
    np.testing.assert_allclose(proc.forward(x).data, _affine(_affine(x.data, proc.l1), proc.l2), rtol=1e-5)

    chain = MyChain()
    assert [name for name, _ in chain.namedparams()] == ["/l1/W", "/l1/b", "/l2/W", "/l2/b"]
    np.testing.assert_allclose(chain(x).data, _affine(_affine(x.data, chain.l1), chain.l2), rtol=1e-5)

    chain2 = MyChain2()
    assert [name for name, _ in chain2.namedparams()] == ["/0/W", "/0/b", "/1/W", "/1/b"]
    first, second = chain2[0], chain2[1]
    assert isinstance(first, L.Linear) and isinstance(second, L.Linear)
    np.testing.assert_allclose(chain2(x).data, _affine(_affine(x.data, first), second), rtol=1e-5)

    # Chain is itself a Link: MyChain objects can be children of bigger chains.
    class Bigger(Chain):
        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.a = MyChain()
                self.b = MyChain2()

    assert Bigger().count_params() == 2 * (4 * 3 + 3 + 3 * 2 + 2)
