"""The demo CRM data: realistic, multilingual, made through the services, loadable twice."""

import pytest
from django.core.management import call_command

from clarion.accounts.demo import load_demo_workspace
from clarion.core.events.models import Event
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.demo import load_demo_records
from clarion.crm.models import Company, Contact, Deal, Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    """The CRM's own demo records (the `demo` command then adds each app's data)."""
    load_demo_records(load_demo_workspace())


def test_demo_has_companies_contacts_and_deals_in_two_pipelines(demo):
    assert Company.objects.count() == 15
    assert Contact.objects.count() == 60
    assert Deal.objects.count() == 25
    assert set(Deal.objects.values_list("pipeline__name", flat=True)) == {
        "Sales pipeline", "Partnerships"}
    assert Pipeline.objects.get(name="Partnerships").stages.count() == 5


def test_demo_contacts_have_english_and_chinese_names(demo):
    names = {str(contact) for contact in Contact.objects.all()}

    assert {"王芳", "李伟", "张敏"} <= names
    assert "Emma Johnson" in names
    assert Company.objects.filter(name="星辰科技").exists()


def test_demo_records_are_spread_over_owners_with_custom_properties(demo):
    assert Contact.objects.values("owner").distinct().count() >= 3
    assert {"preferred_language", "tier"} <= set(
        PropertyDefinition.objects.values_list("name", flat=True))
    assert Contact.objects.filter(properties__preferred_language="zh").count() == 30
    assert Company.objects.filter(properties__tier="gold").exists()


def test_demo_records_have_a_history(demo):
    assert Event.objects.filter(kind="contact.created").count() == 60
    assert Event.objects.filter(kind="contact.property_changed",
                                data__field="lifecycle_stage").exists()
    assert Event.objects.filter(kind="deal.stage_changed").exists()
    assert Event.objects.filter(kind="deal.contact_added").exists()


def test_loading_the_whole_demo_twice_adds_nothing(db):
    call_command("demo", stdout=None)
    counts = (Company.objects.count(), Contact.objects.count(), Deal.objects.count(),
              Event.objects.count())

    call_command("demo", stdout=None)

    assert (Company.objects.count(), Contact.objects.count(), Deal.objects.count(),
            Event.objects.count()) == counts
