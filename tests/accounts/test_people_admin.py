import pytest

from clarion.accounts.models import Invitation, Team
from clarion.accounts.services import create_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def crowd(roles):
    """Twenty people in two teams each, and a few pending invitations."""
    teams = [Team.objects.create(name=f"Team {number}") for number in range(4)]
    for number in range(20):
        create_user(email=f"person{number}@example.com", password=None,
                    first_name=f"Person {number}", role=roles["Sales"],
                    teams=teams[number % 2:number % 2 + 2])
    for number in range(3):
        invitation = Invitation.objects.create(email=f"guest{number}@example.com",
                                               token_hash=f"{number:064d}", role=roles["Sales"])
        invitation.teams.set(teams[:2])


def test_users_list_shows_role_teams_two_factor_and_status(admin_client, sales_user):
    sales_user.teams.add(Team.objects.create(name="North"))

    page = admin_client.get("/settings/users/").text

    assert "sam@example.com" in page and "Sales" in page and "North" in page
    assert "Never" in page


def test_users_list_query_count_does_not_grow_with_people(admin_client, crowd,
                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = admin_client.get("/settings/users/")

    assert response.text.count("@example.com</td>") == 21 + 3


def test_editing_a_user_changes_role_teams_and_active_flag(admin_client, sales_user, roles):
    team = Team.objects.create(name="North")

    response = admin_client.post(f"/settings/users/{sales_user.pk}/", {
        "role": roles["Support"].pk, "teams": [team.pk]})

    assert response.url == "/settings/users/"
    sales_user.refresh_from_db()
    assert sales_user.role == roles["Support"] and not sales_user.is_active
    assert list(sales_user.teams.all()) == [team]


def test_a_deactivated_user_can_not_sign_in(admin_client, client, sales_user, roles):
    admin_client.post(f"/settings/users/{sales_user.pk}/", {"role": roles["Sales"].pk})
    client.logout()

    response = client.post("/accounts/login/", {"username": "sam@example.com",
                                                "password": "correct horse battery"})

    assert "This account has been deactivated" in response.text


def test_you_can_not_deactivate_yourself(admin_client, admin_user, roles):
    response = admin_client.post(f"/settings/users/{admin_user.pk}/",
                                 {"role": roles["Admin"].pk})

    assert "You can&#x27;t deactivate your own account." in response.text
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_editing_a_missing_user_is_a_404(admin_client):
    assert admin_client.get("/settings/users/999999/").status_code == 404


def test_a_bad_role_id_is_a_form_error(admin_client, sales_user):
    response = admin_client.post(f"/settings/users/{sales_user.pk}/",
                                 {"role": "nonsense", "is_active": "on"})

    assert response.status_code == 200 and "Select a valid choice" in response.text


@pytest.mark.parametrize("url", [
    "/settings/users/", "/settings/users/invite/", "/settings/sign-in-log/",
    "/settings/teams/", "/settings/roles/", "/settings/roles/new/",
])
def test_people_pages_are_forbidden_to_a_sales_user(client, sales_user, url):
    client.force_login(sales_user)

    assert client.get(url).status_code == 403


def test_editing_a_user_is_forbidden_to_a_sales_user(client, sales_user, admin_user, roles):
    client.force_login(sales_user)

    response = client.post(f"/settings/users/{admin_user.pk}/", {"role": roles["Sales"].pk})

    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active
