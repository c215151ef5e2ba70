"""The demo workspace: a few people in teams with the shipped roles."""

from django.db import transaction

from clarion.accounts.models import Team, User
from clarion.accounts.services import create_user, ensure_default_roles

DEMO_PASSWORD = "clarion-demo"
DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_PEOPLE = [
    # email, first, last, role, teams, admin
    (DEMO_ADMIN_EMAIL, "Ada", "Admin", "Admin", ["Sales", "Marketing"], True),
    ("maya@example.com", "Maya", "Marketer", "Marketing", ["Marketing"], False),
    ("sam@example.com", "Sam", "Seller", "Sales", ["Sales"], False),
    ("mia@example.com", "Mia", "Manager", "Sales manager", ["Sales"], False),
    ("sol@example.com", "Sol", "Support", "Support", ["Support"], False),
    ("li@example.com", "Li", "Wei", "Read-only", [], False),
]


@transaction.atomic
def load_demo_workspace() -> list[User]:
    roles = ensure_default_roles()
    teams = {name: Team.objects.get_or_create(name=name)[0]
             for name in ("Sales", "Marketing", "Support")}
    people = []
    for email, first, last, role, team_names, admin in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first() or create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last,
            role=roles[role], teams=[teams[name] for name in team_names], is_admin=admin)
        people.append(user)
    return people
