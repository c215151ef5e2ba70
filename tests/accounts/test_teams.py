import pytest

from clarion.accounts.models import Team
from clarion.accounts.services import create_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_creating_a_team_with_members(admin_client, sales_user):
    response = admin_client.post("/settings/teams/", {"new-name": "North",
                                                      "new-members": [sales_user.pk]})

    assert response.url == "/settings/teams/"
    assert list(Team.objects.get(name="North").members.all()) == [sales_user]


def test_a_duplicate_team_name_is_a_form_error(admin_client):
    Team.objects.create(name="North")

    response = admin_client.post("/settings/teams/", {"new-name": "North"})

    assert response.status_code == 400 and "already exists" in response.text


def test_renaming_a_team_and_changing_its_members(admin_client, sales_user, admin_user):
    team = Team.objects.create(name="North")
    team.members.add(sales_user)

    admin_client.post(f"/settings/teams/{team.pk}/", {"name": "South",
                                                      "members": [admin_user.pk]})

    team.refresh_from_db()
    assert team.name == "South" and list(team.members.all()) == [admin_user]


def test_saving_a_team_keeps_its_deactivated_members(admin_client, sales_user, admin_user):
    team = Team.objects.create(name="North")
    team.members.add(sales_user, admin_user)
    sales_user.is_active = False
    sales_user.save()

    admin_client.post(f"/settings/teams/{team.pk}/", {"name": "North",
                                                      "members": [admin_user.pk]})

    assert set(team.members.all()) == {sales_user, admin_user}


def test_the_team_page_names_its_deactivated_members(admin_client, sales_user):
    team = Team.objects.create(name="North")
    team.members.add(sales_user)
    sales_user.is_active = False
    sales_user.save()

    response = admin_client.get(f"/settings/teams/{team.pk}/")

    assert "Sam" in response.text and "deactivated members" in response.text.lower()


def test_deleting_a_team_keeps_its_members(admin_client, sales_user):
    team = Team.objects.create(name="North")
    team.members.add(sales_user)

    admin_client.post(f"/settings/teams/{team.pk}/delete/")

    assert not Team.objects.exists()
    sales_user.refresh_from_db()
    assert sales_user.is_active


def test_teams_list_shows_member_counts_in_constant_queries(
        admin_client, roles, django_assert_max_num_queries):
    teams = [Team.objects.create(name=f"Team {number}") for number in range(10)]
    for number in range(10):
        create_user(email=f"p{number}@example.com", password=None, teams=teams[:number])

    with django_assert_max_num_queries(7):
        page = admin_client.get("/settings/teams/").text

    assert "Team 9" in page


def test_deleting_is_a_post(admin_client):
    team = Team.objects.create(name="North")

    assert admin_client.get(f"/settings/teams/{team.pk}/delete/").status_code == 405


def test_a_sales_user_can_not_change_teams(client, sales_user):
    team = Team.objects.create(name="North")
    client.force_login(sales_user)

    assert client.post(f"/settings/teams/{team.pk}/", {"name": "Mine"}).status_code == 403
    assert client.post(f"/settings/teams/{team.pk}/delete/").status_code == 403
    assert Team.objects.get().name == "North"
