"""score_customers on pandas: the models' own scores, added as columns, nothing else changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.errors import InvalidInputError, SchemaError
from salescore.models import BetaGeoModel, GammaGammaModel, model_clv, score_customers

# The CDNOW estimates of Fader, Hardie and Lee (2005) and of Fader and Hardie's
# Gamma-Gamma note (p = 6.25, q = 3.74, v = 15.44).
BGNBD = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
GAMMA_GAMMA = GammaGammaModel(p=6.25, q=3.74, v=15.44)


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "frequency": [0, 2, 5, 1],
            "recency": [0.0, 30.43, 35.0, 5.0],
            "T": [38.86, 38.86, 36.0, 30.0],
            "monetary_value": [0.0, 25.0, 40.0, 12.0],
            "region": ["N", "S", "N", "E"],
        },
        index=pd.Index(["a", "b", "c", "d"], name="customer_id"),
    )


def test_the_scores_are_the_models_own() -> None:
    customers = _customers()
    before = customers.copy()
    scored = score_customers(
        customers, BGNBD, t=39, gamma_gamma=GAMMA_GAMMA, months=12, discount_rate=0.01
    )
    pd.testing.assert_frame_equal(customers, before)  # the input is not changed
    pd.testing.assert_frame_equal(scored[list(customers.columns)], customers)
    x, tx, age, value = (customers[c] for c in ("frequency", "recency", "T", "monetary_value"))
    pd.testing.assert_series_equal(
        scored["probability_alive"], BGNBD.probability_alive(x, tx, age), check_names=False
    )
    pd.testing.assert_series_equal(
        scored["expected_purchases"],
        BGNBD.conditional_expected_purchases(39, x, tx, age),
        check_names=False,
    )
    pd.testing.assert_series_equal(
        scored["expected_value"],
        GAMMA_GAMMA.conditional_expected_value(x, value),
        check_names=False,
    )
    clv = model_clv(BGNBD, GAMMA_GAMMA, x, tx, age, value, months=12, discount_rate=0.01)
    pd.testing.assert_series_equal(scored["clv"], clv, check_names=False)
    # Fader, Hardie and Lee's worked example: x = 2, t_x = 30.43, T = 38.86 expects
    # 1.226 purchases in the next 39 weeks.
    assert scored.loc["b", "expected_purchases"] == pytest.approx(1.226, abs=5e-4)


@given(t=st.floats(0.0, 520.0), more=st.floats(0.0, 520.0))
def test_expected_purchases_grow_with_the_horizon(t: float, more: float) -> None:
    near = score_customers(_customers(), BGNBD, t=t)["expected_purchases"]
    far = score_customers(_customers(), BGNBD, t=t + more)["expected_purchases"]
    assert (near >= 0).all()
    assert (far >= near - 1e-12 * far).all()


def test_only_the_asked_columns_are_added() -> None:
    scored = score_customers(_customers(), BGNBD)
    assert list(scored.columns) == [*_customers().columns, "probability_alive"]
    assert scored["probability_alive"].between(0.0, 1.0).all()


def test_refusals() -> None:
    customers = _customers()
    with pytest.raises(SchemaError, match=r"missing column 'age'"):
        score_customers(customers, BGNBD, T="age")
    with pytest.raises(SchemaError, match=r"must be numeric: 'region'"):
        score_customers(customers, BGNBD, frequency="region")
    with pytest.raises(SchemaError, match=r"already has 'probability_alive'"):
        score_customers(customers.assign(probability_alive=np.nan), BGNBD)
    with pytest.raises(InvalidInputError, match=r"months and discount_rate go together"):
        score_customers(customers, BGNBD, gamma_gamma=GAMMA_GAMMA, discount_rate=0.01)
    with pytest.raises(InvalidInputError, match=r"need gamma_gamma"):
        score_customers(customers, BGNBD, months=12, discount_rate=0.01)
    with pytest.raises(InvalidInputError, match=r"bgnbd must be a model"):
        score_customers(customers, "BGNBD")
    with pytest.raises(InvalidInputError, match="recency"):
        score_customers(customers.assign(recency=customers["T"] + 1.0), BGNBD)
