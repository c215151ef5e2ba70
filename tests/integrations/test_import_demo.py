"""The demo workspace has one finished import, loaded once."""

from clarion.crm.models import Contact
from clarion.integrations import demo
from clarion.integrations.models import ImportJob


def test_demo_import_loads_once(admin_user):
    summary = demo.load_demo([admin_user])
    assert "created" in summary
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.failed_count) == (4, 1)
    assert Contact.objects.filter(company__name="Sol Retail").count() == 2
    assert demo.load_demo([admin_user]) == ""
