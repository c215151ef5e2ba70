"""Global search: what matches, grouping by type, visibility, and bounded queries."""

import pytest

from clarion.crm.models import Company, Contact, Deal, Pipeline
from clarion.crm.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def found(user, query) -> dict[str, list[str]]:
    return {group.object_type.name: [str(r) for r in group.records]
            for group in search(user, query)}


def test_contacts_match_by_name_email_phone_and_company(admin_user):
    acme = Company.objects.create(name="Acme Corp", domain="acme.com")
    Contact.objects.create(first_name="Ada", last_name="Lovelace", email="ada@math.org",
                           phone="+44 20 1234", company=acme)
    Contact.objects.create(first_name="Bob", email="bob@other.org")

    assert found(admin_user, "lovel")["contact"] == ["Ada Lovelace"]
    assert found(admin_user, "ADA@MATH")["contact"] == ["Ada Lovelace"]
    assert found(admin_user, "+44 20")["contact"] == ["Ada Lovelace"]
    assert found(admin_user, "ada lov")["contact"] == ["Ada Lovelace"]
    assert found(admin_user, "acme")["contact"] == ["Ada Lovelace"]


def test_companies_match_by_name_and_domain_and_deals_by_name(admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    Company.objects.create(name="Globex", domain="globex.io")
    Deal.objects.create(name="Globex renewal", pipeline=pipeline,
                        stage=pipeline.stages.first())

    results = found(admin_user, "glob")

    assert results == {"company": ["Globex"], "deal": ["Globex renewal"]}
    assert found(admin_user, "globex.io") == {"company": ["Globex"]}


def test_search_shows_only_records_the_user_may_see(sales_user, admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    stage = pipeline.stages.first()
    Deal.objects.create(name="Zeta mine", pipeline=pipeline, stage=stage, owner=sales_user)
    Deal.objects.create(name="Zeta theirs", pipeline=pipeline, stage=stage, owner=admin_user)

    assert found(sales_user, "zeta") == {"deal": ["Zeta mine"]}


def test_suggestions_show_five_per_type_and_a_link_to_all(admin_client,
                                                          django_assert_max_num_queries):
    Contact.objects.bulk_create([Contact(email=f"sam{i}@example.com") for i in range(8)])

    with django_assert_max_num_queries(8):
        response = admin_client.get("/search/suggest/", {"q": "sam"})

    body = response.content.decode()
    assert body.count('role="option"') == 5 + 1
    assert "/search/?q=sam" in body


def test_the_results_page_lists_more_than_the_dropdown(admin_client):
    Contact.objects.bulk_create([Contact(email=f"sam{i}@example.com") for i in range(8)])

    response = admin_client.get("/search/", {"q": "sam"})

    assert all(f"sam{i}@example.com" in response.content.decode() for i in range(8))


def test_search_needs_sign_in(client, db):
    assert client.get("/search/", {"q": "sam"}).status_code == 302
    assert client.get("/search/suggest/", {"q": "sam"}).status_code == 302


def test_wildcards_in_the_query_are_literal(admin_user):
    Contact.objects.create(email="percent@example.com")

    assert found(admin_user, "%") == {}
    assert found(admin_user, "_") == {}
