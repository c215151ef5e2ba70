import pytest

from clarion.core.events.models import Event
from clarion.crm.models import Company, Contact, Deal, Pipeline
from clarion.crm.services import (
    LifecycleMovesBackward,
    StaleRecord,
    create_record,
    delete_record,
    update_record,
)

pytestmark = pytest.mark.django_db


def test_creating_a_contact_records_a_created_event_and_its_source(admin_user):
    contact = create_record(Contact, actor=admin_user, values={"email": "a@example.com"},
                            source="import")

    assert contact.original_source == "import"
    event = Event.objects.get(kind="contact.created")
    assert event.contact_id == contact.pk and event.actor == admin_user


def test_a_new_contact_joins_the_company_whose_domain_matches_its_email(admin_user):
    acme = create_record(Company, actor=admin_user, values={"name": "Acme", "domain": "acme.com"})

    contact = create_record(Contact, actor=admin_user, values={"email": "Jo@ACME.com"})

    assert contact.company == acme


def test_custom_properties_are_stored_beside_the_columns(admin_user):
    contact = create_record(Contact, actor=admin_user,
                            values={"email": "b@example.com", "shoe_size": 42})

    assert contact.properties == {"shoe_size": 42}


def test_each_changed_field_becomes_one_property_changed_event_with_old_and_new(admin_user):
    contact = create_record(Contact, actor=admin_user,
                            values={"email": "c@example.com", "first_name": "Al"})

    update_record(contact, actor=admin_user,
                  values={"first_name": "Alan", "email": "c@example.com", "tier": "gold"})

    changes = {e.data["field"]: (e.data["old"], e.data["new"])
               for e in Event.objects.filter(kind="contact.property_changed")}
    assert changes == {"first_name": ("Al", "Alan"), "tier": (None, "gold")}


def test_saving_without_changes_emits_nothing_and_keeps_the_version(admin_user):
    contact = create_record(Contact, actor=admin_user, values={"email": "d@example.com"})

    same = update_record(contact, actor=admin_user, values={"email": "d@example.com"})

    assert same.version == 1
    assert not Event.objects.filter(kind="contact.property_changed").exists()


def test_a_concurrent_edit_of_the_same_field_is_refused_not_lost(admin_user, sales_user):
    contact = create_record(Contact, actor=admin_user, values={"email": "e@example.com"})
    loaded_version = contact.version
    update_record(contact, actor=sales_user, values={"job_title": "CTO"})

    with pytest.raises(StaleRecord) as stale:
        update_record(contact, actor=admin_user, values={"job_title": "CEO"},
                      expected_version=loaded_version)

    assert stale.value.changed_fields == ["job_title"]
    assert Contact.objects.get(pk=contact.pk).job_title == "CTO"


def test_a_concurrent_edit_of_a_different_field_is_merged(admin_user, sales_user):
    contact = create_record(Contact, actor=admin_user, values={"email": "f@example.com"})
    loaded_version = contact.version
    update_record(contact, actor=sales_user, values={"job_title": "CTO"})

    update_record(contact, actor=admin_user, values={"city": "Lyon"},
                  expected_version=loaded_version)

    saved = Contact.objects.get(pk=contact.pk)
    assert (saved.job_title, saved.city) == ("CTO", "Lyon")


def test_lifecycle_stage_moves_back_only_when_asked_explicitly(admin_user):
    contact = create_record(Contact, actor=admin_user,
                            values={"email": "g@example.com", "lifecycle_stage": "customer"})

    with pytest.raises(LifecycleMovesBackward):
        update_record(contact, actor=admin_user, values={"lifecycle_stage": "lead"})
    update_record(contact, actor=admin_user, values={"lifecycle_stage": "lead"},
                  allow_lifecycle_backward=True)

    assert Contact.objects.get(pk=contact.pk).lifecycle_stage == "lead"


def test_moving_a_deal_to_another_stage_emits_stage_changed(admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    first, won = pipeline.stages.first(), pipeline.stages.get(outcome="won")
    deal = create_record(Deal, actor=admin_user,
                         values={"name": "Big", "pipeline": pipeline, "stage": first})

    update_record(deal, actor=admin_user, values={"stage": won})

    event = Event.objects.get(kind="deal.stage_changed")
    assert event.data["to"] == {"id": won.pk, "label": won.name}
    assert event.data["outcome"] == "won"


def test_deleting_a_record_leaves_a_deleted_event(admin_user):
    company = create_record(Company, actor=admin_user, values={"name": "Gone Ltd"})

    delete_record(company, actor=admin_user)

    assert not Company.objects.exists()
    assert Event.objects.get(kind="company.deleted").data["label"] == "Gone Ltd"


def test_free_email_addresses_do_not_join_a_company_by_domain(admin_user):
    create_record(Company, actor=admin_user, values={"name": "Gmail fan club",
                                                     "domain": "gmail.com"})

    contact = create_record(Contact, actor=admin_user, values={"email": "jo@gmail.com"})

    assert contact.company is None


def test_linking_contacts_by_domain_can_be_turned_off(admin_user, settings):
    settings.CLARION_LINK_CONTACTS_BY_DOMAIN = False
    create_record(Company, actor=admin_user, values={"name": "Acme", "domain": "acme.com"})

    contact = create_record(Contact, actor=admin_user, values={"email": "jo@acme.com"})

    assert contact.company is None
