"""Building senders, sends and audiences for the send engine's tests."""

from clarion.crm.models import Contact
from clarion.sending import services
from clarion.sending.models import SenderIdentity

VARIANT = {
    "subject": "Hello {{ contact.first_name|default('there') }}",
    "preheader": "",
    "html": ('<html><body><p>Hi {{ contact.first_name|default("there") }},</p>'
             '<p><a href="https://example.com/offer">See the offer</a></p>'
             '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a> '
             '{{ sender.postal_address }}</p></body></html>'),
    "text": "Hi {{ contact.first_name|default('there') }}\nhttps://example.com/offer\n"
            "Unsubscribe: {{ unsubscribe_url }}\n",
    "links": ["https://example.com/offer"],
}


def make_sender(**fields) -> SenderIdentity:
    values = {"name": "Newsletter", "from_name": "Acme News", "from_email": "news@acme.example",
              "postal_address": "1 Main Street, Springfield"}
    values.update(fields)
    return services.save_sender(SenderIdentity(**values))


def make_send(*, sender=None, variants=None, subscription_type=None, name="Spring news"):
    return services.create_send(name=name, sender=sender or make_sender(),
                                subscription_type=subscription_type,
                                variants=variants or [VARIANT])


def make_contacts(count: int, *, start: int = 0, **fields) -> list[Contact]:
    Contact.objects.bulk_create([
        Contact(email=f"person{n}@example{n % 7}.com", first_name=f"P{n}", **fields)
        for n in range(start, start + count)])
    return list(Contact.objects.filter(email__in=[f"person{n}@example{n % 7}.com"
                                                  for n in range(start, start + count)]))
