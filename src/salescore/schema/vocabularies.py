"""The vocabularies of the canonical tables: the values a column of fixed choices allows.

Deal statuses, forecast categories, ISO 4217 currency codes, account tiers and activity
kinds are defined here, at the foundation, and nowhere else: the canonical tables
(:data:`salescore.schema.TABLES`) allow them, and the domain packages take them from
here (:class:`~salescore.pipeline.Deal` accepts these statuses, categories and codes,
:mod:`salescore.tiers` ranks these tiers, :mod:`salescore.team` reports these activity
kinds), so that a vocabulary cannot differ between the check of a table and the
calculation that reads it. This module holds values only; reading a vendor's spelling
of them is the business of the packages that read CRM data.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACTIVITY_KINDS",
    "CURRENCIES",
    "FORECAST_CATEGORIES",
    "STATUSES",
    "TIERS",
    "WITHDRAWN_CURRENCIES",
]

#: Deal statuses of the canonical deals table.
STATUSES: Final = ("open", "won", "lost")

#: Canonical forecast categories, from least to most certain (``omitted`` is left out of
#: every forecast). ``most_likely`` exists only where a CRM enables it.
FORECAST_CATEGORIES: Final = ("omitted", "pipeline", "best_case", "most_likely", "commit", "closed")

#: ISO 4217 List One (currency, fund and precious-metal codes) as maintained by the
#: agency, SIX, through amendment 179 (XAD added, effective 12 May 2025). Recently
#: withdrawn codes are not in it but in WITHDRAWN_CURRENCIES below: HRK (euro, 2023),
#: SLL (redenominated to SLE, 2023), ZWL (replaced by ZWG, 2024), CUC (withdrawn 2021,
#: moved to List Three by amendment 178) and ANG (replaced by XCG, legal tender until
#: 30 June 2025). Update this set when an amendment adds or withdraws a code.
CURRENCIES: Final = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
    SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND
    VUV WST XAD XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER
    ZAR ZMW ZWG
    """.split()  # noqa: SIM905 - a table of codes reads better than 179 quoted strings
)

#: Codes withdrawn since 1999 that old deals in a CRM may still carry: an old deal in
#: kuna was worth kuna. They are accepted so that history can be loaded; converting it
#: is the caller's business (salescore never mixes currencies in one calculation).
WITHDRAWN_CURRENCIES: Final = frozenset(
    """
    ANG ATS BEF BYR CUC CYP DEM EEK ESP FIM FRF GHC GRD HRK IEP ITL LTL LUF LVL MGF MRO
    MTL MZM NLG PTE ROL SDD SIT SKK SLL SRG STD TMM TRL VEB VEF XFO XFU YUM ZMK ZWD ZWL ZWR
    """.split()  # noqa: SIM905 - a table of codes reads better than quoted strings
)

#: The account tiers of the canonical accounts table, the best tier (A) first.
TIERS: Final = ("A", "B", "C", "D")

#: The activity kinds of the canonical activities table.
ACTIVITY_KINDS: Final = ("call", "visit", "email", "meeting")
