"""The generic record pages: list, create, detail, edit and delete for contacts, companies and
deals, with permissions checked on every one."""

import pytest
from django.urls import reverse

from clarion.accounts.services import create_user
from clarion.core.events.models import Event
from clarion.crm.models import Company, Contact, Deal, Pipeline
from clarion.crm.services import create_record, update_record

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def pipeline():
    return Pipeline.objects.get(is_default=True)


def _make(model, actor, **values):
    if model is Deal and "pipeline" not in values:
        pipeline = Pipeline.objects.get(is_default=True)
        values = {"name": "Big deal", "pipeline": pipeline,
                  "stage": pipeline.stages.first(), **values}
    if model is Company and "name" not in values:
        values = {"name": "Acme", **values}
    return create_record(model, actor=actor, values={"owner": actor, **values})


FORM_DATA = {
    "contact": lambda actor, pipeline: {"first_name": "Ann", "last_name": "Lee",
                                        "email": "ann@example.com", "owner": actor.pk},
    "company": lambda actor, pipeline: {"name": "Globex", "domain": "globex.com",
                                        "owner": actor.pk},
    "deal": lambda actor, pipeline: {"name": "Globex renewal", "currency": "USD",
                                     "pipeline": pipeline.pk,
                                     "stage": pipeline.stages.first().pk, "owner": actor.pk},
}
MODELS = {"contact": Contact, "company": Company, "deal": Deal}
PREFIX = {"contact": "contacts", "company": "companies", "deal": "deals"}


@pytest.mark.parametrize("type_name", ["contact", "company", "deal"])
def test_creating_a_record_through_the_form_records_a_created_event(admin_client, admin_user,
                                                                    pipeline, type_name):
    response = admin_client.post(reverse(f"crm:{type_name}_create"),
                                 FORM_DATA[type_name](admin_user, pipeline))

    record = MODELS[type_name].objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/{PREFIX[type_name]}/{record.pk}/"
    assert Event.objects.filter(kind=f"{type_name}.created", subject_id=record.pk).exists()


@pytest.mark.parametrize("type_name", ["contact", "company", "deal"])
def test_editing_a_record_through_the_form_saves_the_change(admin_client, admin_user,
                                                            pipeline, type_name):
    record = _make(MODELS[type_name], admin_user, **(
        {"email": "x@example.com"} if type_name == "contact" else {}))
    data = {**FORM_DATA[type_name](admin_user, pipeline), "version": record.version}

    response = admin_client.post(reverse(f"crm:{type_name}_edit", args=[record.pk]), data)

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.version == 2
    assert Event.objects.filter(kind=f"{type_name}.property_changed").exists()


@pytest.mark.parametrize("type_name", ["contact", "company", "deal"])
def test_deleting_a_record_after_confirming(admin_client, admin_user, type_name):
    record = _make(MODELS[type_name], admin_user)
    url = reverse(f"crm:{type_name}_delete", args=[record.pk])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url)

    assert response.status_code == 302
    assert not MODELS[type_name].objects.exists()
    assert Event.objects.filter(kind=f"{type_name}.deleted").exists()


@pytest.mark.parametrize("type_name", ["contact", "company", "deal"])
def test_list_and_detail_pages_show_the_record(admin_client, admin_user, type_name):
    record = _make(MODELS[type_name], admin_user)

    listing = admin_client.get(reverse(f"crm:{type_name}_list"))
    detail = admin_client.get(record.get_absolute_url())

    assert str(record) in listing.text
    assert f'href="{record.get_absolute_url()}"' in listing.text
    assert detail.status_code == 200 and str(record) in detail.text


# --- Stale edits and lifecycle --------------------------------------------------------------


def test_an_edit_based_on_an_old_version_warns_naming_what_the_other_person_changed(
        admin_client, admin_user):
    contact = _make(Contact, admin_user, email="ann@example.com", job_title="CTO")
    update_record(contact, actor=admin_user, values={"job_title": "CEO"})   # a colleague

    response = admin_client.post(reverse("crm:contact_edit", args=[contact.pk]), {
        "email": "ann@example.com", "job_title": "CTO", "first_name": "Ann",
        "owner": admin_user.pk, "version": 1})

    assert response.status_code == 400
    assert "Someone else saved this record" in response.text
    assert "Job title" in response.text
    contact.refresh_from_db()
    assert contact.job_title == "CEO" and contact.first_name == ""
    # The user's input is kept and based on the latest version: saving again wins.
    assert 'name="version" value="2"' in response.text
    assert 'value="Ann"' in response.text


def test_moving_the_lifecycle_stage_back_needs_a_confirmation(admin_client, admin_user):
    contact = _make(Contact, admin_user, email="ann@example.com", lifecycle_stage="customer")
    url = reverse("crm:contact_edit", args=[contact.pk])
    data = {"email": "ann@example.com", "lifecycle_stage": "lead", "owner": admin_user.pk,
            "version": 1}

    refused = admin_client.post(url, data)
    assert refused.status_code == 400
    assert 'name="confirm_lifecycle_backward"' in refused.text
    contact.refresh_from_db()
    assert contact.lifecycle_stage == "customer"

    confirmed = admin_client.post(url, {**data, "confirm_lifecycle_backward": "on"})
    assert confirmed.status_code == 302
    contact.refresh_from_db()
    assert contact.lifecycle_stage == "lead"


def test_a_contact_email_already_in_use_is_refused_naming_the_field(admin_client, admin_user):
    _make(Contact, admin_user, email="ann@example.com")

    response = admin_client.post(reverse("crm:contact_create"),
                                 {"email": "ANN@example.com", "owner": admin_user.pk})

    assert response.status_code == 400
    assert "Email: another contact already has this address." in response.text


def test_a_deal_stage_must_belong_to_its_pipeline(admin_client, admin_user, pipeline):
    other = Pipeline.objects.create(name="Partnerships")
    foreign_stage = other.stages.create(name="Intro", position=0)

    response = admin_client.post(reverse("crm:deal_create"), {
        "name": "Mixed", "currency": "USD", "pipeline": pipeline.pk,
        "stage": foreign_stage.pk, "owner": admin_user.pk})

    assert response.status_code == 400
    assert not Deal.objects.exists()


def test_the_stage_select_follows_the_chosen_pipeline(admin_client):
    other = Pipeline.objects.create(name="Partnerships")
    other.stages.create(name="Intro call", position=0)

    response = admin_client.get(reverse("crm:stage_options"), {"pipeline": other.pk})

    assert "Intro call" in response.text and "Qualified to buy" not in response.text


# --- Associations ---------------------------------------------------------------------------


def test_adding_and_removing_a_contact_on_a_deal_from_the_deal_page(admin_client, admin_user):
    deal = _make(Deal, admin_user)
    contact = _make(Contact, admin_user, email="ann@example.com")
    add = reverse("crm:deal_association_add", args=[deal.pk, "contact"])

    admin_client.post(add, {"other": contact.pk})
    assert list(deal.contacts.all()) == [contact]
    assert Event.objects.filter(kind="deal.contact_added", contact_id=contact.pk).exists()

    admin_client.post(reverse("crm:deal_association_remove",
                              args=[deal.pk, "contact", contact.pk]))
    assert not deal.contacts.exists()


def test_adding_a_contact_to_a_company_from_the_company_page(admin_client, admin_user):
    company = _make(Company, admin_user)
    contact = _make(Contact, admin_user, email="ann@example.org")

    admin_client.post(reverse("crm:company_association_add", args=[company.pk, "contact"]),
                      {"other": contact.pk})

    contact.refresh_from_db()
    assert contact.company == company
    detail = admin_client.get(company.get_absolute_url())
    assert f'href="{contact.get_absolute_url()}"' in detail.text


# --- Permissions (IDOR) ---------------------------------------------------------------------


@pytest.fixture
def two_sellers(roles):
    """Two people whose role sees and edits only their own records of every type."""
    from clarion.accounts.models import Role

    own = Role.objects.create(name="Own only", capabilities=[
        f"{area}.{verb}_own" for area in ("contacts", "companies", "deals")
        for verb in ("view", "edit")] + ["contacts.delete", "companies.delete",
                                         "deals.delete"])
    a = create_user(email="a@example.com", password=PASSWORD, role=own)
    b = create_user(email="b@example.com", password=PASSWORD, role=own)
    return a, b


@pytest.mark.parametrize("type_name", ["contact", "company", "deal"])
@pytest.mark.parametrize("view", ["detail", "edit", "delete", "timeline"])
def test_nobody_reaches_another_persons_private_record_by_its_id(client, two_sellers,
                                                                 type_name, view):
    a, b = two_sellers
    record = _make(MODELS[type_name], b)
    client.force_login(a)
    url = reverse(f"crm:{type_name}_{view}", args=[record.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert MODELS[type_name].objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("type_name", ["contact", "company", "deal"])
def test_another_persons_private_record_is_not_listed(client, two_sellers, type_name):
    a, b = two_sellers
    record = _make(MODELS[type_name], b)
    client.force_login(a)

    assert str(record) not in client.get(reverse(f"crm:{type_name}_list")).text


def test_a_visible_record_the_user_may_not_edit_answers_forbidden(client, admin_user,
                                                                  sales_user):
    contact = _make(Contact, admin_user, email="ann@example.com")   # Sales sees all contacts
    client.force_login(sales_user)

    assert client.get(contact.get_absolute_url()).status_code == 200
    assert client.get(reverse("crm:contact_edit", args=[contact.pk])).status_code == 403
    assert client.post(reverse("crm:contact_delete", args=[contact.pk])).status_code == 403


def test_a_person_who_edits_only_their_own_records_cannot_create_one_for_someone_else(
        client, two_sellers):
    a, b = two_sellers
    client.force_login(a)

    response = client.post(reverse("crm:company_create"), {"name": "Initech", "owner": b.pk})

    assert response.status_code == 400
    assert not Company.objects.exists()


def test_associating_another_persons_private_record_is_not_found(client, two_sellers):
    a, b = two_sellers
    deal = _make(Deal, a)
    hidden = _make(Contact, b, email="hidden@example.com")
    client.force_login(a)

    response = client.post(reverse("crm:deal_association_add", args=[deal.pk, "contact"]),
                           {"other": hidden.pk})

    assert response.status_code == 404
    assert not deal.contacts.exists()


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ["contact", "company", "deal"])
def test_detail_page_queries_are_bounded(admin_client, admin_user, type_name,
                                         django_assert_max_num_queries):
    record = _make(MODELS[type_name], admin_user)
    for number in range(15):
        update_record(record, actor=admin_user, values={"city": f"City {number}"}
                      if type_name != "deal" else {"name": f"Deal {number}"})

    with django_assert_max_num_queries(25):
        response = admin_client.get(record.get_absolute_url())
    assert response.status_code == 200


def test_a_deal_created_with_contacts_is_linked_to_them(admin_client, admin_user, pipeline):
    contact = _make(Contact, admin_user, email="ann@example.com")

    admin_client.post(reverse("crm:deal_create"), {
        **FORM_DATA["deal"](admin_user, pipeline), "contacts": [contact.pk]})

    deal = Deal.objects.get()
    assert list(deal.contacts.all()) == [contact] and deal.properties == {}


def test_the_navigation_leads_to_the_contacts_and_deals_pages(admin_client, admin_user):
    company = _make(Company, admin_user)

    response = admin_client.get(company.get_absolute_url())

    assert f'<a href="{reverse("crm:contact_list")}" aria-current="page">' in response.text
    assert f'href="{reverse("crm:deal_list")}"' in response.text
    assert f'href="{reverse("crm:company_list")}"' in response.text


def test_detail_page_queries_do_not_grow_with_linked_records(admin_client, admin_user,
                                                             django_assert_max_num_queries):
    company = _make(Company, admin_user, name="Parent")
    contacts = [_make(Contact, admin_user, email=f"p{n}@example.com", company=company)
                for n in range(10)]
    for number in range(10):
        deal = _make(Deal, admin_user, name=f"Deal {number}", company=company)
        deal.contacts.set(contacts[:3])

    for url in (company.get_absolute_url(), contacts[0].get_absolute_url(),
                deal.get_absolute_url()):
        # Apps' record panels (tasks, comments, files, the composer…) add fixed queries.
        with django_assert_max_num_queries(24):
            assert admin_client.get(url).status_code == 200
