"""Pages for grant rounds, by audience: applicants (`applicant`), reviewers, the panel and the
PCC (`review`), and officers setting rounds up and screening (`setup`)."""
