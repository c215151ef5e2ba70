# The browser harness's fixtures, for the chat's browser tests.
from tests.browser.conftest import asgi_url, browser, live_url, page  # noqa: F401
