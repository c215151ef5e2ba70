import pytest

from clarion.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_roles_list_shows_user_counts(admin_client, sales_user, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        page = admin_client.get("/settings/roles/").text

    assert "Sales manager" in page and "Read-only" in page


def test_the_role_form_groups_capabilities_by_area(admin_client):
    page = admin_client.get("/settings/roles/new/").text

    assert "<legend>Contacts</legend>" in page and "<legend>Users, teams and roles</legend>" in page
    assert 'value="contacts.view_own"' in page


def test_creating_a_role_from_ticked_capabilities(admin_client):
    response = admin_client.post("/settings/roles/new/", {
        "name": "Intern", "description": "Looks only",
        "capabilities": ["reports.view", "contacts.view_own"]})

    assert response.url == "/settings/roles/"
    role = Role.objects.get(name="Intern")
    assert role.capabilities == ["contacts.view_own", "reports.view"]


def test_an_unknown_capability_is_a_form_error(admin_client):
    response = admin_client.post("/settings/roles/new/", {"name": "Odd",
                                                          "capabilities": ["rockets.launch"]})

    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not Role.objects.filter(name="Odd").exists()


def test_editing_a_role_changes_what_its_users_can_do(admin_client, roles):
    sales = roles["Sales"]

    admin_client.post(f"/settings/roles/{sales.pk}/", {
        "name": "Sales", "capabilities": ["deals.view_all"]})

    sales.refresh_from_db()
    assert sales.capabilities == ["deals.view_all"]


def test_you_can_not_take_people_management_away_from_your_own_role(admin_client, roles,
                                                                    admin_user):
    admin_user.is_superuser = False
    admin_user.save()
    admin = roles["Admin"]

    response = admin_client.post(f"/settings/roles/{admin.pk}/", {
        "name": "Admin", "capabilities": ["reports.view"]})

    assert "your own role" in response.text
    admin.refresh_from_db()
    assert "users.manage" in admin.capabilities


def test_a_role_with_users_can_not_be_deleted(admin_client, sales_user, roles):
    response = admin_client.post(f"/settings/roles/{roles['Sales'].pk}/delete/", follow=True)

    assert "still has users" in response.text
    assert Role.objects.filter(name="Sales").exists()


def test_a_role_without_users_can_be_deleted(admin_client, roles):
    admin_client.post(f"/settings/roles/{roles['Support'].pk}/delete/")

    assert not Role.objects.filter(name="Support").exists()


def test_a_sales_user_can_not_edit_or_delete_roles(client, sales_user, roles):
    client.force_login(sales_user)
    support = roles["Support"]

    assert client.post(f"/settings/roles/{support.pk}/",
                       {"name": "Support", "capabilities": []}).status_code == 403
    assert client.post(f"/settings/roles/{support.pk}/delete/").status_code == 403
    support.refresh_from_db()
    assert support.capabilities
