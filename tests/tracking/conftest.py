from tests.browser.conftest import browser, live_url, page  # noqa: F401  (browser fixtures)
