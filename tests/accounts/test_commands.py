import pytest
from django.core.management import CommandError, call_command

from clarion.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_demo_loads_users_teams_and_roles_and_can_run_twice():
    call_command("demo")
    call_command("demo")

    assert User.objects.filter(is_guest=False).count() == 6
    assert User.objects.get(email="admin@example.com").check_password("clarion-demo")
    assert set(Role.objects.values_list("name", flat=True)) >= {
        "Admin", "Marketing", "Sales", "Sales manager", "Support", "Read-only"}


def test_createadmin_makes_a_staff_user_with_the_admin_role():
    call_command("createadmin", email="Boss@Example.com", password="long enough pw")

    boss = User.objects.get(email="boss@example.com")
    assert boss.is_superuser and boss.role.name == "Admin"


def test_createadmin_rejects_a_bad_email():
    with pytest.raises(CommandError, match="not a valid email"):
        call_command("createadmin", email="not-an-email", password="long enough pw")
