"""Fixtures for the tasks tests: people in a team, a queue, a contact to link tasks to."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.accounts.models import Team
from clarion.accounts.services import create_user
from clarion.crm.models import Company, Contact
from clarion.crm.services import create_record
from clarion.tasks.models import TaskQueue
from tests.browser.conftest import browser, live_url, page  # noqa: F401  (browser fixtures)

PASSWORD = "correct horse battery"


@pytest.fixture
def team(db):
    return Team.objects.create(name="Inside sales")


@pytest.fixture
def ada(roles, team):
    user = create_user(email="ada@example.com", password=PASSWORD, first_name="Ada",
                       last_name="Lovelace", role=roles["Sales"], teams=[team])
    return user


@pytest.fixture
def bob(roles, team):
    return create_user(email="bob@example.com", password=PASSWORD, first_name="Bob",
                       last_name="Byte", role=roles["Sales"], teams=[team])


@pytest.fixture
def carol(roles):
    """Someone in no team, with the same role: sees none of Ada's and Bob's tasks."""
    return create_user(email="carol@example.com", password=PASSWORD, first_name="Carol",
                       role=roles["Sales"])


@pytest.fixture
def manager(roles, team):
    return create_user(email="mia@example.com", password=PASSWORD, first_name="Mia",
                       role=roles["Sales manager"], teams=[team])


@pytest.fixture
def queue(team):
    return TaskQueue.objects.create(name="Inbound leads", team=team)


@pytest.fixture
def contact(ada):
    return create_record(Contact, actor=ada, values={"owner": ada, "first_name": "Grace",
                                                     "last_name": "Hopper",
                                                     "email": "grace@example.com"})


@pytest.fixture
def company(ada):
    return create_record(Company, actor=ada, values={"owner": ada, "name": "Navy Labs"})


def in_hours(hours: float):
    return timezone.now() + timedelta(hours=hours)
