"""The one way the project makes HTTP requests to systems its users name (Prometheus, Redfish BMCs, NetBox, webhooks).

A user-supplied URL is a server-side request forgery risk: it can point at the cloud's metadata service, at the
database, at anything on the installation's network. Every outbound request therefore goes through this module:

- **Address policy** (:func:`address_problem`): the host is resolved and *every* address it resolves to is checked.
  Link-local addresses (``169.254.0.0/16``, ``fe80::/10``, where cloud metadata services live) and the known
  metadata addresses, multicast, unspecified and reserved addresses are **never** allowed. Loopback
  (``127.0.0.0/8``, ``::1``) and private ranges (RFC 1918 ``10/8``, ``172.16/12``, ``192.168/16``; ULA
  ``fc00::/7``; CGNAT ``100.64/10``) only when the caller passes ``allow_private=True`` (for integrations: the
  setting ``INTEGRATIONS_ALLOW_PRIVATE_TARGETS``, see :func:`integrations_allow_private`). IPv4 addresses embedded
  in IPv6 (mapped ``::ffff:a.b.c.d``, 6to4, Teredo, NAT64 ``64:ff9b::/96``) are checked as the IPv4 address.
- **Pinning**: the connection goes to the address that was checked, not to a second DNS answer (no DNS-rebinding
  window); the ``Host`` header and, over HTTPS, SNI and certificate verification keep the name from the URL.
- **Redirects**: followed only within the same origin (scheme, host and port), at most ``max_redirects`` times,
  each hop checked again; a redirect to another host raises :class:`RedirectRefused` and is never requested.
- **Timeouts**: a connect and a read timeout on every request, an optional overall deadline, and a cap on the
  response size. No proxy from the environment is used (a proxy would resolve the name itself).

:func:`request` is the helper for plain calls; :func:`pinned_session` gives a ``requests.Session`` bound to one
origin for libraries that bring their own HTTP calls (DMTF's ``redfish`` library).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

__all__ = [
    "DEFAULT_TIMEOUT",
    "BlockedAddress",
    "OutboundConnectionError",
    "OutboundError",
    "OutboundTimeout",
    "PinnedAdapter",
    "RedirectRefused",
    "ResponseTooLarge",
    "address_problem",
    "integrations_allow_private",
    "pinned_session",
    "request",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]

DEFAULT_TIMEOUT = (3.05, 15.0)  # (connect, read) seconds
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

# Metadata services that do not sit in 169.254.0.0/16 (which is refused as link-local anyway).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6 (a ULA address: private, but never allowed)
        "100.100.100.200",  # Alibaba Cloud (in the CGNAT range)
        "168.63.129.16",  # Azure wire server (a public address)
        "192.0.0.192",  # Oracle Cloud
    )
)
LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
PRIVATE = (
    ipaddress.ip_network("10.0.0.0/8"),
    ipaddress.ip_network("172.16.0.0/12"),
    ipaddress.ip_network("192.168.0.0/16"),
    ipaddress.ip_network("fc00::/7"),  # unique local addresses
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (RFC 6598)
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """An outbound request that could not be made or completed; ``str()`` is a sentence for a person."""


class BlockedAddress(OutboundError):
    """The URL's host is (or resolves to) an address the installation's policy refuses."""


class InvalidUrl(BlockedAddress):
    """The URL itself cannot be contacted: not http(s), no host, a port that is not one, or a user name or password
    in it. ``problem`` says so as a sentence for a form."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


class RedirectRefused(OutboundError):
    """The server answered with a redirect to another origin (or too many redirects)."""


class OutboundTimeout(OutboundError):
    """Connecting or reading took longer than allowed."""


class OutboundConnectionError(OutboundError):
    """The host could not be resolved or reached, or TLS failed."""


class ResponseTooLarge(OutboundError):
    """The answer is larger than the caller accepts."""


def integrations_allow_private() -> bool:
    """The installation's setting for integrations (``INTEGRATIONS_ALLOW_PRIVATE_TARGETS``, default false)."""
    from django.conf import settings

    return bool(getattr(settings, "INTEGRATIONS_ALLOW_PRIVATE_TARGETS", False))


# --- policy -----------------------------------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress | str, *, allow_private: bool) -> str | None:
    """Why the policy refuses ``address``, in words; None when it may be contacted."""
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is link-local
        except ValueError:
            return f"{address!r} is not an IP address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = address_problem(embedded, allow_private=allow_private)
            return f"{address} embeds {embedded}: {problem}" if problem else None
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address, never contacted"
    if any(address in network for network in LINK_LOCAL):
        return f"{address} is link-local (where cloud metadata services live), never contacted"
    if any(address in network for network in LOOPBACK):
        return None if allow_private else f"{address} is a loopback address (INTEGRATIONS_ALLOW_PRIVATE_TARGETS is off)"
    if any(address in network for network in PRIVATE):
        return None if allow_private else f"{address} is a private address (INTEGRATIONS_ALLOW_PRIVATE_TARGETS is off)"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return f"{address} is not a unicast host address"
    if not address.is_global:
        return f"{address} is a special-purpose address (documentation, benchmarking...), not a host on a network"
    return None


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve(host: str, port: int, *, allow_private: bool, resolver: Resolver | None = None) -> list[str]:
    """Every address ``host`` resolves to, each checked; raises :class:`BlockedAddress` if any is refused."""
    try:
        addresses = list(dict.fromkeys((resolver or _system_resolver)(host, port)))
    except (OSError, UnicodeError) as exc:
        raise OutboundConnectionError(f"cannot resolve {host}: {exc}") from None
    if not addresses:
        raise OutboundConnectionError(f"{host} resolves to no address")
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem:
            shown = problem if address == host.strip("[]") else f"{host} resolves to {problem}"
            raise BlockedAddress(f"refused: {shown}")
    return addresses


# --- pinned HTTP ------------------------------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str, int]:
    """The scheme, host and port ``url`` is contacted at; `InvalidUrl` when it cannot be."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise InvalidUrl("refused: this is not a URL", "Enter an http:// or https:// URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidUrl(
            f"refused: only http and https URLs are contacted, not {scheme or 'a relative URL'!r}",
            "Enter an http:// or https:// URL.",
        )
    if not parts.hostname:
        raise InvalidUrl("refused: the URL has no host", "Enter an http:// or https:// URL with a host.")
    if parts.username or parts.password:
        raise InvalidUrl(
            "refused: the URL carries a user name or password; use the credential fields",
            "The URL may not carry a user name or password: use the credential fields.",
        )
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise InvalidUrl(
            "refused: the URL's port is not a number from 1 to 65535",
            "The URL's port is not a number from 1 to 65535.",
        ) from None
    return scheme, parts.hostname.lower().rstrip("."), port


def target_problem(url: str, *, allow_private: bool | None = None, resolve_host: bool = True) -> OutboundError | None:
    """Why ``url`` cannot be an integration's address, checked when it is saved (each connection checks the address
    again, a name may later resolve elsewhere), or None. The one rule of webhooks, issue trackers, Prometheus and
    BMC endpoints: `InvalidUrl` for the URL itself (`_origin`, what every request checks); then the policy on its
    host (``allow_private``: else ``INTEGRATIONS_ALLOW_PRIVATE_TARGETS``): its every address resolved
    (`BlockedAddress`, or `OutboundConnectionError` when it does not resolve), or, without ``resolve_host``, only
    a host written as an IP address (`BlockedAddress`)."""
    allow = integrations_allow_private() if allow_private is None else allow_private
    try:
        _scheme, host, port = _origin(url.strip())
        if resolve_host:
            resolve(host, port, allow_private=allow)
            return None
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return None  # a name: checked when it is resolved, at each connection
        problem = address_problem(address, allow_private=allow)
        return BlockedAddress(f"refused: {problem}") if problem else None
    except OutboundError as error:
        return error


def target_code(problem: OutboundError) -> str:
    """The error code of a `target_problem`: ``invalid_url`` (the URL itself), ``target_refused`` (the policy
    refuses its host) or ``target_unresolvable``."""
    if isinstance(problem, InvalidUrl):
        return "invalid_url"
    return "target_refused" if isinstance(problem, BlockedAddress) else "target_unresolvable"


class PinnedAdapter(HTTPAdapter):
    """A ``requests`` transport that resolves and checks the host of every request, then connects to the checked
    address (``Host``, SNI and certificate checks keep the name). With ``origin`` it refuses any other origin (so
    a library's own redirect-following cannot leave it); with ``deadline`` (``time.monotonic()`` value) it refuses
    to start a request after it and shortens each timeout to what is left."""

    def __init__(
        self,
        *,
        allow_private: bool,
        origin: str | None = None,
        deadline: float | None = None,
        verify: bool | str | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.origin = _origin(origin) if origin else None
        self.deadline = deadline
        self.verify = verify
        self.resolver = resolver
        super().__init__(max_retries=0)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        scheme, host, port = _origin(request.url or "")
        if self.origin is not None and (scheme, host, port) != self.origin:
            expected = f"{self.origin[0]}://{self.origin[1]}:{self.origin[2]}"
            raise RedirectRefused(f"refused: {scheme}://{host}:{port} is not {expected}, the configured address")
        timeout = kwargs.get("timeout") or DEFAULT_TIMEOUT
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise OutboundTimeout("the overall time allowed ran out")
            connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
            timeout = (min(connect or left, left), min(read or left, left))
        kwargs["timeout"] = timeout
        if self.verify is not None:
            kwargs["verify"] = self.verify
        kwargs["proxies"] = {}  # a proxy would resolve the name itself
        address = resolve(host, port, allow_private=self.allow_private, resolver=self.resolver)[0]
        request.headers["Host"] = urlsplit(request.url or "").netloc.rsplit("@", 1)[-1]
        request._infraready_address = address  # type: ignore[attr-defined]
        try:
            return super().send(request, *args, **kwargs)
        except requests.exceptions.Timeout as exc:
            raise OutboundTimeout(f"{host}:{port} did not answer in time ({_seconds(timeout)})") from exc
        except requests.exceptions.SSLError as exc:
            raise OutboundConnectionError(f"TLS with {host}:{port} failed: {_reason(exc)}") from exc
        except requests.exceptions.ConnectionError as exc:
            raise OutboundConnectionError(f"cannot connect to {host}:{port}: {_reason(exc)}") from exc

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = host_params["host"]
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = name
            pool_kwargs["assert_hostname"] = name if verify is not False else False
        host_params["host"] = request._infraready_address  # type: ignore[attr-defined]
        return host_params, pool_kwargs


def _seconds(timeout: Any) -> str:
    if isinstance(timeout, tuple):
        return f"connect {timeout[0]:g} s, read {timeout[1]:g} s"
    return f"{timeout:g} s"


def _reason(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    for marker in ("Connection refused", "Name or service not known", "No route to host", "certificate verify"):
        if marker in text:
            return marker.lower()
    return text[:200]


def pinned_session(
    *,
    allow_private: bool,
    origin: str | None = None,
    deadline: float | None = None,
    verify: bool | str | None = None,
    resolver: Resolver | None = None,
) -> requests.Session:
    """A ``requests.Session`` whose every request goes through a :class:`PinnedAdapter` (no environment proxies)."""
    session = requests.Session()
    session.trust_env = False
    adapter = PinnedAdapter(
        allow_private=allow_private, origin=origin, deadline=deadline, verify=verify, resolver=resolver
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def request(
    method: str,
    url: str,
    *,
    allow_private: bool,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    data: Any = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    deadline: float | None = None,
    max_redirects: int = 3,
    max_bytes: int = DEFAULT_MAX_BYTES,
    verify: bool | str = True,
    resolver: Resolver | None = None,
) -> requests.Response:
    """One HTTP request under the policy; redirects followed only within the same origin. The body is read (at most
    ``max_bytes``) before returning. Raises an :class:`OutboundError`; any HTTP status is returned as is."""
    origin = _origin(url)
    with pinned_session(allow_private=allow_private, deadline=deadline, verify=verify, resolver=resolver) as session:
        current, current_params, current_method, current_data = url, params, method.upper(), data
        for _ in range(max_redirects + 1):
            response = session.request(
                current_method,
                current,
                params=current_params,
                headers=dict(headers or {}),
                data=current_data,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            if response.status_code not in REDIRECT_STATUSES or "Location" not in response.headers:
                _read_capped(response, max_bytes, deadline)
                return response
            target = urljoin(current, response.headers["Location"])
            response.close()
            if _origin(target) != origin:
                raise RedirectRefused(
                    f"refused: {url} redirects to another host ({_origin_text(target)}); not followed"
                )
            current, current_params = target, None
            if response.status_code == 303 or (response.status_code in (301, 302) and current_method == "POST"):
                current_method, current_data = "GET", None
        raise RedirectRefused(f"refused: {url} redirects more than {max_redirects} times")


def _origin_text(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


def _read_capped(response: requests.Response, max_bytes: int, deadline: float | None) -> None:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise ResponseTooLarge(f"the answer is {int(declared):,} bytes, more than the {max_bytes:,} accepted")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLarge(f"the answer is more than the {max_bytes:,} bytes accepted")
            if deadline is not None and time.monotonic() > deadline:
                raise OutboundTimeout("the overall time allowed ran out while reading the answer")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        raise OutboundTimeout(f"reading the answer failed: {_reason(exc)}") from exc
    finally:
        response.close()
    response._content = b"".join(chunks)  # what .content, .text and .json() read
    response._content_consumed = True
