"""The outbound HTTP policy: which addresses may be contacted, pinning to the checked address, redirects, timeouts."""

from __future__ import annotations

import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from config import outbound

from .loopback import Answer, serve


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",  # cloud metadata
        "169.254.0.1",
        "169.254.170.2",
        "fe80::1",
        "fe80::1%eth0",
        "fd00:ec2::254",  # AWS metadata over IPv6, a ULA
        "100.100.100.200",  # Alibaba metadata, in CGNAT
        "168.63.129.16",  # Azure wire server
        "::ffff:169.254.169.254",  # IPv4-mapped
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "::",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.2.10",  # documentation
        "198.18.0.1",  # benchmarking
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_never_contacted(address, allow_private):
    assert outbound.address_problem(address, allow_private=allow_private) is not None


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.9.10", "::1", "10.0.0.5", "172.16.0.1", "172.31.255.254", "192.168.1.16", "fd12:3456::1",
     "100.64.0.1", "::ffff:10.1.2.3"],
)  # fmt: skip
def test_loopback_and_private_only_when_allowed(address):
    assert "INTEGRATIONS_ALLOW_PRIVATE_TARGETS" in outbound.address_problem(address, allow_private=False)
    assert outbound.address_problem(address, allow_private=True) is None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1"])
def test_public_addresses_are_allowed(address):
    assert outbound.address_problem(address, allow_private=False) is None


def test_every_resolved_address_is_checked():
    def resolver(host, port):
        return ["8.8.8.8", "169.254.169.254"]

    with pytest.raises(outbound.BlockedAddress, match="metadata"):
        outbound.resolve("evil.example", 80, allow_private=False, resolver=resolver)


def test_loopback_is_refused_when_private_targets_are_off():
    with serve(lambda r: Answer(body="{}")) as server, pytest.raises(outbound.BlockedAddress, match="loopback"):
        outbound.request("GET", server.url, allow_private=False)
    assert server.seen == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@127.0.0.1/", "user name or password"),
        ("http:///path", "no host"),
        ("http://127.0.0.1:99999/", "port"),
    ],
)
def test_urls_that_are_refused(url, message):
    with pytest.raises(outbound.BlockedAddress, match=message):
        outbound.request("GET", url, allow_private=True)


def test_the_connection_goes_to_the_checked_address_with_the_name_in_host():
    calls = []

    def rebinding_resolver(host, port):  # the first answer is checked and used; a second would be the metadata
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["169.254.169.254"]

    with serve(lambda r: Answer(body='{"ok": true}')) as server:
        response = outbound.request(
            "GET", f"http://prom.test:{server.port}/api", allow_private=True, resolver=rebinding_resolver
        )
    assert response.json() == {"ok": True}
    assert calls == ["prom.test"]
    assert server.seen[0].headers["Host"] == f"prom.test:{server.port}"


def test_a_redirect_within_the_origin_is_followed_and_to_another_host_never():
    with serve(lambda r: Answer(body="elsewhere")) as other:

        def handler(request):
            if request.path == "/":
                return Answer(302, headers={"Location": "/classic/graph"})  # as Prometheus 2.42 answers GET /
            if request.path == "/classic/graph":
                return Answer(body="graph")
            return Answer(302, headers={"Location": f"http://localhost:{other.port}/steal"})

        with serve(handler) as server:
            assert outbound.request("GET", server.url + "/", allow_private=True).text == "graph"
            with pytest.raises(outbound.RedirectRefused, match="another host"):
                outbound.request("GET", server.url + "/away", allow_private=True)
            loop = serve(lambda r: Answer(302, headers={"Location": "/again"}))
        with loop as looping, pytest.raises(outbound.RedirectRefused, match="more than 3"):
            outbound.request("GET", looping.url + "/", allow_private=True)
    assert other.seen == []


def test_a_slow_answer_times_out():
    with serve(lambda r: Answer(body="{}", delay=3)) as server, pytest.raises(outbound.OutboundTimeout):
        outbound.request("GET", server.url, allow_private=True, timeout=(1, 0.5))


def test_a_large_answer_is_refused():
    with serve(lambda r: Answer(body="x" * 2000)) as server, pytest.raises(outbound.ResponseTooLarge):
        outbound.request("GET", server.url, allow_private=True, max_bytes=1000)


def test_nothing_listening_is_a_connection_error():
    with serve(lambda r: Answer()) as server:
        url = server.url
    with pytest.raises(outbound.OutboundConnectionError, match="cannot connect"):
        outbound.request("GET", url, allow_private=True, timeout=(1, 1))


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for prom.test, and an SSL context serving it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "prom.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("prom.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return str(cert_path), context


def test_https_keeps_the_name_for_sni_and_certificate_checks(certificate):
    cert_path, context = certificate
    loopback = lambda host, port: ["127.0.0.1"]  # noqa: E731
    with serve(lambda r: Answer(body='{"tls": true}'), ssl_context=context) as server:
        url = f"https://prom.test:{server.port}/"
        response = outbound.request("GET", url, allow_private=True, verify=cert_path, resolver=loopback)
        assert response.json() == {"tls": True}
        assert server.seen[0].headers["Host"] == f"prom.test:{server.port}"
        with pytest.raises(outbound.OutboundConnectionError, match="TLS"):
            outbound.request(
                "GET", f"https://other.test:{server.port}/", allow_private=True, verify=cert_path, resolver=loopback
            )


# The integrations' one rule for a saved address (webhooks, issue trackers, Prometheus, BMC endpoints) -------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://files.example.com/", "Enter an http:// or https:// URL."),
        ("hooks.example.com/in", "Enter an http:// or https:// URL."),
        ("http:///path", "Enter an http:// or https:// URL with a host."),
        ("https://user:secret@hooks.example.com/", "The URL may not carry a user name or password"),
        ("https://:secret@hooks.example.com/", "The URL may not carry a user name or password"),
        ("http://hooks.example.com:99999/", "The URL's port is not a number from 1 to 65535."),
        ("http://[::1/", "Enter an http:// or https:// URL."),
    ],
)
def test_a_url_that_cannot_be_contacted_is_refused_before_its_host_is_looked_up(url, problem, monkeypatch):
    monkeypatch.setattr(outbound, "_system_resolver", lambda host, port: pytest.fail("resolved"))
    for resolve_host in (True, False):
        refused = outbound.target_problem(url, allow_private=True, resolve_host=resolve_host)
        assert isinstance(refused, outbound.InvalidUrl)
        assert refused.problem.startswith(problem)


def test_the_host_of_a_saved_address_is_checked_resolved_or_as_written(monkeypatch):
    monkeypatch.setattr(outbound, "_system_resolver", lambda host, port: ["10.0.0.8"])
    refused = outbound.target_problem("https://prom.example.com/", allow_private=False)
    assert isinstance(refused, outbound.BlockedAddress)
    assert not isinstance(refused, outbound.InvalidUrl)
    assert "prom.example.com resolves to 10.0.0.8" in str(refused)
    assert outbound.target_problem("https://prom.example.com/", allow_private=True) is None
    # Without resolving, only an address written as such is checked (the name is checked at each connection).
    assert outbound.target_problem("https://prom.example.com/", allow_private=False, resolve_host=False) is None
    written = outbound.target_problem("http://[fe80::1]:9090/", allow_private=True, resolve_host=False)
    assert "link-local" in str(written)


def test_a_host_that_does_not_resolve_is_not_a_refusal(monkeypatch):
    def fails(host, port):
        raise OSError("Name or service not known")

    monkeypatch.setattr(outbound, "_system_resolver", fails)
    problem = outbound.target_problem("https://nowhere.example/", allow_private=False)
    assert isinstance(problem, outbound.OutboundConnectionError)
