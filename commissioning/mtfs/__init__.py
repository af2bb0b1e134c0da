"""Money in: the medium-term financial strategy (MTFS). Scenarios of a base year and each
following year's assumptions, computed into income, expenditure and the funding gap
(`calc.py`, pure), precept options, and the papers' printed figures reconciled against them
(`reconcile.py`, pure)."""
