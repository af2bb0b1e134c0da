"""What each audit action means, in plain English: the one mapping from the codes services
record (`audit_record(action=...)`, and `Workflow.apply`'s "<workflow>.<status>") to the words
every page shows. The code itself stays in the event, and on the page behind "Technical
details", for auditors.

`tests/core/test_audit_words.py` collects every code the product can record from the source
and fails if one has no words here. A code with no words (an old one, still in a database)
reads as the code made readable ("Thing: some action"), never as an error.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

#: Every action the product records, by code, as the past tense of what the person did (the
#: page says who). Kept in the order of the apps, each app's codes alphabetically.
ACTIONS: dict[str, str] = {
    # accounts
    "user.create": "Created a user account",
    "user.recovery_codes_renewed": "Renewed their sign-in recovery codes",
    "user.second_factor_set_up": "Set up their second sign-in step (authenticator app)",
    # notifications
    "notification.email_choices": "Chose which notifications are emailed to them",
    "notification.read_all": "Marked their notifications as read",
    "notification.prune": "Removed notifications read long ago",
    # core: background jobs
    "job.failed": "Stopped a background job that could not finish",
    "job.queued": "Started a background job",
    "job.running": "Began running a background job",
    "job.succeeded": "Finished a background job",
    # budgets
    "allocation.cancel": "Cancelled an allocation",
    "allocation.commit": "Committed an allocation",
    "allocation.create": "Recorded an allocation",
    "allocation.vary": "Varied an allocation",
    "budget_line.create": "Added a budget line",
    "financial_year.create": "Added a financial year",
    "finding.explain": "Explained a reconciliation finding",
    "funding_stream.create": "Added a funding stream",
    "ledger.carry": "Carried underspend into the next year on the ledger",
    "ledger.payment": "Recorded a payment on the ledger",
    "ledger.repayment": "Recorded a repayment on the ledger",
    # mtfs
    "mtfs.commitment_create": "Recorded a commitment to draw on a reserve over several years",
    "pool.create": "Recorded a pooled budget",
    "pool.contribute": "Recorded a partner's contribution to a pooled budget",
    "mtfs.scenario_copy": "Copied a medium-term financial strategy scenario",
    "mtfs.scenario_create": "Created a medium-term financial strategy scenario",
    "mtfs.scenario_update": "Changed a medium-term financial strategy scenario",
    "mtfs.stated_record": "Recorded the medium-term financial strategy figures a paper printed",
    "mtfs.year_update": "Changed one year's assumptions in a medium-term financial strategy scenario",
    # formula
    "crime.ingest": "Loaded police.uk crime data",
    "formula_run.adopt": "Adopted a needs-based formula run into the budget",
    "formula_run.create": "Stored a needs-based formula run",
    "harm_weights.create": "Uploaded a table of harm weights",
    "indicator.upload": "Uploaded figures for a formula indicator",
    # grants
    "application.approved": "Approved an application",
    "application.attach": "Attached a file to an application",
    "application.classify": "Corrected the theme and priority of an application",
    "application.declined": "Declined an application",
    "application.in_review": "Screened in an application and sent it to reviewers",
    "application.ineligible": "Screened out an application as not eligible",
    "application.not_recommended": "Recommended that an application is not funded",
    "application.recommended": "Recommended an application for funding",
    "application.reviewed": "Completed the review of an application (every reviewer scored)",
    "application.save": "Saved an application",
    "application.start": "Started an application",
    "application.submitted": "Submitted an application",
    "application.withdrawn": "Withdrew an application",
    "organisation.register": "Registered an organisation",
    "panel.declare": "Declared a panel member's interests in a round",
    "review.declare": "Declared whether a reviewer has a conflict of interest",
    "review.reassign": "Gave a review to another reviewer",
    "review.score": "Scored an application",
    "round.add_criterion": "Added a scoring criterion to a funding round",
    "round.add_eligibility": "Added an eligibility question to a funding round",
    "round.add_question": "Added a question to a funding round's form",
    "round.assign_reviewers": "Assigned reviewers to a funding round's applications",
    "round.change_criterion": "Changed a funding round's scoring criterion",
    "round.change_eligibility": "Changed a funding round's eligibility question",
    "round.change_question": "Changed a question on a funding round's form",
    "round.create": "Created a funding round",
    "round.decide": "Recorded the Commissioner's decision on a funding round",
    "round.eligible": "Chose the organisations a funding round is open to",
    "round.move_criterion": "Reordered a funding round's scoring criteria",
    "round.move_eligibilityquestion": "Reordered a funding round's eligibility questions",
    "round.move_question": "Reordered the questions on a funding round's form",
    "round.publish": "Published a funding round",
    "round.remove_criterion": "Removed a scoring criterion from a funding round",
    "round.remove_eligibilityquestion": "Removed an eligibility question from a funding round",
    "round.remove_question": "Removed a question from a funding round's form",
    "round.update": "Changed a draft funding round",
    # decisions
    "decision.approved": "Approved a decision record for the Commissioner",
    "decision.assessment": "Saved a decision record's Equality Impact Assessment",
    "decision.attach": "Attached a paper to a decision record",
    "decision.create": "Drafted a decision record",
    "decision.link": "Cited allocations or awards in a decision record",
    "decision.not_published": "Determined publication of a decision record: not published",
    "decision.published": "Determined publication of a decision record: published",
    "decision.signed": "Signed a decision record as the Commissioner's decision",
    "decision.unlink": "Removed a cited item from a decision record",
    "decision.update": "Changed a draft decision record",
    # agreements
    "agreement.active": "Accepted an agreement for the partner",
    "agreement.budget_set": "Set an agreement's budget",
    "agreement.cancelled": "Cancelled a draft agreement",
    "agreement.closed": "Closed an agreement",
    "agreement.condition_add": "Added a condition to an agreement",
    "agreement.condition_met": "Marked an agreement's condition as met",
    "agreement.condition_remove": "Removed a condition from an agreement",
    "agreement.draft": "Drafted an agreement",
    "agreement.issued": "Issued an agreement to the partner",
    "agreement.outcome_add": "Added an outcome to an agreement",
    "agreement.outcome_remove": "Removed an outcome from an agreement",
    "agreement.update": "Changed a draft agreement",
    "payment.approved": "Approved a payment",
    "payment.cancelled": "Cancelled a payment",
    "payment.in_advance": "Agreed to pay an instalment in advance",
    "payment.paid": "Recorded a payment as paid",
    "payment.requested": "Requested a payment",
    "payment.scheduled": "Scheduled a payment",
    "return.accepted": "Accepted a monitoring return",
    "return.attach": "Attached a file to a monitoring return",
    "return.reminder_after": "Sent a reminder that a monitoring return is late",
    "return.reminder_before": "Sent a reminder that a monitoring return is due soon",
    "return.returned": "Returned a monitoring return for changes",
    "return.save": "Saved a monitoring return",
    "return.submitted": "Submitted a monitoring return",
    "spending.import": "Imported spending from the finance system",
    "spending.withdraw": "Withdrew an import of spending",
    "variation.approved": "Approved a variation of an agreement",
    "variation.declined": "Declined a variation of an agreement for the partner",
    "variation.propose": "Proposed a variation of an agreement",
    "variation.rejected": "Rejected a variation of an agreement",
    "variation.signed": "Signed a variation of an agreement for the partner",
    # cohorts
    "cohort.delete": "Deleted a reoffending cohort file's records at their retention date",
    "cohort.download": "Downloaded reoffending cohort measures",
    "cohort.link": "Linked a reoffending cohort to an agreement's outcome",
    "cohort.upload": "Uploaded a reoffending cohort file",
    "cohort.view": "Viewed reoffending cohort measures",
    "cohort.view_pack": "Viewed reoffending measures in the Police and Crime Panel's pack",
    "cohort.view_records": "Viewed reoffending cohort records, person by person",
    # yearend
    "pot.create": "Set up the next year's central pot",
    "receivable.raise": "Raised an amount a partner owes back",
    "receivable.repaid": "Recorded a partner's repayment",
    "underspend.collect": "Collected underspend into the next year's central pot",
    # examples
    "example.load": "Loaded the example data",
}

#: Where one status change reads differently depending on the status it came from (the
#: workflow records `before={"status": ...}`): (code, previous status) to words.
FROM_STATUS: dict[tuple[str, str], str] = {
    ("agreement.draft", "issued"): "Withdrew an issued agreement to amend it",
    ("payment.scheduled", "requested"): "Sent a payment request back",
    ("return.submitted", "returned"): "Submitted a monitoring return again",
}


#: The heading each kind of action is listed under, by the code's first part.
GROUPS: dict[str, str] = {
    "user": "People and sign-in",
    "notification": "People and sign-in",
    "financial_year": "Budgets and the ledger",
    "funding_stream": "Budgets and the ledger",
    "budget_line": "Budgets and the ledger",
    "allocation": "Budgets and the ledger",
    "ledger": "Budgets and the ledger",
    "finding": "Budgets and the ledger",
    "pool": "Budgets and the ledger",
    "mtfs": "Medium-term financial strategy",
    "crime": "Needs-based formula",
    "harm_weights": "Needs-based formula",
    "indicator": "Needs-based formula",
    "formula_run": "Needs-based formula",
    "organisation": "Funding rounds and applications",
    "round": "Funding rounds and applications",
    "application": "Funding rounds and applications",
    "review": "Funding rounds and applications",
    "panel": "Funding rounds and applications",
    "decision": "Decision records",
    "agreement": "Agreements, payments and returns",
    "payment": "Agreements, payments and returns",
    "return": "Agreements, payments and returns",
    "variation": "Agreements, payments and returns",
    "spending": "Agreements, payments and returns",
    "cohort": "Reoffending cohorts",
    "pot": "Year end",
    "underspend": "Year end",
    "receivable": "Year end",
    "job": "Background jobs and example data",
    "example": "Background jobs and example data",
}
OTHER = "Other"


def group_of(code: str) -> str:
    """The heading `code` is listed under."""
    return GROUPS.get(str(code).partition(".")[0], OTHER)


def readable(code: str) -> str:
    """A code with no words, made readable: "funding_pot.top_up" reads "Funding pot: top up"."""
    thing, _, what = str(code).partition(".")
    thing = thing.replace("_", " ").strip()
    what = what.replace("_", " ").replace(".", " ").strip()
    if not what:
        return thing.capitalize() or "Unknown action"
    return f"{thing.capitalize()}: {what}" if thing else what.capitalize()


def action_words(code: str, before: Any = None) -> str:
    """What the action `code` means in plain English. `before` (the event's before) tells a
    status change apart by where it came from; a code with no words reads as `readable`."""
    if isinstance(before, dict) and isinstance(before.get("status"), str):
        words = FROM_STATUS.get((code, before["status"]))
        if words:
            return words
    return ACTIONS.get(code) or readable(code)


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every known action as (code, words), grouped under `GROUPS`' headings in their order
    and by words within a group: the choices of a filter. A code whose words depend on the
    status it came from names each reading ("Drafted an agreement, or withdrew ...")."""
    grouped: dict[str, list[tuple[str, str]]] = {heading: [] for heading in GROUPS.values()}
    for code, words in ACTIONS.items():
        others = [w for (c, _), w in FROM_STATUS.items() if c == code]
        label = ", or ".join([words, *(w[:1].lower() + w[1:] for w in others)])
        grouped.setdefault(group_of(code), []).append((code, label))
    return [
        (heading, sorted(options, key=lambda o: (o[1].lower(), o[0])))
        for heading, options in grouped.items()
        if options
    ]


def kind_words(object_type: str) -> str:
    """What kind of thing an event is about, in words: "decisions.DecisionRecord" reads
    "Decision record" (a model that no longer exists reads as its label)."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return str(object_type)
    return str(model._meta.verbose_name).capitalize()
