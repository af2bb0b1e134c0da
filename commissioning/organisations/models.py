"""Partners and the areas they serve, with ONS codes."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from commissioning.core.models import BaseModel


class AreaKind(models.TextChoices):
    COUNTRY = "country", "Country"
    FORCE_AREA = "force_area", "Police force area"
    COUNTY = "county", "County"
    UNITARY = "unitary", "Unitary authority"
    DISTRICT = "district", "District"
    CSP = "csp", "Community Safety Partnership"
    JOINT_PARTNERSHIP = "joint_partnership", "Joint partnership"
    REACH_GROUP = "reach_group", "Group of areas"


LOCAL_AUTHORITY_KINDS = (AreaKind.UNITARY, AreaKind.DISTRICT)


class Area(BaseModel):
    """An area by its ONS code (E06/E07 district, E22 CSP, E23 force area) or a local code
    (`LLR-...`) for groups the ONS does not name, such as a joint partnership."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=AreaKind.choices)
    districts = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="groups",
        help_text="The districts (local authorities) this area covers.",
    )

    class Meta:
        ordering = ["code"]

    @property
    def is_ons_code(self) -> bool:
        return not self.code.startswith("LLR-")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    CSP = "csp", "Community Safety Partnership"
    POLICE_FORCE = "police_force", "Police force"
    PROBATION = "probation", "Probation"
    BOARD = "board", "Board"
    CHARITY = "charity", "Charity"
    CIC = "cic", "Community interest company"
    COMPANY = "company", "Company"
    OPCC = "opcc", "Office of the PCC"
    OTHER = "other", "Other"


class Organisation(BaseModel):
    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    org_id = models.CharField(
        max_length=60,
        blank=True,
        help_text="org-id.guide identifier when known, e.g. GB-LAE-LCE for a council",
    )
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(blank=True)
    address = models.TextField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationAlias(models.Model):
    """Another spelling of an organisation's name, as some paper or import wrote it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="organisation_alias_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.name
