"""The tier policy: levels, cut-offs, contact cadences, channels and temperature bands."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import (
    Values,
    option_number,
)
from ..errors import InvalidInputError
from ..schema.vocabularies import TIERS

__all__ = ["TIERS", "TierPolicy"]

ObjectArray = npt.NDArray[np.object_]
_SHOWN: Final = 5


# ------------------------------------------------------------------------ policy


def _numbers(value: Any, attribute: attrs.Attribute[Any]) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidInputError(
            f"{attribute.name} must be a sequence of numbers; got {type(value).__name__} "
            f"{value!r:.60}"
        )
    out = []
    for item in value:
        # np.timedelta64 is a NumPy integer: its count in its own unit is no number.
        if isinstance(item, (bool, np.bool_, np.timedelta64, np.datetime64)) or not isinstance(
            item, (numbers.Real, np.integer, np.floating)
        ):
            raise InvalidInputError(
                f"{attribute.name} must hold numbers; got {type(item).__name__} {item!r:.60}"
            )
        number = option_number(attribute.name, item, allow_nan=True)  # refuses 10**400
        if not math.isfinite(number):
            raise InvalidInputError(f"{attribute.name} must hold finite numbers; got {value!r}")
        out.append(number)
    return tuple(out)


def _names(value: Any, attribute: attrs.Attribute[Any]) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidInputError(
            f"{attribute.name} must be a sequence of strings; got {type(value).__name__}"
        )
    if not all(isinstance(item, str) and item for item in value):
        raise InvalidInputError(f"{attribute.name} must hold non-empty strings; got {value!r}")
    return tuple(str(item) for item in value)


def _descending(length: int | None, *, low: float, high: float, low_open: bool = True) -> Any:
    """Validator: ``length`` numbers (any number if None), strictly descending, in range."""
    bracket = "(" if low_open else "["

    def validate(
        instance: object, attribute: attrs.Attribute[Any], value: tuple[float, ...]
    ) -> None:
        if length is not None and len(value) != length:
            raise InvalidInputError(
                f"{attribute.name} must hold {length} numbers; got {len(value)}: {value!r}"
            )
        bad = [v for v in value if v > high or v < low or (low_open and v == low)]
        if bad:
            raise InvalidInputError(
                f"{attribute.name} must lie in {bracket}{low:g}, {high:g}]; got {value!r}"
            )
        if any(a <= b for a, b in itertools.pairwise(value)):
            raise InvalidInputError(
                f"{attribute.name} must be strictly decreasing (best tier first); got {value!r}"
            )

    return validate


#: The longest cadence in days: the longest duration pandas holds in nanoseconds.
_MOST_DAYS: Final = 106_751


def _cadences(instance: object, attribute: attrs.Attribute[Any], value: tuple[float, ...]) -> None:
    if len(value) != len(TIERS) or not all(0 < v <= _MOST_DAYS for v in value):
        raise InvalidInputError(
            f"{attribute.name} must hold 4 positive numbers of days (A, B, C, D), each at "
            f"most {_MOST_DAYS:,} (about 292 years, the longest duration pandas holds); "
            f"got {value!r}"
        )


def _four(instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    if len(value) != len(TIERS):
        raise InvalidInputError(f"{attribute.name} must hold 4 entries (A, B, C, D); got {value!r}")


@attrs.frozen(kw_only=True)
class TierPolicy:
    r"""The numbers of Wilson Learning's tiering method: levels, cut-offs, cadence, bands.

    Every field is validated when the record is made; change one with
    ``attrs.evolve``. Tuples run best tier first (A, B, C[, D]) and hottest band first.

    Parameters
    ----------
    levels : tuple of 3 floats, default (1.0, 0.6, 0.3)
        Revenue each of tiers A, B and C should yield, as a fraction of the benchmark
        (D yields nothing). Strictly decreasing, in (0, 1].
    cutoffs : tuple of 2 floats, default (0.8, 0.45)
        Smallest revenue ÷ benchmark of tiers A and B; any positive share below the B
        cut-off is C, and zero is D. Strictly decreasing, in (0, 1].
    cadence_days : tuple of 4 floats, default (30, 90, 90, 180)
        Days between contacts for tiers A, B, C and D, each > 0 and at most 106,751
        (the longest duration pandas holds in nanoseconds).
    channels : tuple of 4 str, default ("call or visit", "call", "call", "email")
        How tiers A, B, C and D are contacted.
    band_names : tuple of str, default ("red", "orange", "yellow", "blue")
        Temperature bands, hottest first; one more than ``band_thresholds``.
    band_thresholds : tuple of floats, default (0.8, 0.5, 0.25)
        Smallest temperature (realised ÷ expected revenue) of every band but the
        coldest. Strictly decreasing, >= 0.

    Raises
    ------
    InvalidInputError
        A field of the wrong length or type, NaN or infinite, out of range or out
        of order, or band names that do not match the thresholds.

    See Also
    --------
    classify_tiers, next_contact, temperature_band

    Notes
    -----
    The levels, cadences and channels are those of Wilson Learning Russia's article on
    raising sales from existing customers. The article states levels, not boundaries;
    our reading puts each cut-off midway between neighbouring levels: :math:`(1 + 0.6)/2
    = 0.8` and :math:`(0.6 + 0.3)/2 = 0.45`, with every buyer below that in C. The
    article names only the red (hot) and blue (near freezing) ends of the temperature
    map; the four bands and their thresholds are our choice.

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> import attrs
    >>> from salescore.tiers import TierPolicy
    >>> policy = TierPolicy()
    >>> policy.cadence("A"), policy.channel("D"), policy.level("B")
    (30.0, 'email', 0.6)
    >>> attrs.evolve(policy, cadence_days=(14, 60, 90, 180)).cadence("A")
    14.0
    >>> TierPolicy(cutoffs=(0.45, 0.8))
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: cutoffs must be strictly decreasing ...
    """

    levels: tuple[float, ...] = attrs.field(
        default=(1.0, 0.6, 0.3),
        converter=attrs.Converter(_numbers, takes_field=True),  # type: ignore[misc]
        validator=_descending(3, low=0.0, high=1.0),
    )
    cutoffs: tuple[float, ...] = attrs.field(
        default=(0.8, 0.45),
        converter=attrs.Converter(_numbers, takes_field=True),  # type: ignore[misc]
        validator=_descending(2, low=0.0, high=1.0),
    )
    cadence_days: tuple[float, ...] = attrs.field(
        default=(30, 90, 90, 180),
        converter=attrs.Converter(_numbers, takes_field=True),  # type: ignore[misc]
        validator=_cadences,
    )
    channels: tuple[str, ...] = attrs.field(
        default=("call or visit", "call", "call", "email"),
        converter=attrs.Converter(_names, takes_field=True),  # type: ignore[misc]
        validator=_four,
    )
    band_names: tuple[str, ...] = attrs.field(
        default=("red", "orange", "yellow", "blue"),
        converter=attrs.Converter(_names, takes_field=True),  # type: ignore[misc]
    )
    band_thresholds: tuple[float, ...] = attrs.field(
        default=(0.8, 0.5, 0.25),
        converter=attrs.Converter(_numbers, takes_field=True),  # type: ignore[misc]
        validator=_descending(None, low=0.0, high=math.inf, low_open=False),
    )

    def __attrs_post_init__(self) -> None:
        if len(self.band_names) != len(self.band_thresholds) + 1:
            raise InvalidInputError(
                "band_names must hold one name more than band_thresholds (the coldest band "
                f"has no threshold); got {len(self.band_names)} names and "
                f"{len(self.band_thresholds)} thresholds"
            )
        if len(set(self.band_names)) != len(self.band_names):
            raise InvalidInputError(f"band_names must be distinct; got {self.band_names!r}")

    def level(self, tier: str) -> float:
        """Revenue a tier should yield as a fraction of the benchmark (0 for D).

        Parameters
        ----------
        tier : {"A", "B", "C", "D"}
            The tier.

        Returns
        -------
        float
            The tier's level.

        Examples
        --------
        >>> import salescore
        >>> salescore.TierPolicy().level("B")
        0.6
        """
        return (*self.levels, 0.0)[_tier_position(tier)]

    def cadence(self, tier: str) -> float:
        """Days between contacts for a tier.

        Parameters
        ----------
        tier : {"A", "B", "C", "D"}
            The tier.

        Returns
        -------
        float
            Days.

        Examples
        --------
        >>> import salescore
        >>> salescore.TierPolicy().cadence("A")
        30.0
        """
        return self.cadence_days[_tier_position(tier)]

    def channel(self, tier: str) -> str:
        """How a tier is contacted.

        Parameters
        ----------
        tier : {"A", "B", "C", "D"}
            The tier.

        Returns
        -------
        str
            The channel.

        Examples
        --------
        >>> import salescore
        >>> salescore.TierPolicy().channel("D")
        'email'
        """
        return self.channels[_tier_position(tier)]


def _tier_position(tier: object) -> int:
    if isinstance(tier, str) and tier in TIERS:
        return TIERS.index(tier)
    raise InvalidInputError(f"tier must be one of 'A', 'B', 'C', 'D'; got {tier!r}")


_DEFAULT_POLICY: Final = TierPolicy()


def _policy(policy: object) -> TierPolicy:
    if not isinstance(policy, TierPolicy):
        raise InvalidInputError(f"policy must be a TierPolicy; got {type(policy).__name__}")
    return policy


# ------------------------------------------------------------------------ labels


def _labels(
    codes: npt.NDArray[np.intp], names: tuple[str, ...], original: object, name: str
) -> Any:
    """Codes (-1 = missing) as a str, an object array or an ordered categorical Series."""
    if isinstance(original, pd.Series):
        categorical = pd.Categorical.from_codes(codes, categories=pd.Index(names), ordered=True)
        return pd.Series(categorical, index=original.index, name=name)
    table = np.array([*names, None], dtype=object)
    labels = table[codes]
    if not isinstance(original, (list, tuple, np.ndarray)) or np.ndim(original) == 0:
        return labels[0]
    return labels


def _codes_from(
    values: Values, thresholds: Sequence[float], *, zero_last: bool
) -> npt.NDArray[np.intp]:
    """Code of the first threshold a value reaches; -1 for NaN.

    With ``zero_last`` a value of 0 gets its own last code and positive values below
    every threshold the one before it (the tiers: C for any buyer, D for none).
    """
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    codes = np.full(array.shape, len(thresholds), dtype=np.intp)
    # Walk thresholds from the lowest up so that the highest reached wins.
    for position in range(len(thresholds) - 1, -1, -1):
        codes[array >= thresholds[position]] = position
    if zero_last:
        codes[array == 0.0] = len(thresholds) + 1
    codes[np.isnan(array)] = -1
    return codes


# ----------------------------------------------------------------- classification
