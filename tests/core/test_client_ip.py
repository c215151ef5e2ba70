import pytest
from django.test import RequestFactory, override_settings

from clarion.core.http import client_ip


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(CLARION_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_ip(request_from("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


@override_settings(CLARION_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client():
    assert client_ip(request_from("10.1.2.3", "198.51.100.1")) == "198.51.100.1"


@override_settings(CLARION_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_addresses_the_client_wrote_into_the_header_are_not_believed():
    request = request_from("10.1.2.3", "192.0.2.66, 198.51.100.1")

    assert client_ip(request) == "198.51.100.1"


@override_settings(CLARION_TRUSTED_PROXIES=["10.0.0.1", "10.0.0.2"])
def test_a_chain_of_trusted_proxies_is_skipped_from_the_right():
    request = request_from("10.0.0.1", "198.51.100.1, 10.0.0.2")

    assert client_ip(request) == "198.51.100.1"


@override_settings(CLARION_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address():
    assert client_ip(request_from("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", None])
@override_settings(CLARION_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_trusted_proxy_without_a_usable_header_is_the_address(forwarded):
    assert client_ip(request_from("10.1.2.3", forwarded)) == "10.1.2.3"


@override_settings(CLARION_TRUSTED_PROXIES=["2001:db8::/32"])
def test_ipv6_proxies_and_clients_are_understood():
    assert client_ip(request_from("2001:db8::1", "2001:db8:ffff::1, 198.51.100.1")) == \
        "198.51.100.1"
