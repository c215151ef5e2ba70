"""Per-domain rates: reservations within a window, and windows for slow limits."""

from unittest import mock

from clarion.sending import throttle


def test_a_window_grants_up_to_the_limit_then_nothing():
    with mock.patch("clarion.sending.throttle.time.time", return_value=1000.2):
        assert throttle.reserve("gmail.com", 30, 50)[0] == 30
        granted, wait = throttle.reserve("gmail.com", 30, 50)
        assert granted == 20 and 0 < wait <= 0.8 + 1e-9
        assert throttle.reserve("gmail.com", 5, 50)[0] == 0
        assert throttle.reserve("yahoo.com", 5, 50)[0] == 5  # domains count apart


def test_the_next_window_starts_afresh():
    with mock.patch("clarion.sending.throttle.time.time", return_value=2000.1):
        assert throttle.reserve("gmail.com", 60, 50)[0] == 50
    with mock.patch("clarion.sending.throttle.time.time", return_value=2001.1):
        assert throttle.reserve("gmail.com", 60, 50)[0] == 50


def test_a_limit_under_one_per_second_allows_one_per_longer_window():
    assert throttle.window_of(0.25) == (4.0, 1)
    with mock.patch("clarion.sending.throttle.time.time", return_value=4000.5):
        assert throttle.reserve("slow.example", 3, 0.25)[0] == 1
        assert throttle.reserve("slow.example", 3, 0.25)[0] == 0


def test_the_star_limit_applies_to_every_other_domain():
    limits = {"gmail.com": 50.0, "*": 10.0}
    assert throttle.limit_for("gmail.com", limits) == 50
    assert throttle.limit_for("example.org", limits) == 10
    assert throttle.limit_for("example.org", {"gmail.com": 5.0}) is None
