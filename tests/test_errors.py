"""The exception hierarchy of the conventions page: callers may catch the built-in bases."""

from __future__ import annotations

import pytest

import salescore
from salescore import errors


@pytest.mark.parametrize(
    ("error", "bases"),
    [
        (errors.InvalidInputError, (errors.SalescoreError, ValueError)),
        (errors.IndexMismatchError, (errors.InvalidInputError, ValueError)),
        (errors.SchemaError, (errors.InvalidInputError, ValueError)),
        (errors.ConvergenceError, (errors.SalescoreError, RuntimeError)),
        (errors.SalescoreWarning, (UserWarning,)),
    ],
)
def test_hierarchy(error: type[BaseException], bases: tuple[type[BaseException], ...]) -> None:
    assert issubclass(error, bases)


def test_base_is_an_exception_and_exported() -> None:
    assert issubclass(errors.SalescoreError, Exception)
    assert set(errors.__all__) <= set(salescore.__all__)


def test_invalid_input_is_catchable_as_value_error() -> None:
    with pytest.raises(ValueError, match="retention"):
        salescore.clv(1.0, 2.0)
