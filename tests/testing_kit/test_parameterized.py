"""``parameterize``, ``product``, ``product_dict``: Chainer's semantics."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import numpy
import pytest

from fchain.testing import parameterize, product, product_dict


def test_product_of_a_dict_is_every_combination_in_sorted_key_order() -> None:
    assert product({"b": [1, 2], "a": ["x", "y"]}) == [
        {"a": "x", "b": 1}, {"a": "x", "b": 2}, {"a": "y", "b": 1}, {"a": "y", "b": 2}]


def test_a_key_may_name_several_attributes() -> None:
    assert product({"x,y": [(1, 2), (3, 4)], "z": [0]}) == [{"x": 1, "y": 2, "z": 0}, {"x": 3, "y": 4, "z": 0}]
    with pytest.raises(ValueError, match="tuple of 2"):
        product({"x,y": [1]})


def test_product_of_lists_of_dicts_and_product_dict() -> None:
    groups = [[{"a": 1}, {"a": 2}], [{"b": 3, "c": 4}]]
    assert product(groups) == product_dict(*groups) == [{"a": 1, "b": 3, "c": 4}, {"a": 2, "b": 3, "c": 4}]
    assert product_dict([{"a": 1}], [{"a": 2}]) == [{"a": 2}]  # a later dict wins
    with pytest.raises(TypeError):
        product([{"a": 1}])  # type: ignore[list-item]  # not a list of lists


@pytest.fixture
def module() -> Iterator[types.ModuleType]:
    """A scratch module to define parameterized classes in."""
    mod = types.ModuleType("kit_scratch_module")
    sys.modules[mod.__name__] = mod
    try:
        yield mod
    finally:
        del sys.modules[mod.__name__]


def _generated(mod: types.ModuleType) -> dict[str, type]:
    return {k: v for k, v in vars(mod).items() if isinstance(v, type) and "_param_" in k}


def test_one_subclass_per_parameter_set(module: types.ModuleType) -> None:
    def double(x: int) -> int:
        return 2 * x

    class TestThing:
        dtype: type
        fn: object

        def test_it(self) -> None:
            raise AssertionError("failing on purpose")
    TestThing.__module__ = module.__name__

    result = parameterize({"dtype": numpy.float32, "fn": double}, {"dtype": numpy.float64, "fn": double})(TestThing)
    assert result is TestThing and TestThing.__test__ is False  # type: ignore[attr-defined]
    made = _generated(module)
    assert sorted(made) == ["TestThing_param_0_{dtype=float32, fn=double}",
                            "TestThing_param_1_{dtype=float64, fn=double}"]
    sub = made["TestThing_param_0_{dtype=float32, fn=double}"]
    assert issubclass(sub, TestThing) and sub.__test__ is True  # type: ignore[attr-defined]
    instance = sub()
    assert instance.dtype is numpy.float32
    assert instance.fn(4) == 8  # type: ignore[operator]  # a function value is a static method
    with pytest.raises(AssertionError) as caught:
        instance.test_it()
    assert any("dtype=<class 'numpy.float32'>" in note for note in caught.value.__notes__)


def test_stacked_decorators_multiply(module: types.ModuleType) -> None:
    class TestStack:
        pass
    TestStack.__module__ = module.__name__
    parameterize({"a": 1}, {"a": 2})(parameterize({"b": 3}, {"b": 4})(TestStack))
    made = _generated(module)
    assert len(made) == 4
    assert sorted((c.a, c.b) for c in made.values()) == [(1, 3), (1, 4), (2, 3), (2, 4)]  # type: ignore[attr-defined]


def test_long_values_are_shortened_in_names(module: types.ModuleType) -> None:
    class TestLong:
        pass
    TestLong.__module__ = module.__name__
    parameterize({"v": "x" * 300})(TestLong)
    (name,) = _generated(module)
    assert len(name) < 150 and "..." in name


def test_a_parameter_set_must_be_a_dict() -> None:
    with pytest.raises(TypeError, match="dict"):
        parameterize([("a", 1)])  # type: ignore[arg-type]  # the mistake under test
