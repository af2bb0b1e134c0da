"""Who may see and upload reoffending cohorts: criminal-offence data under UK GDPR article 10.

Only two roles see cohort data, record by record and unsuppressed: commissioning officers, who
upload the files and use the measures, and the Chief Executive, who as Monitoring Officer
answers for how the office handles personal data. The PCC, the CFO, reviewers, panel members
and partners do not: what they need is the aggregate measures with small counts withheld
(`selectors.cohort_summary`), which other pages (the Panel pack) show. Only commissioning
officers upload files and link a cohort to an agreement's outcome. The deletion of uploads
past their retention date is the product's own (`core.system`), run by the daily job.
"""

from __future__ import annotations

from commissioning.core.permissions import role_rule
from commissioning.core.roles import Role

VIEW = "cohorts.view"
MANAGE = "cohorts.manage"

role_rule(
    VIEW,
    [Role.COMMISSIONING_OFFICER, Role.CHIEF_EXECUTIVE],
    "commissioning officers and the Chief Executive (Monitoring Officer) see cohort data",
    "only commissioning officers and the Chief Executive see reoffending cohort data",
)
role_rule(
    MANAGE,
    [Role.COMMISSIONING_OFFICER],
    "commissioning officers upload cohort files and link cohorts to outcomes",
    "only commissioning officers upload cohort files and link cohorts to outcomes",
)
