"""``fchain.utils.argument``: Chainer's keyword parsing for ``**kwargs`` functions."""

from __future__ import annotations

from typing import Any

import pytest

from fchain.utils import argument


def dropout_like(x: float, **kwargs: Any) -> tuple[Any, ...]:
    return argument.parse_kwargs(
        kwargs, ("ratio", 0.5), ("mask", None),
        train="train argument is not supported anymore. Use fchain.using_config")


def test_values_come_back_in_the_order_asked_with_defaults_for_absent_names() -> None:
    assert dropout_like(1.0) == (0.5, None)
    assert dropout_like(1.0, mask="m") == (0.5, "m")
    assert dropout_like(1.0, mask="m", ratio=0.1) == (0.1, "m")


def test_parsed_names_are_popped_from_the_callers_dict() -> None:
    kwargs: dict[str, Any] = {"ratio": 0.25}
    assert argument.parse_kwargs(kwargs, ("ratio", 0.5)) == (0.25,)
    assert kwargs == {}


def test_a_removed_keyword_raises_valueerror_with_its_advice() -> None:
    with pytest.raises(ValueError, match="train argument is not supported anymore"):
        dropout_like(1.0, train=False)


def test_an_unknown_keyword_is_a_typeerror_naming_the_caller_and_every_leftover() -> None:
    with pytest.raises(TypeError, match=r"^dropout_like\(\) got unexpected keyword argument\(s\) "
                                        r"'alpha', 'beta'$"):
        dropout_like(1.0, beta=1, alpha=2, ratio=0.3)


def test_check_unexpected_kwargs_only_looks_at_the_names_it_is_given() -> None:
    argument.check_unexpected_kwargs({"other": 1}, train="no")
    with pytest.raises(ValueError, match="^no$"):
        argument.check_unexpected_kwargs({"train": 1}, train="no")


def test_assert_kwargs_empty() -> None:
    def f(**kwargs: Any) -> None:
        argument.assert_kwargs_empty(kwargs)

    f()
    with pytest.raises(TypeError, match=r"^f\(\) got unexpected keyword argument\(s\) 'x'$"):
        f(x=1)
