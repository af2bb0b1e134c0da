"""The OPCC's words, explained once: the glossary page, and the anchor each page links a term
to where it first appears (`{% url 'glossary' %}#indicative`)."""

from __future__ import annotations

# (anchor, term, what it means), in the order a newcomer meets them.
TERMS: tuple[tuple[str, str, str], ...] = (
    (
        "opcc",
        "OPCC",
        "The Office of the Police and Crime Commissioner: the staff who work for "
        "the Commissioner (PCC), elected to hold the police to account and to commission "
        "services that cut crime and support victims.",
    ),
    (
        "plan",
        "Police and Crime Plan",
        "The Commissioner's plan for the term: its themes, the "
        "strategic priorities under each theme (SP1 to SP17 here) and the commissioning "
        "intentions (CI001 to CI011) that say what will be bought.",
    ),
    (
        "pot",
        "Pot, funding stream",
        "The year's money for commissioning is the pot: the sum "
        "of its funding streams (a Home Office grant, a transfer, a draw from a reserve, "
        "underspend of the year before).",
    ),
    (
        "mechanism",
        "Funding mechanism",
        "How money reaches a partner: direct commissioning, "
        "co-commissioning with other commissioners or with Community Safety Partnerships, the "
        "Partnership Locality Fund, the PCC Grant, an innovation fund, re-offered underspend.",
    ),
    (
        "capped-line",
        "Budget line, capped line",
        "Money of the pot set aside for one "
        "mechanism. A capped line refuses any commitment that would take it over its amount.",
    ),
    (
        "reserve",
        "Reserve",
        "Money held back from the year's pot (or drawn from the "
        "Commissioner's reserves into it): counted neither as committed nor as available.",
    ),
    (
        "indicative",
        "Indicative",
        "An allocation planned but not yet agreed: it counts "
        "against what is available, but no money is owed until it is committed.",
    ),
    (
        "in-kind",
        "Support in kind",
        "Staff time or services a partner gives instead of money, "
        "recorded at a stated value beside the allocations. It is not cash: it is left out of "
        "the pot's totals, never paid, and shown on its own.",
    ),
    (
        "pooled-budget",
        "Pooled budget",
        "A budget several partners (the PCC, councils, health) pay into for one purpose, held by "
        "one of them. Awards from it are paid like any grant but are the pool's money: the "
        "PCC's part is counted once, as the allocation that pays its contribution, and each "
        "partner's share of what is spent and unspent is in proportion to what it committed.",
    ),
    (
        "committed",
        "Committed",
        "An allocation the OPCC has agreed to pay: it is in the "
        "ledger as a commitment, and an agreement with the partner carries it.",
    ),
    (
        "ledger",
        "Ledger",
        "The record of every allocation's money by period. Entries are "
        "never changed: a change is a reversal of the old entries and new ones, so the history "
        "stays.",
    ),
    (
        "transition-rule",
        "Transition rule",
        "A rule for moving partners from last year's "
        "funding to this year's, such as \u201c50% of each partner's prior-year funding for the first "
        "six months\u201d, previewed before it is applied.",
    ),
    (
        "csp",
        "CSP",
        "Community Safety Partnership: the council, police and others working "
        "together on crime in a district, as the law requires. Each receives a share of the "
        "Partnership Locality Fund.",
    ),
    (
        "plf",
        "PLF",
        "Partnership Locality Fund: the money shared among the Community Safety "
        "Partnerships by the needs-based formula (crime harm, crime rate and population).",
    ),
    (
        "rag",
        "RAG",
        "Red, amber or green: the officer's rating of a monitoring return "
        "(green on track, amber at risk, red off track).",
    ),
    (
        "outturn",
        "Outturn",
        "At the year end, what happened to each allocation: awarded, "
        "varied, paid, spent as the partner reported, and unspent.",
    ),
    (
        "central-pot",
        "Central pot",
        "Underspend collected at the year end from the "
        "partners' allocations, carried into the next year as a funding stream and capped "
        "budget line, and re-offered to partners through a further round.",
    ),
    (
        "carried",
        "Carried",
        "Money released from an allocation at the year end into the "
        "next year's central pot. The year it left shows it as carried, so it is not counted "
        "as available twice.",
    ),
    (
        "receivable",
        "Owed back",
        "Money paid to a partner in advance that it did not "
        "spend: recorded as owed back, and marked when it is repaid.",
    ),
    (
        "panel",
        "Police and Crime Panel",
        "Councillors and independent members who scrutinise "
        "the Commissioner; not the review panel that recommends grant awards.",
    ),
)
