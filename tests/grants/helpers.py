"""Helpers shared by the grant tests."""

from commissioning.grants import services
from tests.pdfs import PDF


def complete(app, user):
    rnd = app.round
    elig = {str(e.pk): True for e in rnd.eligibility.all()}
    services.application_save(
        actor=user,
        application=app,
        amount_requested="9,500",
        answers={
            "summary": "Youth mentoring in three estates",
            "start-date": "2031-05-01",
            "area": "City",
        },
        eligibility=elig,
    )
    services.application_attach(
        actor=user, application=app, question_key="budget", name="budget.pdf", data=PDF
    )


def screened_in(rnd, officer, user_with, count, *, prefix="org"):
    """`count` applications of £9,500 from as many organisations, submitted and screened in,
    each with the organisation's partner user: [(application, user), ...]."""
    from commissioning.core.roles import Role
    from commissioning.organisations.models import Organisation

    made = []
    for i in range(count):
        org = Organisation.objects.create(
            key=f"{prefix}-{i}", name=f"{prefix.title()} {i}", kind="charity"
        )
        user = user_with(Role.PARTNER, organisation=org)
        user.email = f"{prefix}-{i}@example.org"
        user.save()
        app = services.application_start(actor=user, round=rnd, title=f"Project {i}")
        complete(app, user)
        services.application_submit(actor=user, application=app)
        services.application_screen(
            actor=officer, application=app, eligible=True, reason="Eligible"
        )
        made.append((app, user))
    return made


def score(assignment, values, comment="Scored"):
    """Declare no conflict, then score the round's criteria in order with `values`."""
    from commissioning.grants import review

    review.conflict_declare(actor=assignment.reviewer, assignment=assignment, has_conflict=False)
    criteria = list(assignment.application.round.criteria.all())
    review.scores_submit(
        actor=assignment.reviewer,
        assignment=assignment,
        scores={c.pk: (v, f"{comment} {v}") for c, v in zip(criteria, values, strict=True)},
    )
