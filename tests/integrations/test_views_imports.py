"""The integrations section home and the import wizard's pages: who may use them, what each
step shows and does, bounded queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clarion.accounts.services import create_user
from clarion.crm.models import Contact
from clarion.integrations import services
from clarion.integrations.models import ImportJob
from clarion.segments.models import Segment
from tests.integrations.import_support import csv_file, import_rows

pytestmark = pytest.mark.django_db
ROWS = [["First Name", "Last Name", "Email Address", "Favourite colour"],
        ["Ada", "Lovelace", "ada@example.com", "green"],
        ["Bob", "Bad", "not-an-email", "red"]]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def upload(client, rows=ROWS, name="people.csv", **fields):
    data = {"object_type": "contact", "mode": "upsert", "match_by": "email", **fields,
            "file": SimpleUploadedFile(name, csv_file(rows).read())}
    return client.post("/imports/new/", data)


def uploaded(admin_user, rows=ROWS) -> ImportJob:
    file = csv_file(rows)
    return services.create_import(actor=admin_user, file=file, name=file.name,
                                  object_type="contact")


def test_the_wizard_needs_the_import_capability(client, sales_user):
    client.force_login(sales_user)

    assert client.get("/imports/new/").status_code == 403
    home = client.get("/integrations/").content.decode()
    assert "Your role may not import or export records" in home
    assert "/imports/new/" not in home


def test_the_home_lists_imports_with_counts_in_few_queries(admin_client, admin_user,
                                                           django_assert_max_num_queries):
    for _ in range(3):
        import_rows(admin_user, ROWS)

    with django_assert_max_num_queries(10):
        response = admin_client.get("/integrations/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("people.csv") == 3
    assert 'href="/imports/new/"' in page


def test_an_exporter_without_import_rights_sees_only_exports(client, roles):
    manager = create_user(email="mia@example.com", password="correct horse battery",
                          role=roles["Sales manager"])
    client.force_login(manager)

    page = client.get("/integrations/").content.decode()

    assert "/exports/" in page
    assert "/imports/new/" not in page


def test_uploading_goes_to_the_mapping_with_columns_mapped(admin_client):
    response = upload(admin_client)

    job = ImportJob.objects.get()
    assert response.url == f"/imports/{job.pk}/mapping/"
    page = admin_client.get(response.url).content.decode()
    assert "ada@example.com" in page  # sample values
    assert '<option value="email" selected>' in page
    assert "Create a property from “Favourite colour”" in page


def test_an_unreadable_file_is_refused_with_the_reason(admin_client):
    response = admin_client.post("/imports/new/", {
        "object_type": "contact", "mode": "upsert", "match_by": "email",
        "file": SimpleUploadedFile("empty.csv", b"")})

    assert response.status_code == 400
    assert not ImportJob.objects.exists()
    assert 'class="field-error"' in response.content.decode()


def test_an_impossible_match_key_is_explained(admin_client):
    response = upload(admin_client, object_type="deal", match_by="email")

    assert response.status_code == 400
    assert "can be matched by" in response.content.decode()


def test_the_mapping_form_saves_mapping_and_transforms(admin_client, admin_user):
    job = uploaded(admin_user)

    response = admin_client.post(f"/imports/{job.pk}/mapping/", {
        "map-0": "first_name", "map-1": "last_name", "map-2": "email", "map-3": "",
        "transform-0": "map_values", "values-0": "Ada = Augusta"})

    assert response.url == f"/imports/{job.pk}/preview/"
    job.refresh_from_db()
    assert job.mapping["Favourite colour"] == ""
    assert job.transforms == {"First Name": {"kind": "map_values",
                                             "values": {"Ada": "Augusta"}}}


def test_two_columns_for_one_property_is_an_error_on_the_page(admin_client, admin_user):
    job = uploaded(admin_user)

    response = admin_client.post(f"/imports/{job.pk}/mapping/", {
        "map-0": "email", "map-2": "email"})

    assert response.status_code == 400
    assert "both fill" in response.content.decode()


def test_a_property_is_created_from_an_unmapped_column(admin_client, admin_user):
    job = uploaded(admin_user)

    response = admin_client.post(f"/imports/{job.pk}/mapping/", {
        "map-0": "first_name", "map-1": "last_name", "map-2": "email",
        "create_property": "3", "new-label-3": "Favourite colour", "new-type-3": "text"})

    assert response.url == f"/imports/{job.pk}/mapping/"
    job.refresh_from_db()
    assert job.mapping["Favourite colour"] == "favourite_colour"
    assert job.mapping["Email Address"] == "email"


def test_the_preview_shows_problems_in_words(admin_client, admin_user):
    job = uploaded(admin_user)

    response = admin_client.get(f"/imports/{job.pk}/preview/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 row shown has a problem" in page
    assert 'class="import-cell-problem">not-an-email<p class="field-error">Email:' in page
    assert not Contact.objects.exists()


def test_starting_runs_the_import_and_shows_the_results(admin_client, admin_user,
                                                        django_capture_on_commit_callbacks):
    job = uploaded(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/imports/{job.pk}/preview/")

    assert response.url == f"/imports/{job.pk}/"
    page = admin_client.get(response.url).content.decode()
    assert 'data-count="created">1<' in page
    assert 'data-count="failed">1<' in page
    assert "Download error file" in page and "Undo import" in page
    assert Contact.objects.filter(email="ada@example.com").exists()


def test_a_running_import_polls_its_progress(admin_client, admin_user):
    job = uploaded(admin_user)
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=200,
                                               processed_rows=50)

    page = admin_client.get(f"/imports/{job.pk}/").content.decode()
    partial = admin_client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in page
    assert "50 of 200 rows processed (25%)" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_a_started_import_leads_from_mapping_and_preview_to_its_results(admin_client,
                                                                        admin_user):
    job = import_rows(admin_user, ROWS)

    for step in ("mapping", "preview"):
        response = admin_client.post(f"/imports/{job.pk}/{step}/", {"map-0": "email"})
        assert response.url == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert job.mapping["Email Address"] == "email"


def test_the_error_file_has_line_reason_and_original_cells(admin_client, admin_user):
    job = import_rows(admin_user, ROWS + [["=HYPERLINK(1)", "x", "also-bad", ""]])

    response = admin_client.get(f"/imports/{job.pk}/errors/")

    text = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Disposition"] == 'attachment; filename="people-errors.csv"'
    assert text.startswith("\ufeffLine,Outcome,Reason,First Name")
    lines = text.splitlines()
    assert lines[1].startswith("3,Failed,") and lines[1].endswith(",Bob,Bad,not-an-email,red")
    assert "'=HYPERLINK(1)" in lines[2]


def test_undo_removes_what_the_import_created(admin_client, admin_user):
    job = import_rows(admin_user, ROWS)

    response = admin_client.post(f"/imports/{job.pk}/undo/", follow=True)

    assert "The import was undone" in response.content.decode()
    assert not Contact.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNDONE


def test_the_imported_contacts_go_into_a_new_static_list(admin_client, admin_user):
    job = import_rows(admin_user, ROWS)

    response = admin_client.post(f"/imports/{job.pk}/list/", {"new_list": "From the fair"},
                                 follow=True)

    segment = Segment.objects.get(name="From the fair")
    assert segment.is_static
    assert list(segment.memberships.values_list("contact__email", flat=True)) == [
        "ada@example.com"]
    assert "1 contact added to “From the fair”" in response.content.decode()


def test_a_static_list_chosen_before_the_run_gets_the_contacts(
        admin_client, admin_user, django_capture_on_commit_callbacks):
    segment = Segment.objects.create(name="Fair", kind=Segment.Kind.STATIC)
    job = uploaded(admin_user)
    assert "Add the imported contacts to a static list" in admin_client.get(
        f"/imports/{job.pk}/preview/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/imports/{job.pk}/preview/", {"list": segment.pk})

    assert list(segment.memberships.values_list("contact__email", flat=True)) == [
        "ada@example.com"]
    assert "joined the list “Fair”" in admin_client.get(f"/imports/{job.pk}/").content.decode()


def test_an_importer_sees_only_their_own_imports(client, admin_user, roles):
    job = import_rows(admin_user, ROWS)
    maya = create_user(email="maya@example.com", password="correct horse battery",
                       role=roles["Marketing"])
    client.force_login(maya)

    assert "people.csv" not in client.get("/integrations/").content.decode()
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/errors/").status_code == 404
    assert client.post(f"/imports/{job.pk}/undo/").status_code == 404
