"""Custom properties: value validation shared by forms and the API, the record forms that pick
them up, and the settings pages that define them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clarion.core.properties.models import PropertyDefinition
from clarion.core.properties.services import create_property, derive_name, parse_options
from clarion.core.properties.validation import clean_property_values
from clarion.crm.models import Contact
from clarion.crm.services import create_record

pytestmark = pytest.mark.django_db


def _define(admin_user, **fields):
    values = {"object_type": "contact", "label": "Tier", "type": "text", **fields}
    return create_property(actor=admin_user, **values)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# --- Validation -----------------------------------------------------------------------------


def test_values_are_coerced_to_their_stored_form(admin_user):
    definitions = [
        _define(admin_user, label="Seats", type="number"),
        _define(admin_user, label="Renewal", type="date"),
        _define(admin_user, label="Newsletter", type="boolean"),
        _define(admin_user, label="Tier", type="select",
                options=[{"value": "gold", "label": "Gold"}]),
        _define(admin_user, label="Channels", type="multiselect",
                options=[{"value": "email", "label": "Email"}, {"value": "sms", "label": "SMS"}]),
    ]

    cleaned = clean_property_values(definitions, {
        "seats": "12", "renewal": "2027-01-31", "newsletter": "yes", "tier": "gold",
        "channels": ["sms", "email"]})

    assert cleaned == {"seats": 12, "renewal": "2027-01-31", "newsletter": True,
                       "tier": "gold", "channels": ["email", "sms"]}


@pytest.mark.parametrize(("fields", "value", "message"), [
    ({"required": True}, "", "Tier is required."),
    ({"type": "select", "options": [{"value": "gold", "label": "Gold"}]}, "platinum",
     "Tier: “platinum” is not one of the options."),
    ({"type": "number", "validation": {"min": "1", "max": "10"}}, "11",
     "Tier must be at most 10."),
    ({"type": "number", "validation": {"min": "1"}}, "0", "Tier must be at least 1."),
    ({"type": "number"}, "many", "Tier must be a number."),
    ({"validation": {"pattern": "[A-Z]{2}[0-9]{2}"}}, "ab12",
     "Tier does not have the expected format."),
    ({"type": "email"}, "not-an-address", "Tier must be an email address."),
    ({"type": "url"}, "example", "Tier must be a web address starting with http:// or https://."),
    ({"type": "date"}, "31/01/2027", "Tier must be a date (YYYY-MM-DD)."),
])
def test_a_bad_value_is_refused_with_a_message_naming_the_property(admin_user, fields, value,
                                                                   message):
    definition = _define(admin_user, **fields)

    with pytest.raises(ValidationError) as error:
        clean_property_values([definition], {"tier": value})

    assert error.value.message_dict == {"tier": [message]}


def test_a_unique_value_held_by_another_record_is_refused(admin_user):
    definition = _define(admin_user, label="VAT number", unique=True)
    holder = create_record(Contact, actor=admin_user, values={"vat_number": "DE123"})

    with pytest.raises(ValidationError) as error:
        clean_property_values([definition], {"vat_number": "DE123"},
                              unique_among=Contact.objects)
    assert "VAT number: another record already has the value" in str(error.value)
    # The record itself may keep its value.
    assert clean_property_values([definition], {"vat_number": "DE123"},
                                 unique_among=Contact.objects, exclude_pk=holder.pk)


def test_unknown_properties_and_archived_ones_are_refused(admin_user):
    archived = _define(admin_user, label="Old")
    PropertyDefinition.objects.filter(pk=archived.pk).update(archived=True)
    archived.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        clean_property_values([archived], {"old": "x", "emial": "y"})

    assert set(error.value.message_dict) == {"old", "emial"}


def test_a_partial_update_does_not_require_missing_required_properties(admin_user):
    definition = _define(admin_user, required=True)

    assert clean_property_values([definition], {}, partial=True) == {}
    with pytest.raises(ValidationError):
        clean_property_values([definition], {})


# --- Record forms ---------------------------------------------------------------------------


def test_the_contact_form_shows_active_properties_grouped(admin_client, admin_user):
    _define(admin_user, label="Preferred language", type="select", group="Preferences",
            options=[{"value": "zh", "label": "中文"}])
    retired = _define(admin_user, label="Retired")
    PropertyDefinition.objects.filter(pk=retired.pk).update(archived=True)

    response = admin_client.get(reverse("crm:contact_create"))

    assert "<legend class=\"card-title\">Preferences</legend>" in response.text
    assert "中文" in response.text
    assert "Retired" not in response.text


@pytest.mark.parametrize(("fields", "value", "message"), [
    ({"required": True}, "", "Tier is required."),
    ({"type": "select", "options": [{"value": "gold", "label": "Gold"}]}, "lead",
     "Select a valid choice."),
    ({"type": "number", "validation": {"max": "5"}}, "9", "Tier must be at most 5."),
    ({"validation": {"pattern": "[a-z]+"}}, "ABC", "Tier does not have the expected format."),
])
def test_a_bad_custom_value_in_the_form_is_shown_on_its_field(admin_client, admin_user,
                                                              fields, value, message):
    _define(admin_user, **fields)

    response = admin_client.post(reverse("crm:contact_create"),
                                 {"email": "ann@example.com", "owner": admin_user.pk,
                                  "p_tier": value})

    assert response.status_code == 400
    assert message in response.text
    assert 'id="id_p_tier_error"' in response.text
    assert not Contact.objects.exists()


def test_a_unique_custom_value_taken_by_another_contact_is_refused_in_the_form(admin_client,
                                                                               admin_user):
    _define(admin_user, label="Member number", unique=True)
    create_record(Contact, actor=admin_user, values={"member_number": "42"})

    response = admin_client.post(reverse("crm:contact_create"),
                                 {"owner": admin_user.pk, "p_member_number": "42"})

    assert response.status_code == 400
    assert "Member number: another record already has the value" in response.text


def test_valid_custom_values_are_saved_with_the_record(admin_client, admin_user):
    _define(admin_user, label="Seats", type="number")

    admin_client.post(reverse("crm:contact_create"),
                      {"email": "ann@example.com", "owner": admin_user.pk, "p_seats": "25"})

    assert Contact.objects.get().properties == {"seats": 25}


# --- Definitions ----------------------------------------------------------------------------


def test_the_internal_name_is_derived_from_the_label_and_kept_unique(admin_user):
    _define(admin_user, label="Job level")

    assert derive_name("contact", "Job level") == "job_level_2"
    assert derive_name("company", "Job level") == "job_level"
    assert derive_name("contact", "偏好") == "property"


def test_option_lines_keep_explicit_values():
    assert parse_options("gold | Gold (renamed)\nSilver\n") == [
        {"value": "gold", "label": "Gold (renamed)"}, {"value": "silver", "label": "Silver"}]


def test_a_select_property_needs_options(admin_user):
    with pytest.raises(ValidationError):
        _define(admin_user, type="select")


def test_settings_pages_need_the_settings_capability(client, sales_user):
    client.force_login(sales_user)

    assert client.get(reverse("crm:properties")).status_code == 403
    assert client.post(reverse("crm:property_create", args=["contact"]),
                       {"label": "X", "type": "text"}).status_code == 403
    assert not PropertyDefinition.objects.exists()


def test_creating_a_property_from_the_settings_page(admin_client):
    response = admin_client.post(reverse("crm:property_create", args=["company"]), {
        "label": "Tier", "type": "select", "group": "Account", "options": "Gold\nSilver",
        "required": "on"})

    assert response.status_code == 302
    definition = PropertyDefinition.objects.get()
    assert (definition.object_type, definition.name, definition.required) == (
        "company", "tier", True)
    assert definition.option_values == ["gold", "silver"]
    listing = admin_client.get(reverse("crm:properties") + "?type=company")
    assert "Tier" in listing.text and "Account" in listing.text


def test_an_invalid_pattern_is_refused_naming_the_field(admin_client):
    response = admin_client.post(reverse("crm:property_create", args=["contact"]),
                                 {"label": "Code", "type": "text", "pattern": "[unclosed"})

    assert response.status_code == 400
    assert "Pattern: not a valid regular expression" in response.text


def test_editing_keeps_the_name_and_type(admin_client, admin_user):
    definition = _define(admin_user, label="Tier")

    admin_client.post(reverse("crm:property_edit", args=[definition.pk]), {
        "label": "Customer tier", "name": "hacked", "type": "number"})

    definition.refresh_from_db()
    assert (definition.label, definition.name, definition.type) == (
        "Customer tier", "tier", "text")


def test_archiving_hides_a_property_but_keeps_its_values(admin_client, admin_user):
    definition = _define(admin_user, label="Tier")
    contact = create_record(Contact, actor=admin_user, values={"tier": "gold"})

    admin_client.post(reverse("crm:property_archive", args=[definition.pk]), {"archived": "1"})

    definition.refresh_from_db()
    contact.refresh_from_db()
    assert definition.archived and contact.properties == {"tier": "gold"}
    assert "p_tier" not in admin_client.get(reverse("crm:contact_create")).text

    admin_client.post(reverse("crm:property_archive", args=[definition.pk]), {"archived": "0"})
    definition.refresh_from_db()
    assert not definition.archived


def test_the_settings_menu_links_properties_for_admins_only(client, admin_user, sales_user):
    client.force_login(admin_user)
    assert f'href="{reverse("crm:properties")}"' in client.get(
        reverse("settings:security")).text
    client.force_login(sales_user)
    assert f'href="{reverse("crm:properties")}"' not in client.get(
        reverse("settings:security")).text
