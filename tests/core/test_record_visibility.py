"""Record visibility: own / team / all, for lists (visible_to) and single records (can)."""

import pytest

from clarion.accounts.models import Role, Team
from clarion.accounts.services import create_user
from clarion.core.permissions import can, visible_to
from clarion.crm.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(roles):
    sales, marketing = Team.objects.create(name="Sales"), Team.objects.create(name="Marketing")
    own = Role.objects.create(name="Own only", capabilities=["contacts.view_own",
                                                             "contacts.edit_own"])
    team = Role.objects.create(name="Team", capabilities=["contacts.view_team",
                                                          "contacts.edit_own"])
    make = lambda email, role, teams: create_user(email=email, password="pw", role=role,  # noqa: E731
                                                  teams=teams)
    return {
        "ann": make("ann@example.com", own, [sales]),
        "ben": make("ben@example.com", team, [sales]),
        "cat": make("cat@example.com", team, [marketing]),
        "dan": make("dan@example.com", roles["Admin"], []),
        "eve": make("eve@example.com", None, []),
    }


@pytest.fixture
def contacts(people):
    return {name: Contact.objects.create(email=f"{name}-lead@example.com", owner=user)
            for name, user in people.items()}


def visible_emails(user):
    return set(visible_to(user, Contact.objects.all()).values_list("email", flat=True))


def test_own_scope_sees_only_records_they_own(people, contacts):
    assert visible_emails(people["ann"]) == {"ann-lead@example.com"}


def test_team_scope_sees_records_owned_by_teammates(people, contacts):
    assert visible_emails(people["ben"]) == {"ann-lead@example.com", "ben-lead@example.com"}
    assert visible_emails(people["cat"]) == {"cat-lead@example.com"}


def test_all_scope_sees_everything_and_no_role_sees_nothing(people, contacts):
    assert len(visible_emails(people["dan"])) == 5
    assert visible_emails(people["eve"]) == set()


def test_can_view_matches_visible_to_for_every_user_and_record(people, contacts):
    for user in people.values():
        visible = visible_emails(user)
        for contact in contacts.values():
            assert can(user, "view", contact) == (contact.email in visible)


def test_editing_uses_the_edit_scope_not_the_view_scope(people, contacts):
    assert can(people["ben"], "view", contacts["ann"])
    assert not can(people["ben"], "edit", contacts["ann"])
    assert can(people["ben"], "edit", contacts["ben"])


def test_delete_needs_the_delete_capability_on_top_of_edit(people, contacts):
    assert not can(people["ann"], "delete", contacts["ann"])
    assert can(people["dan"], "delete", contacts["ann"])


def test_an_unowned_record_is_visible_only_with_the_all_scope(people):
    orphan = Contact.objects.create(email="orphan@example.com")

    assert can(people["dan"], "view", orphan)
    assert not can(people["ann"], "view", orphan)
    assert not can(people["ben"], "view", orphan)
