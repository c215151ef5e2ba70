"""Personalization: rendering tokens per recipient, contexts built set-based from contacts,
companies, owners and custom properties, unknown tokens flagged before sending, speed."""

import time

import pytest

from clarion.accounts.services import create_user
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact
from clarion.emails.library import get_template
from clarion.emails.personalize import (
    PersonalizationError,
    TokenSyntaxError,
    contact_contexts,
    prepare,
    sample_context,
    sender_context,
    unknown_tokens,
)
from clarion.emails.rendering import compile_document


def render(source: str, context: dict) -> str:
    return prepare({"subject": source, "html": source, "text": source}).render(context)[1]


def test_a_variant_renders_subject_html_and_text_per_recipient():
    prepared = prepare({"subject": "Hi {{ contact.first_name }} & co",
                        "html": "<p>Hi {{ contact.first_name }} & co</p>",
                        "text": "Hi {{ contact.first_name }} & co"})
    subject, html, text = prepared.render({"contact": {"first_name": "Zoë <3"}})
    assert subject == "Hi Zoë <3 & co"  # a header: not HTML
    assert html == "<p>Hi Zoë &lt;3 & co</p>"
    assert text == "Hi Zoë <3 & co"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_default_applies_to_a_blank_or_missing_value(value):
    source = '{{ contact.first_name|default("there") }}'
    assert render(source, {"contact": {"first_name": value}}) == "there"
    assert render(source, {"contact": {}}) == "there"


def test_default_keeps_a_real_value_even_zero():
    assert render('{{ contact.first_name|default("there") }}',
                  {"contact": {"first_name": "Ada"}}) == "Ada"
    assert render("{{ contact.score|default(5) }}", {"contact": {"score": 0}}) == "0"


def test_none_renders_empty_and_lists_as_text():
    assert render("[{{ contact.nickname }}]", {"contact": {"nickname": None}}) == "[]"
    assert render("{{ contact.tags }}", {"contact": {"tags": ["a", "b"]}}) == "a, b"


def test_a_property_named_like_a_dict_method_reads_its_value():
    assert render("{{ contact.items }}/{{ contact.values }}",
                  {"contact": {"items": "3 items", "values": "honesty"}}) == "3 items/honesty"


def test_a_recipient_without_a_contact_record_reads_empty_values():
    assert render('Hi {{ contact.first_name|default("there") }}{{ company.name }}', {}) == \
        "Hi there"


def test_a_render_failure_is_a_personalization_error():
    prepared = prepare({"html": "{{ contact.first_name + 1 }}"})
    with pytest.raises(PersonalizationError):
        prepared.render({"contact": {"first_name": "Ada"}})


def test_a_syntax_mistake_names_the_line():
    with pytest.raises(TokenSyntaxError, match="Line 2"):
        prepare({"html": "<p>ok</p>\n{{ contact.first_name "})


def test_the_tracking_object_is_usable_and_never_unknown():
    class Tracking:
        open = "https://example.com/t/o/x.gif"

        def click(self, index):
            return f"https://example.com/t/c/x/{index}/"

    html = render('<a href="{{ _t.click(0) }}">a</a><img src="{{ _t.open }}">',
                  {"_t": Tracking()})
    assert 'href="https://example.com/t/c/x/0/"' in html
    assert unknown_tokens("{{ _t.click(0) }}{{ _t.open }}", fields={}) == []


@pytest.mark.django_db
def test_contact_contexts_builds_every_contact_in_one_query(django_assert_num_queries):
    PropertyDefinition.objects.create(object_type="contact", name="shoe_size",
                                      label="Shoe size", type="number")
    PropertyDefinition.objects.create(object_type="company", name="tier", label="Tier",
                                      type="text")
    owner = create_user(email="olga@example.com", password="x", first_name="Olga",
                        last_name="Ivanova")
    company = Company.objects.create(name="Northwind", domain="northwind.example.com",
                                     properties={"tier": "gold"})
    ada = Contact.objects.create(email="ada@example.com", first_name="Ada",
                                 last_name="Lovelace", company=company, owner=owner,
                                 properties={"shoe_size": 38, "stale": "x"})
    lone = Contact.objects.create(email="lone@example.com")
    with django_assert_num_queries(2):  # the property definitions, then the contacts
        contexts = contact_contexts([ada.pk, lone.pk])
    assert contexts[ada.pk]["contact"]["first_name"] == "Ada"
    assert contexts[ada.pk]["contact"]["full_name"] == "Ada Lovelace"
    assert contexts[ada.pk]["contact"]["shoe_size"] == 38
    assert "stale" not in contexts[ada.pk]["contact"]  # no longer a defined property
    assert contexts[ada.pk]["company"] == {"id": company.pk, "name": "Northwind",
                                           "domain": "northwind.example.com",
                                           "industry": "", "phone": "", "city": "",
                                           "country": "", "employees": None, "tier": "gold"}
    assert contexts[ada.pk]["owner"] == {"name": "Olga Ivanova", "first_name": "Olga",
                                         "last_name": "Ivanova", "email": "olga@example.com"}
    assert contexts[lone.pk]["company"] == {} and contexts[lone.pk]["owner"] == {}
    assert contexts[lone.pk]["contact"]["shoe_size"] is None


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_contacts(django_assert_num_queries):
    ids = [Contact.objects.create(email=f"p{number}@example.com", first_name=f"P{number}").pk
           for number in range(50)]
    with django_assert_num_queries(2):
        contexts = contact_contexts(ids)
    assert len(contexts) == 50


@pytest.mark.django_db
def test_custom_properties_render_by_internal_name():
    PropertyDefinition.objects.create(object_type="contact", name="plan", label="Plan",
                                      type="text")
    contact = Contact.objects.create(email="a@example.com", properties={"plan": "Pro"})
    context = contact_contexts([contact.pk])[contact.pk]
    assert render("Your {{ contact.plan }} plan", context) == "Your Pro plan"


@pytest.mark.django_db
def test_unknown_tokens_are_flagged():
    PropertyDefinition.objects.create(object_type="contact", name="plan", label="Plan",
                                      type="text")
    variant = {"subject": "Hi {{ contact.fist_name }}",
               "html": "{{ contact.plan }} {{ cycler.__init__ }} {{ company.nme }}"
                       "{% for tag in contact.tags %}{{ tag }}{% endfor %}"
                       "{{ sender.postal_address }} {{ unsubscribe_url }} {{ _t.open }}"
                       "{{ owner.name }} {{ contact['shoe'] }} {{ contact.__class__ }}",
               "text": "{{ contact.fist_name }} {{ unknown_thing }}"}
    assert unknown_tokens(variant) == ["contact.fist_name", "cycler.__init__", "cycler",
                                       "company.nme", "contact.tags", "contact.shoe",
                                       "contact.__class__", "unknown_thing"]


@pytest.mark.django_db
def test_an_archived_property_is_unknown():
    PropertyDefinition.objects.create(object_type="contact", name="plan", label="Plan",
                                      type="text", archived=True)
    assert unknown_tokens("{{ contact.plan }}") == ["contact.plan"]


def test_sender_tokens_without_a_sender_show_a_placeholder_address():
    assert sender_context(None)["postal_address"] == "[Your postal address]"


def test_rendering_is_fast_enough_for_the_send_engine():
    """The send engine renders every recipient: at least 2,000 newsletters a second."""
    template = get_template("newsletter")
    prepared = prepare(compile_document(template.document, subject=template.subject,
                                        preheader=template.preheader))
    context = sample_context() | {"sender": sender_context(None),
                                  "unsubscribe_url": "https://example.com/email/u/abc/",
                                  "preferences_url": "https://example.com/email/p/abc/"}
    best = 0.0
    for _attempt in range(3):  # the best of three, so a busy moment doesn't decide
        started = time.perf_counter()
        for number in range(1000):
            context["contact"] = context["contact"] | {"first_name": f"Person {number}"}
            prepared.render(context)
        best = max(best, 1000 / (time.perf_counter() - started))
    assert best >= 2000, f"{best:.0f} renders/s"
