"""When two contacts are merged, the survivor keeps the loser's consent: its consent log
entries move over, and each subscription the survivor has no state for moves with them.
Where both held a state for the same type, the more recent choice wins — it is the person's
latest word on it."""

from clarion.crm.merge import MERGE_HOOKS, on_merge
from clarion.crm.models import Contact
from clarion.subscriptions.models import ConsentRecord, Subscription


def move_consent(survivor, loser) -> None:
    if not isinstance(survivor, Contact):
        return
    ConsentRecord.objects.filter(contact=loser).update(contact=survivor)
    theirs = {row.subscription_type_id: row
              for row in Subscription.objects.select_for_update().filter(contact=loser)}
    if not theirs:
        return
    ours = {row.subscription_type_id: row
            for row in Subscription.objects.select_for_update().filter(
                contact=survivor, subscription_type_id__in=list(theirs))}
    for type_id, row in theirs.items():
        kept = ours.get(type_id)
        if kept is None:
            Subscription.objects.filter(pk=row.pk).update(contact=survivor)
        elif row.updated_at > kept.updated_at:
            Subscription.objects.filter(pk=kept.pk).update(status=row.status,
                                                           updated_at=row.updated_at)


def register() -> None:
    if move_consent not in MERGE_HOOKS:
        on_merge(move_consent)
