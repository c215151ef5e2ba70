import pytest

from clarion.crm.models import Company, Contact

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model, values", [
    (Contact, {"first_name": "Nobody's", "email": "nobody@example.com"}),
    (Company, {"name": "Ownerless Ltd"})])
def test_a_record_without_an_owner_shows_a_dash(client, admin_user, model, values):
    record = model.objects.create(**values)
    client.force_login(admin_user)

    page = client.get(record.get_absolute_url())

    assert page.status_code == 200
    assert "Owner: —" in page.content.decode()
