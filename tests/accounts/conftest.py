import pyotp
import pytest

from clarion.accounts import services, two_factor

PASSWORD = "correct horse battery"


@pytest.fixture
def sign_in(client):
    """POST the sign-in form the way the browser does."""

    def post(email: str, password: str = PASSWORD, **extra):
        return client.post("/accounts/login/", {"username": email, "password": password},
                           **extra)

    return post


@pytest.fixture
def totp_user(sales_user):
    """Sam, with two-factor authentication on. `.totp` makes codes; `.shown_recovery_codes`
    holds the codes shown at set-up. Set-up used the previous step's code, so the current one
    is still unused."""
    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    sales_user.shown_recovery_codes = services.enable_two_factor(
        user=sales_user, secret=secret, code=totp.generate_otp(two_factor.current_step() - 1))
    sales_user.totp = totp
    return sales_user


def current_code(user) -> str:
    return user.totp.generate_otp(two_factor.current_step())
