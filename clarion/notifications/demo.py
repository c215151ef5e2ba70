"""Demo guest: an outside designer with one deal shared, to try the guest's view."""

from django.db import transaction

from clarion.accounts.demo import DEMO_PASSWORD
from clarion.accounts.guests import share_with_guest
from clarion.accounts.models import GuestGrant
from clarion.crm.models import Deal

DEMO_GUEST_EMAIL = "guest@example.com"


@transaction.atomic
def load_demo(people) -> str:
    if GuestGrant.objects.exists():
        return ""
    admin = next((person for person in people if person.is_superuser), None)
    deal = Deal.objects.order_by("pk").first()
    if admin is None or deal is None:
        return ""
    grant = share_with_guest(actor=admin, target=deal, email=DEMO_GUEST_EMAIL,
                             first_name="Gia")
    grant.user.set_password(DEMO_PASSWORD)
    grant.user.save(update_fields=["password"])
    return (f"Demo guest {DEMO_GUEST_EMAIL} (same password) can open the deal “{deal}” "
            "and nothing else.")
