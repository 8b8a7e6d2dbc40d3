"""Sample data: a synthetic CRM to try every table function on, made from a seed.

:func:`sample` builds the tables a sales manager's CRM would export for a fictitious
business-to-business seller — deals with their stage history, accounts, leads,
activities and the customers' invoices — over the calendar years 2024 and 2025, seen
on 1 January 2026 (``as_of``, the data set's "today"). Nothing is downloaded, and the
data depend on nothing but the ``seed`` argument: the same ``seed`` gives the same
tables. All amounts are in euros; all timestamps are naive.

The tables hang together the way a real extract does. Customers pay a subscription,
invoiced every month at a twelfth of its yearly value: the value of the won deal that
made them customers, of the renewal deal that renewed it, plus the won upsells. So the
deals won in a year and the invoices of that year agree in scale, every invoice of a
customer won in the extract follows from its deals, and each account's revenue in 2025
(``annual_revenue``) and 2024 (``previous_revenue``) is the sum of its invoices. Deals
move through Prospecting, Qualification, Proposal and Negotiation to Closed Won or
Closed Lost, and the stage history records every step.

The assumptions, and why:

* **Accounts** (1,500): small, medium, large and enterprise (45, 30, 18 and 7 %), in
  four regions and seven industries. What an account could spend a year, its
  potential, is set by its size (10,000, 22,000, 42,000 and 66,000), scaled by
  industry (0.75 to 1) and region (0.96 to 1) and varied by ±5 % per account.
  Customers realise a Beta(30, 5) share of it (86 % on average), so accounts that
  resemble each other bring similar revenue, as lookalike tiers assume. 35 to 85 %
  of the accounts, more of the bigger ones, were customers before 2024 (their
  current term began in 2023); the others become customers when they win a
  new-business deal. Small and medium public-sector accounts never buy (tier D).
  Eight enterprise customers realise 3 to 10 % (blue A accounts). Enterprise
  accounts are contacted every 18 days on average, small ones every 70, prospects
  less often; 4 % are forgotten for 100 to 400 days.
* **Contracts**: most customers (half the small ones, all enterprise ones) sign for a
  year. A renewal deal opens 45 to 100 days before each anniversary; 78, 84, 88 and
  92 % of small, medium, large and enterprise customers renew, a little dearer (up to
  5 %) plus the term's upsells, and a customer that does not renew leaves on the
  anniversary. 8 % of the older yearly customers renew 25 to 65 % smaller in 2025.
  The others pay month to month and cancel with a chance of 2 % a month. About one
  customer in six is lost in a year: an annual retention of 80 to 90 %, an expected
  lifetime of five to seven years, and cohorts that thin out quarter by quarter.
* **Deals** (5,000): new business to prospects (about half), renewals (one per
  anniversary reached, about a fifth) and upsells to customers (the rest), created on working days
  from September 2023, so that January 2024 starts with a pipeline (deals closed
  before 2024 are not in the extract), 30 % more per day at the end than at the start
  and fewer in July, August and December. A deal leaves each stage for the next with
  probability 0.55, 0.6, 0.6 and 0.65, raised for upsells and referrals and lowered
  for cold outreach, as Nutshell's article on sales metrics says (existing customers
  buy far more readily than new prospects): about one new-business deal in ten is won,
  four upsells in ten, and most renewals. An account that signs gets no more
  new-business deals. Days in a stage are gamma distributed (shape 2, means 15, 25,
  35 and 30), 0.8 to 1.7 times longer the bigger the account; a renewal's stages share
  the time to the anniversary. New business is worth the account's yearly spend
  (potential × realised share), an upsell 5 to 15 % of the potential. Probabilities
  are EspoCRM's stage defaults (0.1, 0.2, 0.5, 0.8; 0.6 to 0.9 for renewals), moved
  by 0.05 or 0.1 for a third of the open deals. Losses are to price, a competitor,
  no budget, no decision, timing or product fit (4 % without a reason); in August
  2024 a competitor's new offer takes a third of the deals about to be won and 70 %
  of the losses, fading over six months (the loss-reason example of Nutshell's
  article).
* **Leads** (10,000): most arrive in office hours on working days, from six sources.
  Each seller makes a first attempt after a log-normal wait (medians 5 to 60 minutes
  by seller); a lead that arrives outside 09:00-17:00 waits for the next opening, so
  response times are right-skewed. The odds of reaching the lead fall with the wait
  as a power law with exponent 0.8, the shape :func:`~salescore.fit_decay` fits, and
  only a reached lead converts, so conversion falls with response time as Nutshell's
  article says. About 2 % convert, as many as the inbound and referral deals won,
  each worth what such a deal is (a median of 16,000). 3 % of leads are never
  attempted.
* **Activities** (about 90,000): calls, emails, meetings and visits, Poisson per
  seller and week around each seller's habits, fewer in holiday months; targets are
  50 calls, 50 emails, 8 meetings and 4 visits a week.
* **Team**: eight sellers, the eighth hired on 1 July 2024 (``headcount`` is 7 until
  June 2024, then 8).

For example:

>>> from salescore.datasets import sample
>>> crm = sample()
>>> crm.as_of, len(crm.deals), len(crm.accounts), len(crm.leads)
(Timestamp('2026-01-01 00:00:00'), 5000, 1500, 10000)
>>> sorted(crm.deals["status"].unique())
['lost', 'open', 'won']
"""

from .crm import SampleCRM, sample

__all__ = ["SampleCRM", "sample"]
