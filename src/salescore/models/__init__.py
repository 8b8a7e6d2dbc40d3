"""Which customers will buy again? Probabilistic customer-base models.

The models of Fader and Hardie, light and typed: :func:`rfm_summary` turns a
transaction log into each customer's repeat purchases, recency and age
(:func:`compress` folds identical customers into weights); :func:`fit_bgnbd` fits the
BG/NBD model of repeat buying (:class:`BetaGeoModel`: P(alive), expected purchases);
:func:`fit_gamma_gamma` the Gamma-Gamma model of spend per purchase
(:class:`GammaGammaModel`); :func:`model_clv` turns both into a discounted margin per
customer, month by month; and :func:`fit_sbg` fits the shifted-beta-geometric model of
contract renewals (:class:`ShiftedBetaGeoModel`). :func:`load_cdnow_transactions` and
:func:`load_cdnow_summary` load the CDNOW sample the published results use.

The fits need SciPy, which the ``models`` extra installs
(``pip install '.[models]'``); importing this package does not, and a fit
without it raises an ImportError that says so.
"""

from .bgnbd import BetaGeoModel, fit_bgnbd
from .clv import DAYS_PER_MONTH, MAX_MONTHS, PurchaseModel, SpendModel, model_clv
from .data import load_cdnow_summary, load_cdnow_transactions
from .gamma_gamma import GammaGammaModel, fit_gamma_gamma
from .rfm import compress, rfm_summary
from .sbg import ShiftedBetaGeoModel, fit_sbg
from .scoring import score_customers

__all__ = [
    "DAYS_PER_MONTH",
    "MAX_MONTHS",
    "BetaGeoModel",
    "GammaGammaModel",
    "PurchaseModel",
    "ShiftedBetaGeoModel",
    "SpendModel",
    "compress",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_sbg",
    "load_cdnow_summary",
    "load_cdnow_transactions",
    "model_clv",
    "rfm_summary",
    "score_customers",
]
