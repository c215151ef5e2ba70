"""Generated files with good and bad rows mixed: every row is accounted for exactly once
(created + updated + skipped + failed = rows in the file) and every good row lands."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarion.core.events.models import Event
from clarion.crm.models import Contact
from clarion.integrations import services
from clarion.integrations.models import ImportChange, ImportJob
from tests.integrations.import_support import import_rows

HEADER = ["Email", "First Name", "Lifecycle Stage", "Phone Number"]

good_email = st.builds("{}{}@example.com".format, st.sampled_from(["ann", "bo", "cy", "di"]),
                       st.integers(0, 30))
bad_email = st.sampled_from(["no-at-sign", "two@@example.com", "spaces in@example.com"])
name = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"]),
               max_size=12).map(str.strip)
stage = st.sampled_from(["", "lead", "Customer", "Marketing Qualified Lead", "nonsense"])
phone = st.sampled_from(["", "+14155550100", "+44 20 7946 0958", "12", "(415) 555-0101"])
row = st.tuples(st.one_of(good_email, bad_email), name, stage, phone).map(list)


def expected_outcome(rows: list[list[str]]) -> tuple[dict, int]:
    """What the import must store: the first good row of each email (later ones are
    duplicates). Returns ({email: first name of its first good row}, good row count)."""
    first_good: dict[str, str] = {}
    good = 0
    for email, first_name, lifecycle, phone_number in rows:
        is_bad = ("@" not in email or "@@" in email or " " in email
                  or lifecycle == "nonsense" or phone_number == "12")
        if is_bad:
            continue
        good += 1
        first_good.setdefault(email.lower(), first_name[:120])
    return first_good, good


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=40))
def test_every_row_is_accounted_for_once_and_every_good_row_lands(admin_user, rows):
    Contact.objects.all().delete()
    Event.objects.filter(kind="contact.imported").delete()
    job = import_rows(admin_user, [HEADER, *rows])
    assert job.status == ImportJob.Status.DONE
    counts = job.created_count + job.updated_count + job.skipped_count + job.failed_count
    nonblank = [r for r in rows if any(cell.strip() for cell in r)]
    assert counts == job.processed_rows == job.total_rows == len(nonblank)
    first_good, good = expected_outcome(nonblank)
    assert job.created_count == len(first_good)
    assert job.skipped_count == good - len(first_good)      # duplicates within the file
    assert job.failed_count == len(nonblank) - good
    stored = dict(Contact.objects.values_list("email", "first_name"))
    assert stored == first_good
    # Each failed or skipped row is in the error file once, with its line number.
    lines = [error.line for error in services.error_rows(job)]
    assert len(lines) == len(set(lines)) == job.failed_count + job.skipped_count
    assert ImportChange.objects.filter(job=job).count() == job.created_count
    assert Event.objects.filter(kind="contact.imported").count() == job.created_count
    # The same file again changes nothing and emits nothing.
    again = import_rows(admin_user, [HEADER, *rows])
    assert (again.created_count, again.updated_count) == (0, 0)
    assert again.skipped_count + again.failed_count == len(nonblank)
    assert Event.objects.filter(kind="contact.imported").count() == job.created_count
