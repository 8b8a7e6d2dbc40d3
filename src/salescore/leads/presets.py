"""Decay curves calibrated on the published lead-response studies.

Each curve reproduces the odds ratios of its study and shows its derivation below.
The studies report ratios only, not base rates, so pair a curve with your own rate at
its reference time in :func:`~salescore.leads.decay.contact_probability`. Two rules
hold for every preset:

* the figures are read as odds ratios, as the MIT study states them (the HBR figures
  say "as likely"; at the qualification rates of a few percent those studies saw,
  odds and probability ratios nearly coincide);
* a preset never extrapolates beyond the times its study measured: it is flat before
  the first and after the last. A longer tail would be a guess; change it with
  ``attrs.evolve`` if you have data of your own, or fit one with
  :func:`~salescore.leads.fit.fit_decay`.

Sources: J. B. Oldroyd, "The Lead Response Management Study", MIT and InsideSales.com,
2007 (over 15,000 leads and 100,000 call attempts; LeadResponseManagement.org); J. B.
Oldroyd, K. McElheran and D. Elkington, "The Short Life of Online Sales Leads", Harvard
Business Review, March 2011 (1.25 million leads at 42 US companies); Nutshell's article
on the sales metrics a sales manager should track (Norwegian edition), which quotes the
first. See Sources in the documentation.

Each preset reproduces its figures, for example:

>>> from salescore.leads.presets import MIT2007_CONTACT, MIT2007_QUALIFY
>>> MIT2007_CONTACT.multiplier(5) / MIT2007_CONTACT.multiplier(30)
100.0
>>> MIT2007_QUALIFY.multiplier([5, 10, 30])
array([1.        , 0.25      , 0.04761905])
"""

from __future__ import annotations

import math
from typing import Final

from .decay import PiecewiseDecay, PowerLawDecay

__all__ = ["HBR2011_QUALIFY", "MIT2007_CONTACT", "MIT2007_QUALIFY"]

MIT2007_CONTACT: Final = PowerLawDecay(
    exponent=math.log(100.0) / math.log(6.0), reference=5.0, floor=5.0, ceiling=30.0
)
r"""Odds of *contacting* a lead: 100× higher within 5 minutes than at 30 (MIT, 2007).

Derivation:

1. The study: the odds of contacting a lead called within 5 minutes are 100 times
   those of one called at 30 minutes, so :math:`m(5) / m(30) = 100`.
2. One figure fixes one parameter. A power law :math:`m(t) = (t/5)^{-k}` is the
   shape the study's qualification figures support (see :data:`MIT2007_QUALIFY`),
   so :math:`6^k = 100` and :math:`k = \ln 100 / \ln 6 \approx 2.570`.
3. Reference and floor 5 minutes: the study reports "within 5 minutes" as one
   bucket, so a faster response counts as 5 minutes. Ceiling 30 minutes: the curve
   stays at :math:`1/100` after the last time the study reports.
4. Check: :math:`m(30) = 6^{-2.570} = 0.01`. At 10 minutes :math:`m(10) = 2^{-2.570}
   \approx 0.168`: odds already about 6× lower, Nutshell's "the chance falls
   markedly by 10 minutes".
5. Nutshell's article quotes the same study as "more than 5 times as likely" to reach the
   lead. In probabilities, :math:`p(5)/p(30) = b + 100(1 - b) = 100 - 99b` for a base
   rate :math:`b` at 5 minutes, which exceeds 5 for every :math:`b < 95/99 \approx
   0.96`: the two statements agree.
"""

MIT2007_QUALIFY: Final = PiecewiseDecay(times=(5.0, 10.0, 30.0), multipliers=(1.0, 1 / 4, 1 / 21))
r"""Odds of *qualifying* a lead: 4× higher at 5 than 10 minutes, 21× than 30 (MIT, 2007).

Derivation:

1. The study: the odds of qualifying a lead called within 5 minutes are 4 times
   those at 10 minutes and 21 times those at 30 minutes.
2. No single curve of the simple shapes fits both: an exponential would need
   half-lives of 2.5 and 5.7 minutes, a power law exponents of
   :math:`\ln 4 / \ln 2 = 2` and :math:`\ln 21 / \ln 6 \approx 1.70`. The best
   power law in the least-squares sense on the log odds,
   :math:`k = (\ln 2 \ln 4 + \ln 6 \ln 21) / (\ln^2 2 + \ln^2 6) \approx 1.738`,
   gives 3.3× and 22.5×.
3. So the curve runs through the three points instead: knots at 5, 10 and 30
   minutes with multipliers 1, 1/4 and 1/21, reference 5 minutes. Both figures are
   reproduced exactly; between the knots the odds fall log-linearly.
4. Flat before 5 minutes (the study's first bucket) and after 30 minutes (its last
   figure). For a smooth curve that keeps falling, use
   ``PowerLawDecay(exponent=1.738, reference=5, floor=5)`` and accept the 3.3× and
   22.5× it gives.
"""

HBR2011_QUALIFY: Final = PiecewiseDecay(
    times=(60.0, 120.0, 1440.0), multipliers=(1.0, 1 / 7, 1 / 60)
)
r"""Odds of *qualifying* a lead by the hour: 7× within an hour, 60× against a day (HBR, 2011).

Derivation:

1. The article: firms that tried to contact a lead within an hour were nearly 7
   times as likely to qualify it as those that tried an hour later, and more than 60
   times as likely as those that waited 24 hours or longer.
2. Times, our reading: "within an hour" is the first hour, taken at its end, 60
   minutes (the reference); "an hour later" is the second hour, at its end, 120
   minutes; "24 hours or longer" starts at 1,440 minutes. "Nearly 7" is taken as 7
   and "more than 60" as 60, so the loss is if anything understated.
3. Knots at 60, 120 and 1,440 minutes with multipliers 1, 1/7 and 1/60. A power law
   cannot fit both figures: :math:`\ln 7 / \ln 2 \approx 2.81` against
   :math:`\ln 60 / \ln 24 \approx 1.29`.
4. Flat within the first hour, which the article does not resolve (use
   :data:`MIT2007_QUALIFY` for minutes), and after 24 hours.
"""
