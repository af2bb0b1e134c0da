"""`attach_errors` puts every message of a service's refusal on the form, by field where the
form has one, at the top otherwise."""

from django import forms
from django.core.exceptions import ValidationError

from commissioning.core.forms import attach_errors


class AllocationForm(forms.Form):
    initiative = forms.CharField(required=False)
    amount_FY = forms.CharField(required=False)
    reason = forms.CharField(required=False)


def bound():
    form = AllocationForm(data={"initiative": "", "amount_FY": "x", "reason": ""})
    assert form.is_valid()
    return form


def test_a_plain_message_goes_at_the_top():
    form = bound()
    attach_errors(form, ValidationError("Nothing has changed"))
    assert form.non_field_errors() == ["Nothing has changed"]
    assert not form.is_valid()


def test_a_list_of_messages_all_go_at_the_top():
    form = bound()
    attach_errors(form, ValidationError(["First problem", "Second problem"]))
    assert form.non_field_errors() == ["First problem", "Second problem"]


def test_messages_by_field_land_on_their_fields():
    form = bound()
    attach_errors(
        form,
        ValidationError(
            {"initiative": "Enter the initiative", "reason": ["Say why", "And say it well"]}
        ),
    )
    assert form.errors["initiative"] == ["Enter the initiative"]
    assert form.errors["reason"] == ["Say why", "And say it well"]
    assert form.non_field_errors() == []


def test_a_key_the_form_lacks_goes_at_the_top():
    form = bound()
    attach_errors(form, ValidationError({"secondary_priority": "Must differ", "__all__": "Top"}))
    assert sorted(form.non_field_errors()) == ["Must differ", "Top"]


def test_a_mapping_renames_the_services_keys():
    form = bound()
    attach_errors(
        form,
        ValidationError({"amounts": "FY: is blank", "initiative": "Enter it"}),
        {"amounts": "amount_FY"},
    )
    assert form.errors["amount_FY"] == ["FY: is blank"]
    assert form.errors["initiative"] == ["Enter it"]


def test_a_function_renames_the_services_keys():
    form = bound()
    attach_errors(
        form,
        ValidationError({"amounts": "bad", "initiative": "Enter it", "status": "No"}),
        lambda key: {"amounts": "amount_FY"}.get(key),
    )
    assert form.errors["amount_FY"] == ["bad"]
    # the function's answer is used as given: None (or a name the form lacks) is the top
    assert sorted(form.non_field_errors()) == ["Enter it", "No"]
    assert "initiative" not in form.errors


def test_every_message_is_kept():
    form = bound()
    exc = ValidationError({"initiative": ["a", "b"], "reason": "c", "x": ["d", "e"]})
    attach_errors(form, exc)
    shown = [m for messages in form.errors.values() for m in messages]
    assert sorted(shown) == ["a", "b", "c", "d", "e"]
