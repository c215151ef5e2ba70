"""Tabs between the pages of a CRM section: Contacts | Companies, and the deal List | Board,
with the current page marked by aria-current."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _tabs(html: str) -> str:
    match = re.search(r'<nav class="record-tabs".*?</nav>', html, re.S)
    assert match, "the page has no record tabs"
    return match.group(0)


def _current(tabs: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page"', tabs)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_deals_list_links_to_the_board_and_marks_the_list_as_current(admin_client):
    tabs = _tabs(admin_client.get(reverse("crm:deal_list")).content.decode())

    assert f'href="{reverse("board:board")}"' in tabs
    assert _current(tabs) == [reverse("crm:deal_list")]


def test_the_board_links_back_to_the_deals_list(admin_client):
    html = admin_client.get(reverse("board:board")).content.decode()

    assert f'href="{reverse("crm:deal_list")}"' in html


def test_the_deal_tabs_shown_on_the_board_mark_the_board_as_current():
    tabs = _tabs(render_to_string("crm/section_tabs.html", {"deal_view": "board"}))

    assert f'href="{reverse("crm:deal_list")}"' in tabs
    assert _current(tabs) == [reverse("board:board")]


@pytest.mark.parametrize("type_name", ["contact", "company"])
def test_contact_and_company_lists_have_tabs_between_them_with_the_current_one_marked(
        admin_client, type_name):
    tabs = _tabs(admin_client.get(reverse(f"crm:{type_name}_list")).content.decode())

    assert f'href="{reverse("crm:contact_list")}"' in tabs
    assert f'href="{reverse("crm:company_list")}"' in tabs
    assert f'href="{reverse("board:board")}"' not in tabs
    assert _current(tabs) == [reverse(f"crm:{type_name}_list")]
