"""Helpers shared by the grant tests."""

from commissioning.grants import services

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def complete(app, user):
    rnd = app.round
    elig = {str(e.pk): True for e in rnd.eligibility.all()}
    services.application_save(
        actor=user,
        application=app,
        amount_requested="9,500",
        answers={
            "summary": "Youth mentoring in three estates",
            "start": "2031-05-01",
            "area": "City",
        },
        eligibility=elig,
    )
    services.application_attach(
        actor=user, application=app, question_key="budget", name="budget.pdf", data=PDF
    )
