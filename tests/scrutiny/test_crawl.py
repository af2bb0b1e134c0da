"""A Police and Crime Panel member signs in and follows every link from their home page, over
the example with its agreements, returns and payments (2016/17): breadth first, on this site,
GET only, up to a few hundred pages (and at most a few of each kind of page: every allocation's
page is one kind). Nothing answers with a server error; no page, download or PDF shows a draft
decision's reference, an application or its applicant, an email address, the name of anyone
who works for a partner, what a monitoring return says in words, or a reoffending cohort's
pseudonym (the pack shows the cohort's aggregate measures only); and the pages that hold
personal data answer 403 or 404."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections import Counter, deque
from decimal import Decimal as D
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from commissioning.accounts.models import User
from commissioning.accounts.services import demo_users_ensure
from commissioning.agreements.models import Agreement, MonitoringReturn
from commissioning.budgets.models import Allocation, BudgetLine
from commissioning.cohorts import demo as cohorts_demo
from commissioning.cohorts import services as cohorts
from commissioning.core.roles import Role
from commissioning.decisions import services as decisions
from commissioning.decisions.models import DecisionRecord
from commissioning.examples import agreements_demo
from commissioning.grants.models import Application, Round
from commissioning.organisations.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db

MAX_PAGES = 400
MAX_PER_KIND = 15
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")
PSEUDONYM = re.compile(r"SYN-[AY]\d{4}")  # the synthetic cohort file's


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def text_of(response) -> str:
    """What a person could read in the response: the page, or the download's contents."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("application/pdf"):
        if shutil.which("pdftotext") is None:
            return ""
        return subprocess.run(
            ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
        ).stdout.decode()
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c
        )
    return body.decode("utf-8", "replace")


def kind_of(path: str) -> str:
    try:
        return resolve(path).url_name or path
    except Resolver404:
        return path


@pytest.fixture
def example(db, monkeypatch, officer):
    """The 2016/17 example activity (the year the demo leaves needing attention); a draft
    decision; an application by an organisation that has nothing else in the product; and a
    reoffending cohort file measuring 2016/17."""
    monkeypatch.setattr(agreements_demo, "YEARS", ("2016/17",))
    demo_users_ensure()
    assert agreements_demo.agreements_ensure() > 0
    draft = decisions.record_create(actor=officer, title="Unpublished youth diversion contract")
    applicant_org = Organisation.objects.create(
        key="zephyr-youth-trust", name="Zephyr Youth Trust", kind=OrganisationKind.CHARITY
    )
    applicant = User.objects.create_user(
        username="quentin",
        password="x-test-password",
        first_name="Quentin",
        last_name="Applicant",
        email="quentin@zephyr.invalid",
        organisation=applicant_org,
    )
    applicant.groups.add(Group.objects.get(name=Role.PARTNER))
    line = BudgetLine.objects.filter(is_reserve=False).first()
    now = timezone.now()
    rnd = Round.objects.create(
        reference="crawl-round",
        title="Crawl round",
        mechanism=line.mechanism,
        year=line.year,
        budget_line=line,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now - dt.timedelta(days=1),
        maximum_award=D("10000"),
        published=True,
    )
    application = Application.objects.create(
        round=rnd,
        organisation=applicant_org,
        reference="CRAWL-1",
        title="Zephyr night-time outreach",
        status="in_review",
        submitted_at=now - dt.timedelta(days=2),
        created_by=applicant,
    )
    cohort_upload = cohorts.cohort_upload(
        actor=officer,
        name="Crawl cohorts",
        period_label="2016/17",
        filename="cohorts.csv",
        content=cohorts_demo.synthetic_file(),
        synthetic=True,
    )
    return {
        "draft": draft,
        "application": application,
        "applicant": applicant,
        "cohorts": cohort_upload,
    }


def crawl(client, seeds: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    seen: dict[str, int] = {}
    texts: dict[str, str] = {}
    per_kind: Counter[str] = Counter()
    queue = deque(seeds)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        path = urlsplit(url).path
        kind = kind_of(path)
        if per_kind[kind] >= MAX_PER_KIND and url not in seeds:
            continue
        per_kind[kind] += 1
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200:
            continue
        texts[url] = text_of(response)
        if response.get("Content-Type", "").startswith("text/html"):
            parser = Links()
            parser.feed(texts[url])
            for href in parser.hrefs:
                target, _ = urldefrag(urljoin(url, href))
                parts = urlsplit(target)
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue  # another site, mailto: and the like
                if parts.path.startswith("/static/"):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in seen:
                    queue.append(target)
    return seen, texts


def test_the_police_and_crime_panel_sees_no_personal_data_and_no_draft(client, user_with, example):
    member = user_with(Role.POLICE_CRIME_PANEL)
    client.force_login(member)
    seen, texts = crawl(client, [reverse("home"), reverse("scrutiny")])

    assert len(seen) >= 60, f"the crawl reached only {len(seen)} pages"
    errors = {u: s for u, s in seen.items() if s >= 500}
    assert errors == {}
    # the Panel's own pages were among them, the PDF pack and the year pages too
    for reached in (
        reverse("outcomes-pack", args=["2016-17"]),
        reverse("outcomes-pack-download", args=["2016-17", "pdf"]),
        reverse("outcomes-pack-download", args=["2016-17", "xlsx"]),
        reverse("year", args=["2016-17"]),
        reverse("register-decisions"),
    ):
        assert seen.get(reached) == 200, reached

    unpublished = [
        r.reference
        for r in DecisionRecord.objects.exclude(status="published").filter(on_forward_plan=False)
    ]
    assert example["draft"].reference in unpublished
    forbidden = {
        *unpublished,
        example["draft"].title,
        example["application"].title,
        example["application"].reference,
        "Zephyr Youth Trust",
        example["applicant"].get_full_name(),
    }
    partners = User.objects.filter(groups__name=Role.PARTNER).exclude(first_name="", last_name="")
    forbidden |= {u.get_full_name() for u in partners}
    assert "Example contact at Leicester City Council" in forbidden  # the example's contacts
    words = MonitoringReturn.objects.exclude(risks="").values_list("risks", flat=True)
    forbidden |= set(words) | set(
        MonitoringReturn.objects.exclude(achievements="").values_list("achievements", flat=True)
    )
    assert len(forbidden) > 10
    found = {
        (url, thing)
        for url, text in texts.items()
        for thing in forbidden
        if thing and thing in text
    }
    assert found == set()
    emails = {(url, m) for url, text in texts.items() for m in EMAIL.findall(text)}
    assert emails == set()
    # the pack shows the cohorts' measures, and no pseudonym reaches any page or download
    assert "Reoffending cohorts: Crawl cohorts" in texts[reverse("outcomes-pack", args=["2016-17"])]
    assert PSEUDONYM.search(cohorts_demo.synthetic_file().decode())
    pseudonyms = {(url, m) for url, text in texts.items() for m in PSEUDONYM.findall(text)}
    assert pseudonyms == set()

    # the pages that hold personal data are refused, asked directly
    agreement = Agreement.objects.filter(allocation__year__label="2016/17").first()
    allocation = Allocation.objects.filter(year__label="2016/17").first()
    restricted = [
        reverse("application-detail", args=[example["application"].uuid]),
        reverse("my-applications"),
        reverse("review-queue"),
        reverse("round-panel", args=["crawl-round"]),
        reverse("round-dashboard", args=["crawl-round"]),
        reverse("audit-log"),
        reverse("history", args=["budgets.Allocation", allocation.uuid]),
        reverse("monitoring"),
        reverse("our-returns"),
        reverse("return", args=[agreement.uuid, 1]),
        reverse("agreement", args=[agreement.uuid]),
        reverse("cohort-list"),
        reverse("cohort-upload", args=[example["cohorts"].uuid]),
        reverse("cohort-records", args=[example["cohorts"].uuid]),
        reverse("cohort-download", args=[example["cohorts"].uuid]),
        reverse("decision-list"),
        reverse("decision", args=[example["draft"].slug]),
        reverse("allocation-list", args=["2016-17"]),
        reverse("allocation-detail", args=[allocation.uuid]),
        reverse("organisation-list"),
    ]
    answers = {url: client.get(url).status_code for url in restricted}
    assert {url: code for url, code in answers.items() if code not in (403, 404)} == {}
