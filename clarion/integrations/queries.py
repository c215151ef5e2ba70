"""Reads of imports for pages and the API: a person sees their own imports; people who manage
settings see everyone's."""

from django.db.models import QuerySet

from clarion.core.permissions import has_capability
from clarion.integrations.imports.mapping import ImportField, fields_for
from clarion.integrations.models import ImportJob


def imports_of(user) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("owner", "list")
    if has_capability(user, "settings.manage"):
        return jobs
    return jobs.filter(owner_id=user.pk)


def get_import_for(user, import_id: int) -> ImportJob | None:
    return imports_of(user).filter(pk=import_id).first()


def mapping_targets(job: ImportJob) -> list[ImportField]:
    """Every field a column of this import may fill, core fields first (for the mapping
    step's dropdowns)."""
    return list(fields_for(job.object_type).values())
