"""The Prometheus pull against a loopback stand-in that replays answers recorded from a real Prometheus 2.42.0
(inventory/tests/data/prometheus/, how they were made beside each file): success, errors, a slow answer, a redirect
to another host, a server that is not there."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from config.testing import api_errors
from config.tests.loopback import Answer, serve
from inventory.models import PrometheusConfig, PullStatus, ServerTelemetryDay
from inventory.telemetry import configuration, pulls
from inventory.telemetry.prometheus import MAX_POINTS, host_query, host_regex, step_for

from .factories import ServerFactory

DATA = Path(__file__).parent / "data" / "prometheus"
NOW = datetime.fromtimestamp(1796207362.962 + 100, tz=UTC)  # just after the recording
L4 = "i-030791dc5a37cd257"
H100_FQDN = "ip-100-64-171-120.ec2.internal"
A30_MIG = "yg-data-k8s-gpu-a30-node-test-test0003.mt"
H100_POWER = 67.351 + 67.746 + 66.834 + 69.771 + 66.401 + 66.619 + 68.529 + 69.468


def recorded(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def matrix_for(query: str) -> dict:
    """The recorded series (power and MIG tensor activity) of the host the query asks for, as Prometheus would."""
    found = re.search(r'Hostname=~"((?:[^"\\]|\\.)*)"', query)
    regex = found.group(1).replace("\\\\", "\\")
    series = [
        s
        for name in ("query_range-matrix-power-step15s.json", "query_range-matrix-tensor-mig.json")
        for s in recorded(name)["data"]["result"]
        if re.fullmatch(regex, s["metric"]["Hostname"])
    ]
    return {"status": "success", "data": {"resultType": "matrix", "result": series}}


def prometheus(request):
    if request.path == "/api/v1/query":
        return Answer(body=(DATA / "query-vector-power.json").read_bytes())
    if request.path == "/api/v1/query_range":
        return Answer(body=json.dumps(matrix_for(request.query["query"][0])))
    return Answer(404, (DATA / "error-not_found-unknown-endpoint.json").read_bytes(), {"Content-Type": "text/plain"})


@pytest.fixture
def fleet(organization):
    return {
        "l4": ServerFactory(organization=organization, hostname=L4, accelerator_count=1),
        "h100": ServerFactory(organization=organization, hostname="ip-100-64-171-120"),  # short name of the FQDN
        "quiet": ServerFactory(organization=organization, hostname="gpu-without-data.example.net"),
    }


def configure(organization, url, **kwargs) -> PrometheusConfig:
    return configuration.prometheus_config_save(organization=organization, url=url, **kwargs)


def test_step_fits_the_11000_points_limit():
    assert step_for(7 * 86400, 15) == 55  # 604800 / 11000 = 54.98
    assert step_for(7 * 86400, 300) == 300
    assert 7 * 86400 / step_for(7 * 86400, 1) <= MAX_POINTS


def test_host_queries_match_short_and_full_names_under_either_label():
    assert re.fullmatch(host_regex("ip-100-64-171-120"), H100_FQDN.upper())
    assert re.fullmatch(host_regex("gpu1.example.net"), "gpu1")
    assert not re.fullmatch(host_regex("gpu1.example.net"), "gpu10")
    query = host_query("gpu1.example.net")
    assert 'Hostname=~"(?i)(gpu1\\\\.example\\\\.net|gpu1)"' in query
    assert " or " in query
    assert "hostname=~" in query


def test_a_pull_stores_each_servers_days(organization, fleet):
    with serve(prometheus) as server:
        config = configure(organization, server.url, token="s3cret-token")
        config = pulls.prometheus_pull_run(config=config, now=NOW)
    assert config.status == PullStatus.OK, config.last_error
    assert (config.hosts_done, config.hosts_total) == (3, 3)
    result = config.last_result
    assert result["step_seconds"] == 300
    assert sorted(result["servers_with_data"]) == [L4, "ip-100-64-171-120"]
    assert result["servers_without_data"] == ["gpu-without-data.example.net"]
    assert result["unknown_hosts"] == [{"hostname": A30_MIG, "reason": "no server has this hostname"}]
    assert result["days_written"] == 2
    l4 = ServerTelemetryDay.objects.get(server=fleet["l4"])
    assert (l4.source, l4.day, l4.sample_count) == ("prometheus", NOW.date(), 6)  # six 15 s steps recorded
    assert l4.accelerator_power_p50_w == l4.accelerator_power_max_w == 16.365
    assert l4.tensor_active_mean_pct == 0
    h100 = ServerTelemetryDay.objects.get(server=fleet["h100"])
    assert h100.gpu_count == 8
    assert h100.accelerator_power_max_w == pytest.approx(H100_POWER)
    # the token was sent; every query asked for the window at the step
    ranges = [r for r in server.seen if r.path == "/api/v1/query_range"]
    assert len(ranges) == 3
    assert all(r.headers["Authorization"] == "Bearer s3cret-token" for r in server.seen)
    assert {r.query["step"][0] for r in ranges} == {"300"}
    start, end = float(ranges[0].query["start"][0]), float(ranges[0].query["end"][0])
    assert datetime.fromtimestamp(start, tz=UTC) == datetime(2026, 11, 25, tzinfo=UTC)  # 7 whole days and today
    assert result["window_start"] == "2026-11-25T00:00:00+00:00"
    assert end == NOW.timestamp() - NOW.timestamp() % 300


def test_a_second_pull_replaces_the_days_it_recomputes(organization, fleet):
    with serve(prometheus) as server:
        config = configure(organization, server.url)
        pulls.prometheus_pull_run(config=config, now=NOW)
        pulls.prometheus_pull_run(config=config, now=NOW)
    assert ServerTelemetryDay.objects.get(server=fleet["l4"]).sample_count == 6


def steady(request):
    """Prometheus evaluating the recorded L4 power series at every step of the window asked for (its value holds
    between scrapes, as Prometheus' lookback gives it)."""
    if request.path == "/api/v1/query":
        return Answer(body=(DATA / "query-vector-power.json").read_bytes())
    start, end, step = (float(request.query[name][0]) for name in ("start", "end", "step"))
    steps = [start + k * step for k in range(int((end - start) // step) + 1)]
    series = [
        {**s, "values": [[t, s["values"][0][1]] for t in steps]}
        for s in matrix_for(request.query["query"][0])["data"]["result"]
        if s["metric"]["Hostname"] == L4 and s["metric"]["__name__"] == "DCGM_FI_DEV_POWER_USAGE"
    ]
    return Answer(body=json.dumps({"status": "success", "data": {"resultType": "matrix", "result": series}}))


def test_hourly_pulls_never_replace_a_day_with_the_part_left_in_the_window(organization, fleet):
    """The window starts at midnight UTC: a pull late in the day must not replace the day before, pulled whole in
    the morning, with the few hours of it a window ending now would still hold."""
    with serve(steady) as server:
        config = configure(organization, server.url, window_days=1)
        pulls.prometheus_pull_run(config=config, now=datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
        config = pulls.prometheus_pull_run(config=config, now=datetime(2026, 12, 2, 23, 0, tzinfo=UTC))
    assert config.status == PullStatus.OK, config.last_error
    assert config.last_result["window_start"] == "2026-12-01T00:00:00+00:00"
    days = dict(ServerTelemetryDay.objects.filter(server=fleet["l4"]).values_list("day", "sample_count"))
    assert days == {date(2026, 12, 1): 288, date(2026, 12, 2): 23 * 12 + 1}  # every 300 s step of each day
    start = float([r for r in server.seen if r.path == "/api/v1/query_range"][-1].query["start"][0])
    assert datetime.fromtimestamp(start, tz=UTC) == datetime(2026, 12, 1, tzinfo=UTC)


K8S_NOW = datetime.fromtimestamp(1796434434.138 + 60, tz=UTC)  # just after that recording


def kubernetes_prometheus(request):
    """A Prometheus whose dcgm-exporter series name the exporter's pod as their Hostname, the node being in the
    `kubernetes_node` label its scrape configuration adds (recorded: query*-kubernetes-node*.json): series are
    answered as Prometheus would for the query's selectors, each `label=~"regex"` or-ed."""
    if request.path == "/api/v1/query":
        return Answer(body=(DATA / "query-vector-hosts-kubernetes-node.json").read_bytes())
    clauses = [
        (label, regex.replace("\\\\", "\\"))
        for label, regex in re.findall(r'(\w+)=~"((?:[^"\\]|\\.)*)"', request.query["query"][0])
        if label != "__name__"
    ]
    recorded_series = recorded("query_range-matrix-kubernetes-node-step15s.json")["data"]["result"]
    series = [s for s in recorded_series if any(re.fullmatch(r, s["metric"].get(label, "")) for label, r in clauses)]
    return Answer(body=json.dumps({"status": "success", "data": {"resultType": "matrix", "result": series}}))


def test_a_pod_named_hostname_is_matched_by_the_kubernetes_node_prometheus_adds(organization):
    a30 = ServerFactory(organization=organization, hostname="k8s-gpu-a30-01.example.net", accelerator_count=1)
    with serve(kubernetes_prometheus) as server:
        config = pulls.prometheus_pull_run(config=configure(organization, server.url), now=K8S_NOW)
    assert config.status == PullStatus.OK, config.last_error
    result = config.last_result
    assert result["servers_with_data"] == [a30.hostname]
    assert result["unknown_hosts"] == [
        {
            "hostname": "dcgm-exporter-wwwjh",
            "reason": "no server has this hostname (nor its Kubernetes node, k8s-gpu-mixed-01)",
        }
    ]
    day = ServerTelemetryDay.objects.get(server=a30)
    assert (day.sample_count, day.gpu_count, day.mig_profiles) == (3, 1, {"2g.12gb": 1})
    assert day.utilization_mean_pct == pytest.approx(0.381124 * 2 / 4 * 100, abs=1e-3)  # 2 of the A30's 4 slices
    assert day.tensor_active_mean_pct == 0


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(401, '{"error": "unauthorized"}'), "refused the request (HTTP 401): check the bearer token"),
        (
            Answer(400, (DATA / "error-bad_data-too-many-points.json").read_bytes()),
            "(bad_data, HTTP 400): exceeded maximum resolution of 11,000 points",
        ),
        (
            Answer(503, (DATA / "error-timeout-503.json").read_bytes()),
            "(timeout, HTTP 503): query timed out in expression evaluation",
        ),
        (
            Answer(404, (DATA / "error-not_found-unknown-endpoint.json").read_bytes(), {"Content-Type": "text/plain"}),
            "answered HTTP 404 that is not Prometheus' JSON: '404 page not found'. Is the URL Prometheus' base URL",
        ),
        (Answer(502, "<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"}), "HTTP 502"),
        (Answer(200, body="", delay=3), "did not answer in time"),
    ],
)
def test_a_failing_prometheus_is_a_clear_error_and_writes_nothing(organization, fleet, settings, answer, message):
    settings.TELEMETRY_HTTP_TIMEOUT = (1, 0.5)
    with serve(lambda request: answer) as server:
        config = pulls.prometheus_pull_run(config=configure(organization, server.url), now=NOW)
    assert config.status == PullStatus.FAILED
    assert message in config.last_error
    assert config.last_error.startswith(f"Prometheus at {server.url}")
    assert not ServerTelemetryDay.objects.exists()


def test_a_failure_on_a_later_host_writes_nothing(organization, fleet):
    def handler(request):
        if request.path == "/api/v1/query_range" and "gpu" in request.query["query"][0]:
            return Answer(400, (DATA / "error-bad_data-parse.json").read_bytes())
        return prometheus(request)

    with serve(handler) as server:
        config = pulls.prometheus_pull_run(config=configure(organization, server.url), now=NOW)
    assert config.status == PullStatus.FAILED
    assert "bad_data" in config.last_error
    assert config.hosts_done == 0  # gpu-without-data sorts first and fails
    assert not ServerTelemetryDay.objects.exists()


def test_a_redirect_to_another_host_is_not_followed(organization, fleet):
    with (
        serve(lambda r: Answer(body="{}")) as other,
        serve(lambda r: Answer(302, headers={"Location": f"http://localhost:{other.port}/api/v1/query"})) as server,
    ):
        config = pulls.prometheus_pull_run(config=configure(organization, server.url), now=NOW)
    assert config.status == PullStatus.FAILED
    assert "redirects to another host" in config.last_error
    assert other.seen == []


def test_an_unreachable_prometheus(organization, fleet):
    with serve(lambda r: Answer()) as server:
        url = server.url
    config = pulls.prometheus_pull_run(config=configure(organization, url), now=NOW)
    assert config.status == PullStatus.FAILED
    assert "cannot be reached" in config.last_error


def test_private_targets_off_refuses_a_loopback_prometheus(organization, fleet, settings):
    with serve(prometheus) as server:
        config = configure(organization, server.url)
        settings.INTEGRATIONS_ALLOW_PRIVATE_TARGETS = False
        config = pulls.prometheus_pull_run(config=config, now=NOW)
    assert config.status == PullStatus.FAILED
    assert "loopback" in config.last_error
    assert server.seen == []


# --- configuration and "update now" over the API -------------------------------------------------------------------


def test_configure_and_update_now_over_the_api(organization, assessor, viewer, fleet, api_client_for):
    client = api_client_for(assessor, organization)
    url = reverse("api:inventory:prometheus")
    assert client.get(url).status_code == 404
    with serve(prometheus) as server:
        response = client.put(url, {"url": server.url + "/", "token": "abc"}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["url"] == server.url
        assert body["has_token"] is True
        assert "token" not in body
        assert "abc" not in response.content.decode()
        assert PrometheusConfig.objects.get().bearer_token_encrypted != "abc"
        response = client.post(reverse("api:inventory:prometheus-pull"))  # eager without a broker
        assert response.status_code == 202
    body = client.get(url).json()
    assert body["status"] == "ok"
    assert body["progress_pct"] == 100
    assert body["last_result"]["days_written"] == 2
    assert api_client_for(viewer, organization).post(reverse("api:inventory:prometheus-pull")).status_code == 403
    response = client.patch(url, {"url": "http://169.254.169.254/"}, format="json")
    assert response.status_code == 400
    assert api_errors(response)[0]["field"] == "url"
    assert api_errors(response)[0]["message"] == (
        "The URL is refused: 169.254.169.254 is a cloud metadata address, never contacted."
    )


def test_update_now_is_refused_while_a_pull_runs_and_when_the_broker_is_down(organization, fleet, monkeypatch):
    from django.utils import timezone

    from inventory import tasks

    config = configure(organization, "http://127.0.0.1:9")
    PrometheusConfig.objects.filter(pk=config.pk).update(status=PullStatus.RUNNING, started=timezone.now())
    from kombu.exceptions import OperationalError as BrokerError

    from config.errors import Conflict, Unavailable

    with pytest.raises(Conflict):
        pulls.prometheus_pull_start(config=config)
    # a run the worker died in (older than the task time limit) may be started again
    PrometheusConfig.objects.filter(pk=config.pk).update(started=timezone.now() - pulls._stale_after())

    finished = timezone.now()
    PrometheusConfig.objects.filter(pk=config.pk).update(
        status=PullStatus.OK, finished=finished, last_result={"days_written": 2}
    )

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.telemetry_prometheus_pull, "apply_async", broker_down)
    with pytest.raises(Unavailable) as refused:
        pulls.prometheus_pull_start(config=config)
    assert refused.value.errors[0].code == "broker_unavailable"
    assert "task queue cannot be reached" in refused.value.errors[0].message
    config.refresh_from_db()  # left as it was: the last pull, its outcome
    assert (config.status, config.finished, config.last_result) == (PullStatus.OK, finished, {"days_written": 2})


def test_the_beat_task_pulls_every_enabled_prometheus_not_busy(organization, other_organization, fleet):
    from django.utils import timezone

    from inventory import tasks

    with serve(prometheus) as server:
        configure(organization, server.url)
        busy = configure(other_organization, server.url)
        PrometheusConfig.objects.filter(pk=busy.pk).update(status=PullStatus.RUNNING, started=timezone.now())
        assert tasks.telemetry_prometheus_pull_all.delay().get() == 1
    mine = PrometheusConfig.objects.get(organization=organization)
    assert mine.status == PullStatus.OK, mine.last_error
    assert mine.started is not None
    assert mine.finished >= mine.started
    assert PrometheusConfig.objects.get(pk=busy.pk).status == PullStatus.RUNNING
