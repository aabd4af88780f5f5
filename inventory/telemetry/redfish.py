"""Read a server's power draw from its BMC over Redfish, with DMTF's ``redfish`` library. No Django models.

Every request of the library goes through `config.outbound` (a pinned session mounted on the library's own
``requests`` session): the address policy, the BMC's origin only (the library follows redirects; ours refuse any
other host), its TLS choice, and one overall deadline per BMC (the library's timeout is per attempt; it would also
retry 10 times and connect already in its constructor, so connectivity is checked by us after mounting).

Which figure is the server's power, per chassis in the order the BMC lists them, the first found:

1. ``Chassis/{id}/EnvironmentMetrics`` -> ``PowerWatts.Reading`` (the current schema, Redfish 2020.4 and later);
2. ``Chassis/{id}/Power`` -> the first ``PowerControl[]`` entry with ``PowerConsumedWatts`` (the legacy schema most
   BMCs still serve; entries after the first are often sub-domains, so they are not added);
3. ``Chassis/{id}/PowerSubsystem/PowerSupplies/*/Metrics`` -> the sum of ``InputPowerWatts.Reading`` (wall power).

The path of the resource read is kept with the reading (DMTF's public-rackmount1 mockup gives 374 W by 1 and 344 W
by 2: which one was used matters). A BMC that offers none of them gives a reading of None with a note.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from config import outbound


class RedfishError(Exception):
    """Reading the BMC failed; ``str()`` says why, for a person."""


@dataclass(frozen=True)
class PowerReading:
    watts: float | None
    path: str = ""
    note: str = ""


def base_url(address: str) -> str:
    """``10.0.0.5`` -> ``https://10.0.0.5``; a URL keeps its scheme and port, loses any path."""
    address = address.strip()
    if "://" not in address:
        address = f"https://{address}"
    try:
        parts = urlsplit(address)
    except ValueError:  # "http://[::1": an IPv6 address without its closing bracket
        return address  # as written: the URL rule (`configuration.url_problem`) refuses it in words
    return f"{parts.scheme.lower()}://{parts.netloc}"


def _cause(exc: BaseException) -> BaseException:
    """The first of our outbound errors in the chain of causes, else the deepest cause."""
    while not isinstance(exc, outbound.OutboundError) and exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def _request_failure(where: str, cause: BaseException) -> str:
    """A failure of the library's own body reading (outside the adapter), in words."""
    if "timed out" in str(cause).lower() or isinstance(cause, requests.exceptions.Timeout):
        return f"{where} did not answer in time."
    return f"{where} broke the connection while answering."


def _number(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("Reading")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


class _Reader:
    def __init__(self, client: Any, where: str) -> None:
        self.client = client
        self.where = where

    def get(self, path: str) -> dict[str, Any] | None:
        response = self.client.get(path)
        if response.status == 404:
            return None
        if response.status in (401, 403):
            raise RedfishError(
                f"{self.where} refused access to {path} (HTTP {response.status}): check the credentials."
            )
        if response.status >= 400:
            raise RedfishError(f"{self.where} answered HTTP {response.status} for {path}.")
        try:
            data = response.dict
        except Exception:
            raise RedfishError(f"{self.where} answered {path} with something that is not JSON.") from None
        return data if isinstance(data, dict) else None

    def link(self, resource: dict[str, Any], name: str) -> str | None:
        value = resource.get(name)
        return value.get("@odata.id") if isinstance(value, dict) else None

    def chassis_power(self, chassis: dict[str, Any]) -> PowerReading | None:
        environment = self.link(chassis, "EnvironmentMetrics")
        if environment and (data := self.get(environment)) is not None:
            watts = _number(data.get("PowerWatts"))
            if watts is not None:
                return PowerReading(watts, f"{environment} PowerWatts")
        power = self.link(chassis, "Power")
        if power and (data := self.get(power)) is not None:
            for index, control in enumerate(data.get("PowerControl") or []):
                watts = _number(control.get("PowerConsumedWatts")) if isinstance(control, dict) else None
                if watts is not None:
                    return PowerReading(watts, f"{power} PowerControl[{index}].PowerConsumedWatts")
        subsystem = self.link(chassis, "PowerSubsystem")
        if subsystem and (data := self.get(subsystem)) is not None:
            supplies = self.link(data, "PowerSupplies")
            members = (self.get(supplies) or {}).get("Members", []) if supplies else []
            total, found = 0.0, 0
            for member in members:
                supply = self.get(member.get("@odata.id", "")) if isinstance(member, dict) else None
                metrics = self.link(supply or {}, "Metrics")
                watts = _number((self.get(metrics) or {}).get("InputPowerWatts")) if metrics else None
                if watts is not None:
                    total, found = total + watts, found + 1
            if found:
                return PowerReading(total, f"{supplies} InputPowerWatts (sum of {found} power supplies)")
        return None


def read_server_power(
    *,
    address: str,
    username: str,
    password: str,
    verify: bool,
    allow_private: bool,
    timeout: tuple[float, float] = outbound.DEFAULT_TIMEOUT,
    deadline_seconds: float = 20.0,
    resolver: outbound.Resolver | None = None,
) -> PowerReading:
    """The server's power from its BMC at ``address`` (see the module docstring); raises :class:`RedfishError`."""
    # Imported here: the library silences urllib3's InsecureRequestWarning for the whole process when imported.
    import redfish
    from redfish.rest.v1 import InvalidCredentialsError, RetriesExhaustedError, SessionCreationError

    url = base_url(address)
    where = f"the BMC at {url}"
    deadline = time.monotonic() + deadline_seconds
    session = outbound.pinned_session(
        allow_private=allow_private, origin=url, deadline=deadline, verify=verify, resolver=resolver
    )
    try:
        client = redfish.redfish_client(
            base_url=url,
            username=username,
            password=password,
            timeout=timeout,
            max_retry=0,
            check_connectivity=False,
        )
    except Exception as exc:  # the library validates the URL
        raise RedfishError(f"{where} cannot be used: {exc}") from None
    client._session = session  # the library's own session, replaced by the pinned one (same requests API)
    logged_in = False
    try:
        client.get_root_object()
        client.login(auth="session")
        logged_in = True
        reader = _Reader(client, where)
        root = reader.get("/redfish/v1/") or {}
        collection = reader.link(root, "Chassis")
        if not collection:
            return PowerReading(None, note=f"no power reading: {where} lists no chassis.")
        names = []
        for member in (reader.get(collection) or {}).get("Members", []):
            chassis = reader.get(member.get("@odata.id", "")) if isinstance(member, dict) else None
            if chassis is None:
                continue
            names.append(str(chassis.get("Id") or member.get("@odata.id")))
            reading = reader.chassis_power(chassis)
            if reading is not None:
                return reading
        listed = ", ".join(names) or "none"
        return PowerReading(
            None,
            note=f"no power reading: {where} reports no PowerWatts, PowerConsumedWatts or power-supply input power "
            f"on its chassis ({listed}).",
        )
    except RedfishError:
        raise
    except InvalidCredentialsError:
        raise RedfishError(f"{where} refused the user name or password.") from None
    except (RetriesExhaustedError, SessionCreationError, outbound.OutboundError) as exc:
        cause = _cause(exc)
        if isinstance(cause, outbound.OutboundError):
            raise RedfishError(f"{where} cannot be reached: {cause}.") from None
        if isinstance(cause, requests.exceptions.RequestException):
            raise RedfishError(_request_failure(where, cause)) from None
        if isinstance(exc, SessionCreationError):
            raise RedfishError(f"{where} refused to open a session: {exc}".rstrip(": ") + ".") from None
        raise RedfishError(f"{where} cannot be reached: {cause or 'no answer'}.") from None
    except Exception as exc:
        cause = _cause(exc)
        if isinstance(cause, outbound.OutboundError):
            raise RedfishError(f"{where} cannot be reached: {cause}.") from None
        if isinstance(cause, requests.exceptions.RequestException):
            raise RedfishError(_request_failure(where, cause)) from None
        raise RedfishError(f"{where} gave an answer that cannot be read ({type(exc).__name__}: {exc}).") from None
    finally:
        if logged_in:
            with contextlib.suppress(Exception):  # the reading is made; a session left open expires on the BMC
                client.logout()
        session.close()
