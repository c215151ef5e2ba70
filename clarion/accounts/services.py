"""Every write to accounts: users, roles, teams."""

from django.db import transaction

from clarion.accounts.models import Role, Team, User
from clarion.core.capabilities import DEFAULT_ROLES


def ensure_default_roles() -> dict[str, Role]:
    """Create the shipped roles that are missing; existing roles keep their edits."""
    roles = {}
    for name, capabilities in DEFAULT_ROLES.items():
        roles[name], _ = Role.objects.get_or_create(name=name,
                                                    defaults={"capabilities": capabilities})
    return roles


@transaction.atomic
def create_user(*, email: str, password: str | None, first_name: str = "", last_name: str = "",
                role: Role | None = None, teams: list[Team] = (), is_admin: bool = False) -> User:
    user = User.objects.create_user(email=email, password=password, first_name=first_name,
                                    last_name=last_name, role=role, is_staff=is_admin,
                                    is_superuser=is_admin)
    user.teams.set(teams)
    return user
