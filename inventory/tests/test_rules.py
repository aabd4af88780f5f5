"""Every field rule of the inventory, through every channel: the app's form, the API and the import refuse the same
value with the same message, because all three run the model's validators and row rules (`inventory.validators`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from config.testing import api_errors
from config.validators import COUNTRY_CODE_MESSAGE as COUNTRY
from config.validators import CURRENCY_CODE_MESSAGE as CURRENCY
from inventory import forms, services
from inventory.models import AcceleratorType, ModelProfile, Server, Site, StorageSystem
from inventory.validators import ACCELERATOR_TYPE_NEEDED, HOSTNAME_MESSAGE, KV_HEADS_TOO_MANY

pytestmark = pytest.mark.django_db


class Related:
    """A related row in a base row: the form and the API name it by id, the import by name."""

    def __init__(self, model: type, label: str, /, **lookup: Any) -> None:
        self.model, self.name, self.lookup = model, label, lookup

    def pk(self, organization: Any) -> int:
        owner = {"organization": organization} if self.model is Site else {}
        return self.model.objects.get(**self.lookup, **owner).pk


SITE = Related(Site, "Frankfurt", name="Frankfurt")
H100 = Related(AcceleratorType, "H100 SXM", organization=None, model="H100 SXM")
LLAMA = Related(ModelProfile, "Llama-3.1-70B", organization=None, name="Llama-3.1-70B")

BASE: dict[str, dict[str, Any]] = {
    "sites": {
        "name": "Lab",
        "country": "DE",
        "pue": 1.3,
        "renewable_share_pct": 0,
        "currency": "EUR",
        "cooling": "air",
    },
    "servers": {"hostname": "n1", "site": SITE, "status": "active", "accelerator_type": H100, "accelerator_count": 8},
    "storage": {"name": "fs", "site": SITE, "kind": "nvme", "usable_tb": 10},
    "networks": {"name": "ib", "site": SITE, "kind": "infiniband", "link_speed_gbps": 400, "oversubscription_ratio": 1},
    "cloud": {
        "provider": "aws",
        "region": "eu-central-1",
        "instance_type": "p5.48xlarge",
        "accelerator_type": H100,
        "accelerators_per_instance": 8,
        "instances": 2,
        "hourly_price": "98.32",
        "currency": "USD",
    },
    "workloads": {
        "name": "chat",
        "kind": "inference",
        "model_profile": LLAMA,
        "precision": "bf16",
        "requests_per_second": 5,
        "prompt_tokens": 1000,
        "output_tokens": 200,
    },
}
FORMS = {
    "sites": forms.SiteForm,
    "servers": forms.ServerForm,
    "storage": forms.StorageSystemForm,
    "networks": forms.NetworkFabricForm,
    "cloud": forms.CloudCapacityForm,
    "workloads": forms.WorkloadForm,
}
API = {
    "sites": "site",
    "servers": "server",
    "storage": "storage",
    "networks": "network",
    "cloud": "cloud",
    "workloads": "workload",
}

NON_BLOCKING = "Enter a ratio between 1.0 (non-blocking) and 100."
PUE_RANGE = "Enter a PUE between 1.0 (all power reaches the IT equipment) and 3.0."
SITE_KW = "Enter a value above 0 and at most 5,000,000 kW."
INTENSITY = "Enter a value between 0 and 2,000 gCO2e/kWh."
MONEY = "Enter a value between 0 and 9,999,999,999.99."  # what the column holds
REVERSED = "Remove a character that reverses the text's direction from the name."
PRICE = "Enter a value between 0 and 9,999.9999."
HOURLY = "Enter a value between 0 and 999,999.9999."
TOKENS = "Enter a value between 1 and 100,000,000 tokens."
LATENCY = "Enter a value between 1 and 3,600,000 ms."
ACCELERATORS = "Enter a value between 0 and 1,024."
RPS = "Enter a value above 0 and at most 100,000,000 requests/s."
SERVER_TAKEN = "A server with this hostname exists already in this organization."
STORAGE_TAKEN = "A storage system with this name exists already at this site."

# (kind, what changes, the field the message is on, the message): one line per rule.
RULES = [
    ("sites", {"pue": 0.9}, "pue", PUE_RANGE),
    ("sites", {"renewable_share_pct": 120}, "renewable_share_pct", "Enter a percentage between 0 and 100."),
    ("sites", {"power_capacity_kw": 0}, "power_capacity_kw", SITE_KW),
    ("sites", {"power_capacity_kw": 1e308}, "power_capacity_kw", SITE_KW),
    ("sites", {"pue": 3.5}, "pue", PUE_RANGE),
    ("sites", {"name": "rtl\u202egpj.exe"}, "name", REVERSED),
    ("sites", {"name": "a\x07b"}, "name", "Remove a control character from the name."),
    ("sites", {"grid_intensity_override": 1e6}, "grid_intensity_override", INTENSITY),
    ("sites", {"grid_intensity_override": -1}, "grid_intensity_override", INTENSITY),
    ("sites", {"electricity_price_per_kwh": "-0.1"}, "electricity_price_per_kwh", PRICE),
    ("sites", {"country": "D1"}, "country", "Enter the two-letter ISO country code, e.g. DE."),
    ("sites", {"country": "Germany"}, "country", "Enter the two-letter ISO country code, e.g. DE."),
    ("sites", {"currency": "EURO"}, "currency", "Enter the three-letter ISO currency code, e.g. EUR."),
    ("sites", {"electricity_price_per_kwh": "12345.5"}, "electricity_price_per_kwh", PRICE),
    ("sites", {"colocation_per_month": "12.345"}, "colocation_per_month", "Enter at most 2 decimal places."),
    ("sites", {"currency": "E1R"}, "currency", "Enter the three-letter ISO currency code, e.g. EUR."),
    ("sites", {"country": "XX"}, "country", f"XX is not an ISO 3166-1 country code. {COUNTRY}"),
    ("sites", {"country": "uk"}, "country", f"UK is not an ISO 3166-1 country code (the United Kingdom is GB). {COUNTRY}"),  # noqa: E501
    ("sites", {"currency": "ZZZ"}, "currency", f"ZZZ is not an ISO 4217 currency code. {CURRENCY}"),
    ("servers", {"purchase_currency": "QQQ"}, "purchase_currency", f"QQQ is not an ISO 4217 currency code. {CURRENCY}"),
    ("servers", {"accelerator_type": None}, "accelerator_type", ACCELERATOR_TYPE_NEEDED),
    ("servers", {"accelerator_count": 40000}, "accelerator_count", ACCELERATORS),
    ("servers", {"accelerator_count": 99999999999999999999}, "accelerator_count", ACCELERATORS),
    ("servers", {"accelerator_count": 2**63}, "accelerator_count", ACCELERATORS),
    ("servers", {"cpu_cores": 10**20}, "cpu_cores", "Enter a value between 0 and 100,000."),
    ("servers", {"power_w": 5_000_000}, "power_w", "Enter a value between 0 and 1,000,000 W."),
    ("servers", {"cpu_cores": 3_000_000_000}, "cpu_cores", "Enter a value between 0 and 100,000."),
    ("servers", {"purchase_cost": "-1"}, "purchase_cost", MONEY),
    ("servers", {"purchase_cost": "1e99"}, "purchase_cost", MONEY),
    ("servers", {"purchase_cost": "10000000000"}, "purchase_cost", MONEY),
    ("servers", {"hostname": "h" * 254}, "hostname", "Ensure this value has at most 253 characters (it has 254)."),
    ("servers", {"hostname": "bad host/name!"}, "hostname", HOSTNAME_MESSAGE),
    ("servers", {"hostname": "gpu 01"}, "hostname", HOSTNAME_MESSAGE),
    ("storage", {"usable_tb": 0}, "usable_tb", "Enter a value above 0 and at most 10,000,000 TB."),
    ("storage", {"read_throughput_gbps": -1}, "read_throughput_gbps", "Enter a value between 0 and 1,000,000 GB/s."),
    ("networks", {"link_speed_gbps": 0}, "link_speed_gbps", "Enter a value above 0 and at most 100,000 Gb/s."),
    ("networks", {"oversubscription_ratio": 0.5}, "oversubscription_ratio", NON_BLOCKING),
    ("cloud", {"instances": 0}, "instances", "Enter a value between 1 and 10,000,000."),
    ("cloud", {"instances": 10**20}, "instances", "Enter a value between 1 and 10,000,000."),
    ("cloud", {"accelerators_per_instance": 0}, "accelerators_per_instance", "Enter a value between 1 and 1,024."),
    ("cloud", {"hourly_price": "-1"}, "hourly_price", HOURLY),
    ("cloud", {"hourly_price": "2000000"}, "hourly_price", HOURLY),
    ("cloud", {"currency": "$$$"}, "currency", "Enter the three-letter ISO currency code, e.g. EUR."),
    ("workloads", {"assumed_mfu": 1.5}, "assumed_mfu", "Enter a fraction above 0 and at most 1, e.g. 0.4."),
    ("workloads", {"requests_per_second": 0}, "requests_per_second", RPS),
    ("workloads", {"dataset_size_tb": -1}, "dataset_size_tb", "Enter a value between 0 and 10,000,000 TB."),
    ("workloads", {"prompt_tokens": None}, "prompt_tokens", "Required for inference workloads."),
    ("workloads", {"prompt_tokens": 0}, "prompt_tokens", TOKENS),
    ("workloads", {"output_tokens": 0}, "output_tokens", TOKENS),
    ("workloads", {"output_tokens": 100_000_001}, "output_tokens", TOKENS),
    ("workloads", {"prompt_tokens": 10**20}, "prompt_tokens", TOKENS),
    ("workloads", {"ttft_target_ms": 0}, "ttft_target_ms", LATENCY),
    ("workloads", {"tpot_target_ms": 0}, "tpot_target_ms", LATENCY),
    ("workloads", {"kind": "training"}, "training_tokens", "Required for training workloads."),
    ("workloads", {"kind": "fine_tuning"}, "training_tokens", "Required for fine-tuning workloads."),
]  # fmt: skip


@pytest.fixture
def frankfurt(organization):
    return Site.objects.create(organization=organization, name="Frankfurt", country="DE")


def row(kind: str, change: dict[str, Any]) -> dict[str, Any]:
    values = {**BASE[kind], **change}
    return {name: value for name, value in values.items() if value is not None}


def by_id(values: dict[str, Any], organization: Any) -> dict[str, Any]:
    return {k: v.pk(organization) if isinstance(v, Related) else v for k, v in values.items()}


def form_messages(kind: str, values: dict[str, Any], field: str, organization: Any) -> list[str]:
    form = FORMS[kind](data=by_id(values, organization), organization=organization)
    assert not form.is_valid()
    return form.errors.get(field, [])


def api_messages(client: Any, kind: str, values: dict[str, Any], field: str, organization: Any) -> list[str]:
    response = client.post(reverse(f"api:inventory:{API[kind]}-list"), by_id(values, organization), format="json")
    assert response.status_code == 400, response.json()
    return [item["message"] for item in api_errors(response) if item.get("field") == field]


def import_errors(kind: str, values: dict[str, Any], organization: Any) -> list[Any]:
    """The problems of a dry-run import of the row ``values`` (row 2 of its file)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(values)
    writer.writerow([v.name if isinstance(v, Related) else v for v in values.values()])
    data = text.getvalue().encode()
    result = services.inventory_import(
        organization=organization, handle=io.BytesIO(data), filename=f"{kind}.csv", size=len(data), dry_run=True
    )
    assert not result.ok
    return [item for item in result.errors if item.row == 2]


def import_messages(kind: str, values: dict[str, Any], field: str, organization: Any) -> list[str]:
    return [item.message for item in import_errors(kind, values, organization) if item.column == field]


@pytest.mark.parametrize(("kind", "change", "field", "message"), RULES, ids=lambda v: str(v)[:40])
def test_every_channel_refuses_the_same_way(
    kind, change, field, message, organization, assessor, api_client_for, frankfurt
):
    values = row(kind, change)
    client = api_client_for(assessor, organization)
    assert form_messages(kind, values, field, organization) == [message]
    assert api_messages(client, kind, values, field, organization) == [message]
    assert import_messages(kind, values, field, organization) == [message]


@pytest.mark.parametrize("kind", list(BASE))
def test_the_base_rows_are_valid_everywhere(kind, organization, assessor, api_client_for, frankfurt):
    """The rule cases above fail because of their change, not because of the base row."""
    values = row(kind, {})
    assert FORMS[kind](data=by_id(values, organization), organization=organization).is_valid()
    text = ",".join(values) + "\n" + ",".join(v.name if isinstance(v, Related) else str(v) for v in values.values())
    data = text.encode()
    result = services.inventory_import(
        organization=organization, handle=io.BytesIO(data), filename=f"{kind}.csv", size=len(data), dry_run=True
    )
    assert result.ok, result.errors
    created = api_client_for(assessor, organization).post(
        reverse(f"api:inventory:{API[kind]}-list"), by_id(values, organization), format="json"
    )
    assert created.status_code == 201, created.json()


@pytest.mark.parametrize(
    ("model", "kind", "existing", "values", "field", "message"),
    [
        (Server, "servers", {"hostname": "n1"}, {}, "hostname", SERVER_TAKEN),
        (StorageSystem, "storage", {"name": "fs", "kind": "nvme", "usable_tb": 1}, {}, "name", STORAGE_TAKEN),
    ],
)  # fmt: skip
def test_a_duplicate_natural_key_is_the_same_field_error_in_the_form_and_the_api(
    model, kind, existing, values, field, message, organization, assessor, api_client_for, frankfurt
):
    model.objects.create(organization=organization, site=frankfurt, **existing)
    payload = row(kind, values)
    assert form_messages(kind, payload, field, organization) == [message]
    assert api_messages(api_client_for(assessor, organization), kind, payload, field, organization) == [message]
    # (The import matches an existing row by its natural key and updates it: no duplicate to refuse there.)


def test_codes_are_normalized_the_same_way_everywhere(organization, assessor, api_client_for):
    form = forms.SiteForm(
        data={**BASE["sites"], "name": "A", "country": " de ", "currency": "eur"}, organization=organization
    )
    assert form.is_valid(), form.errors
    assert (form.save().country, Site.objects.get(name="A").currency) == ("DE", "EUR")
    created = api_client_for(assessor, organization).post(
        reverse("api:inventory:site-list"),
        {**BASE["sites"], "name": "B", "country": "fr", "currency": "chf"},
        format="json",
    )
    assert (created.json()["country"], created.json()["currency"]) == ("FR", "CHF")
    content = b"name,country,currency\nC,ie,gbp\n"
    services.inventory_import(
        organization=organization, handle=io.BytesIO(content), filename="sites.csv", size=len(content)
    )
    assert Site.objects.filter(name="C").values_list("country", "currency").get() == ("IE", "GBP")


def test_a_model_profile_rule_in_the_api_and_the_model(organization, assessor, api_client_for):
    payload = {
        "name": "Tiny", "params": 1_000_000, "layers": 2, "hidden_size": 64, "attention_heads": 4, "kv_heads": 8,
        "head_dim": 16, "context_length": 512, "source": "test",
    }  # fmt: skip
    response = api_client_for(assessor, organization).post(
        reverse("api:inventory:modelprofile-list"), payload, format="json"
    )
    assert response.status_code == 400
    assert api_errors(response) == [{"code": "invalid", "field": "kv_heads", "message": KV_HEADS_TOO_MANY}]
    profile = ModelProfile(organization=organization, **payload)
    with pytest.raises(Exception, match="Cannot be more than the attention heads"):
        profile.full_clean()


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("servers", {"purchase_cost": "1e99", "purchase_currency": "EURO"}),
        ("cloud", {"hourly_price": "2000000", "currency": "EURO"}),
    ],
)
def test_the_api_says_every_problem_of_a_body_at_once_with_the_codes_an_import_gives(
    kind, change, organization, assessor, api_client_for, frankfurt
):
    """A number too large for its column was refused by DRF before the model looked at the other fields: one problem
    at a time, coded max_digits where the import says out_of_range."""
    values = row(kind, change)
    client = api_client_for(assessor, organization)
    response = client.post(reverse(f"api:inventory:{API[kind]}-list"), by_id(values, organization), format="json")
    assert response.status_code == 400
    found = sorted((item["field"], item["code"]) for item in api_errors(response))
    amount, currency = change
    assert found == sorted([(amount, "out_of_range"), (currency, "invalid")])
    assert sorted((e.column, e.code) for e in import_errors(kind, values, organization)) == found
