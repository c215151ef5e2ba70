import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from clarion.accounts.models import User
from clarion.accounts.services import create_user, ensure_default_roles


class Command(BaseCommand):
    help = "Create an administrator who can sign in and manage everything."

    def add_arguments(self, parser):
        parser.add_argument("--email")
        parser.add_argument("--password", help="Prompted for when omitted.")

    def handle(self, *args, email, password, **options):
        email = (email or input("Email: ")).strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not a valid email address") from error
        if User.objects.filter(email=email).exists():
            raise CommandError(f"A user with the email {email} already exists")
        password = password or getpass.getpass("Password: ")
        if len(password) < 8:
            raise CommandError("The password must be at least 8 characters long")
        admin_role = ensure_default_roles()["Admin"]
        create_user(email=email, password=password, role=admin_role, is_admin=True)
        self.stdout.write(self.style.SUCCESS(f"Administrator {email} created"))
