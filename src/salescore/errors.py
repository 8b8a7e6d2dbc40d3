"""The exceptions and warnings salescore raises.

Every error subclasses :class:`SalescoreError`; the input errors also subclass
:class:`ValueError`, so ``except ValueError`` in calling code keeps working. See
:doc:`/conventions` for when each is raised.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "IndexMismatchError",
    "InvalidInputError",
    "SalescoreError",
    "SalescoreWarning",
    "SchemaError",
]


class SalescoreError(Exception):
    """Base class of every exception raised by salescore.

    Examples
    --------
    >>> import salescore
    >>> try:
    ...     salescore.clv(100.0, 1.5)
    ... except salescore.SalescoreError as error:
    ...     print(type(error).__name__)
    InvalidInputError
    """


class InvalidInputError(SalescoreError, ValueError):
    """An argument holds a value the calculation cannot accept.

    The message names the argument, the offending value (or how many values are
    bad and the first positions) and what is allowed.

    Examples
    --------
    >>> import salescore
    >>> salescore.acquisition_cost(-500.0, 4)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: spend must be a finite number >= 0; got -500.0
    """


class IndexMismatchError(InvalidInputError):
    """Two pandas Series arguments have different indexes.

    salescore never aligns or combines Series by position: reindex or align them
    first, so that each row means the same customer or deal in both.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> margin = pd.Series([100.0, 80.0], index=["acme", "globex"])
    >>> lifetime = pd.Series([3.0, 5.0], index=["globex", "acme"])
    >>> salescore.customer_value(margin, lifetime)
    Traceback (most recent call last):
    ...
    salescore.errors.IndexMismatchError: margin and lifetime are Series with different indexes; ...
    """


class SchemaError(InvalidInputError):
    """A table lacks a required column, or a column has the wrong type.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> customers = pd.DataFrame({"source": ["referral"], "value": [900.0]})
    >>> salescore.profitability_by_source(customers, hourly_cost=50.0)
    Traceback (most recent call last):
    ...
    salescore.errors.SchemaError: customers: missing column 'hours' ...
    """


class ConvergenceError(SalescoreError, RuntimeError):
    """A numerical fit or iteration did not converge.

    Examples
    --------
    >>> import salescore
    >>> issubclass(salescore.ConvergenceError, RuntimeError)
    True
    """


class SalescoreWarning(UserWarning):
    """A statistical caveat about a result that is still returned.

    Examples
    --------
    >>> import salescore
    >>> issubclass(salescore.SalescoreWarning, UserWarning)
    True
    """
