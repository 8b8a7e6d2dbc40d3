"""The unit economics of a customer segment as one record: :class:`UnitEconomics`.

A frozen attrs record of a segment's margin, retention, discount rate and acquisition
cost, validated when made, whose properties are the formula functions of
:mod:`salescore.value.lifetime` and :mod:`salescore.value.acquisition` applied to its
fields.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from .._arrays import option_choice, option_number
from ..errors import InvalidInputError
from .acquisition import cac_payback, clv_cac_ratio
from .lifetime import _TIMINGS, Timing, clv, expected_lifetime

__all__ = ["UnitEconomics"]


def _real(value: Any, attribute: attrs.Attribute[Any]) -> float:
    # NaN passes here and is refused by the field's validator, with its range.
    return option_number(attribute.name, value, allow_nan=True)


def _optional_real(value: Any, attribute: attrs.Attribute[Any]) -> float | None:
    return None if value is None else _real(value, attribute)


def _checked(low: float, high: float, *, high_open: bool = False) -> Any:
    if low == -math.inf:
        allowed = "finite"
    elif high == math.inf:
        allowed = f"a finite number >= {low:g}"
    else:
        allowed = f"in [{low:g}, {high:g}{')' if high_open else ']'}"

    def validate(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
        if value is None:
            return
        if not (low <= value <= high) or math.isinf(value) or (high_open and value == high):
            raise InvalidInputError(f"{attribute.name} must be {allowed}; got {value!r}")

    return validate


def _timing(value: Any, attribute: attrs.Attribute[Any]) -> str:
    return option_choice(attribute.name, value, _TIMINGS)


@attrs.frozen(kw_only=True)
class UnitEconomics:
    r"""Margin, retention, discount rate and acquisition cost of a customer segment.

    The one object a notebook or a CRM adapter passes around for a segment; every
    field is validated when the record is made, so an invalid one cannot exist.
    Change a field with ``attrs.evolve``.

    Parameters
    ----------
    margin : float
        Margin per customer per period (may be negative).
    retention : float
        Period-to-period retention, a fraction in [0, 1).
    discount_rate : float, default 0.0
        Discount rate per period, >= 0.
    acquisition_cost : float or None, default None
        Acquisition cost per customer, >= 0; ``None`` when unknown, which makes
        :attr:`clv_cac_ratio` and :attr:`payback` NaN.
    timing : {"end", "begin"}, default "end"
        When margins arrive; see :func:`clv`.

    Raises
    ------
    InvalidInputError
        A field that is not a number, is NaN or infinite, or is out of its range; or
        fields whose lifetime value, CLV:CAC or payback is beyond float range (such
        as a margin near 1e308), which the properties could not return.

    See Also
    --------
    clv, expected_lifetime, clv_cac_ratio, cac_payback

    Notes
    -----
    The properties are the module's functions applied to the fields:
    :math:`\mathrm{CLV}` from :func:`clv` (infinite horizon), :math:`1/(1-r)` from
    :func:`expected_lifetime`, :math:`\mathrm{CLV}/\mathrm{CAC}` and
    :math:`\mathrm{CAC}/m`.

    Examples
    --------
    >>> import attrs
    >>> import salescore
    >>> smb = salescore.UnitEconomics(
    ...     margin=100.0, retention=0.95, acquisition_cost=500.0, timing="begin"
    ... )
    >>> smb.clv, smb.expected_lifetime, smb.clv_cac_ratio, smb.payback
    (2000.0, 20.0, 4.0, 5.0)
    >>> attrs.evolve(smb, retention=0.9).clv
    1000.0
    >>> salescore.UnitEconomics(margin=100.0, retention=1.0)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: retention must be in [0, 1); got 1.0
    """

    margin: float = attrs.field(
        converter=attrs.Converter(_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(-math.inf, math.inf),
    )
    retention: float = attrs.field(
        converter=attrs.Converter(_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(0.0, 1.0, high_open=True),
    )
    discount_rate: float = attrs.field(
        default=0.0,
        converter=attrs.Converter(_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(0.0, math.inf),
    )
    acquisition_cost: float | None = attrs.field(
        default=None,
        converter=attrs.Converter(_optional_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(0.0, math.inf),
    )
    timing: Timing = attrs.field(
        default="end",
        converter=attrs.Converter(_timing, takes_field=True),  # type: ignore[misc]
    )

    def __attrs_post_init__(self) -> None:
        # Every derived figure is computed once here: a record whose figures are beyond
        # float range cannot be made, rather than fail when a property is read.
        for figure in ("clv", "clv_cac_ratio", "payback"):
            getattr(self, figure)

    @property
    def clv(self) -> float:
        """Infinite-horizon lifetime value, :func:`clv` of the fields."""
        return clv(self.margin, self.retention, self.discount_rate, timing=self.timing)

    @property
    def expected_lifetime(self) -> float:
        """Expected number of periods a customer stays, 1 / (1 − retention)."""
        return expected_lifetime(self.retention)

    @property
    def clv_cac_ratio(self) -> float:
        """Lifetime value per unit of acquisition cost (NaN when the cost is unknown)."""
        if self.acquisition_cost is None:
            return math.nan
        return clv_cac_ratio(self.clv, self.acquisition_cost)

    @property
    def payback(self) -> float:
        """Periods of margin that recover the acquisition cost (NaN if never or unknown)."""
        if self.acquisition_cost is None:
            return math.nan
        return cac_payback(self.acquisition_cost, self.margin)
