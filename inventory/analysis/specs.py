"""Stored rows as the pure model's specs (`capacity.AcceleratorSpec`, `ModelSpec`, workloads), and where each
comes from in words (the origin its figures cite)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError

from .. import capacity
from ..models import AcceleratorType, ModelProfile, Workload
from ..validators import workload_rules

SPEC_FIELDS = (
    "memory_gb",
    "mem_bandwidth_gbps",
    "bf16_tflops",
    "fp8_tflops",
    "tdp_w",
    "fp16_tflops",
    "int8_tops",
    "system_power_w",
    "host_reserved_gb",
)
"""The accelerator type's fields the pure model reads, in `capacity.AcceleratorSpec`'s order."""


def _field(kind: Any, name: str) -> Any:
    return kind[name] if isinstance(kind, dict) else getattr(kind, name)


def accelerator_name(kind: AcceleratorType | dict[str, Any]) -> str:
    return f"{_field(kind, 'vendor')} {_field(kind, 'model')}".strip()


def accelerator_spec(kind: AcceleratorType | dict[str, Any]) -> capacity.AcceleratorSpec:
    """An accelerator type (a model instance, or a row of `selectors.accelerator_rows`) as the pure model's spec."""
    return capacity.AcceleratorSpec(accelerator_name(kind), *(_field(kind, name) for name in SPEC_FIELDS))


def short_source(source: str, limit: int = 90) -> str:
    """The first clause of a catalog row's source, for origins: "Mistral 7B (arXiv:2310.06825)", or without its
    parenthesis when long ("NVIDIA H100 datasheet")."""
    text = (source or "").split(";")[0].strip()
    if len(text) > limit:
        text = text.split(" (")[0].strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def accelerator_origin(kind: AcceleratorType | dict[str, Any]) -> str:
    """ "catalog row NVIDIA H100 SXM (NVIDIA H100 datasheet)", or the organization's own entry."""
    where = "catalog row" if _field(kind, "organization_id") is None else "the organization's accelerator type"
    source = short_source(_field(kind, "source"))
    return f"{where} {accelerator_name(kind)}" + (f" ({source})" if source else "")


def system_origin(kind: AcceleratorType | dict[str, Any]) -> str:
    """Where an integrated system's figures come from: "NVIDIA GB10 system figures (NVIDIA DGX Spark product
    page ...)"; "" for a type without them."""
    if _field(kind, "system_power_w") is None and _field(kind, "host_reserved_gb") is None:
        return ""
    source = short_source(_field(kind, "system_source"), limit=160)
    return f"{accelerator_name(kind)} system figures" + (f" ({source})" if source else "")


def model_origin(profile: ModelProfile) -> str:
    where = "model profile" if profile.organization_id is None else "the organization's model profile"
    source = short_source(profile.source)
    return f"{where} {profile.name}" + (f" ({source})" if source else "")


def model_spec(profile: ModelProfile) -> capacity.ModelSpec:
    return capacity.ModelSpec(
        name=profile.name,
        params=profile.params,
        active_params=profile.active_params,
        layers=profile.layers,
        hidden_size=profile.hidden_size,
        attention_heads=profile.attention_heads,
        kv_heads=profile.kv_heads,
        head_dim=profile.head_dim,
        context_length=profile.context_length,
    )


class WorkloadDataError(ValueError):
    """A stored workload the capacity model cannot read (a value stored before the field's rule, or its model
    profile's): the message is a plain sentence naming the workload and the field, for people."""


# The inputs the capacity model reads, by kind: their stored values are checked with the fields' own rules.
_INPUTS = {
    "inference": ("requests_per_second", "prompt_tokens", "output_tokens", "ttft_target_ms", "tpot_target_ms"),
    "training": ("training_tokens", "deadline_days", "assumed_mfu", "goodput"),
}


def _rule(message: str) -> str:
    """ "Enter a value between 1 and 100 tokens." -> "enter a value between 1 and 100 tokens"."""
    return message[:1].lower() + message[1:].rstrip(".")


def workload_problem(workload: Workload) -> str | None:
    """Why the capacity model cannot read a stored workload, as a plain sentence naming it and the field (the
    fields' validators and row rules on the stored values); None when it can."""
    start = f"Workload “{workload.name}” cannot be estimated:"
    for item in workload_rules(workload.rule_values()):
        label = Workload._meta.get_field(item.field).verbose_name if item.field else "a value"
        return f"{start} its {label} is missing ({_rule(item.message)}). Edit the workload to add it."
    for name in _INPUTS["inference" if workload.kind == "inference" else "training"]:
        field = Workload._meta.get_field(name)
        value = getattr(workload, name)
        if value is None:
            continue
        try:
            field.run_validators(value)
        except ValidationError as error:
            return (
                f"{start} its “{field.verbose_name}” value, {value:,}, is not allowed ({_rule(error.messages[0])}). "
                "Edit the workload to correct it."
            )
    return None


def _model_problem(workload: Workload, error: ValueError) -> str:
    """A capacity model's ``ValueError`` ("prompt_tokens + output_tokens (…) must not exceed …", "kv_heads must
    divide …") as a sentence naming the workload and the field: the argument's name is never shown."""
    start = f"Workload “{workload.name}” cannot be estimated:"
    profile = workload.model_profile
    text = str(error)
    if text.startswith("prompt_tokens + output_tokens"):
        total = (workload.prompt_tokens or 0) + (workload.output_tokens or 0)
        return (
            f"{start} its prompt and output tokens ({total:,}) exceed the context length of the model "
            f"“{profile.name}” ({profile.context_length:,} tokens). Edit the workload to shorten them."
        )
    name = text.split(" ", 1)[0]
    for row, owner in ((profile, f"the model “{profile.name}”"), (workload, "the workload")):
        try:
            label = row._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            continue
        return f"{start} the {label} of {owner} ({getattr(row, name)}) is not usable. Edit {owner} to correct it."
    return f"{start} its values cannot be read by the capacity model. Edit the workload or its model to correct them."


def workload_spec(
    workload: Workload, precision: str | None = None, kv_cache_precision: str | None = None
) -> capacity.InferenceWorkload | capacity.TrainingWorkload:
    """The pure model's view of a stored workload; `WorkloadDataError` (a plain sentence naming the workload and the
    field) when a stored value cannot be read.

    Training: an empty MFU is `capacity.DEFAULT_TRAINING_MFU` (0.4, Llama 3 405B 38-43%); goodput and activation
    recomputation come from the workload (goodput default 0.9, Llama 3 405B >90% effective training time)."""
    problem = workload_problem(workload)
    if problem is not None:
        raise WorkloadDataError(problem)
    try:
        return _spec(workload, precision, kv_cache_precision)
    except ValueError as error:
        raise WorkloadDataError(_model_problem(workload, error)) from error


def _spec(
    workload: Workload, precision: str | None, kv_cache_precision: str | None
) -> capacity.InferenceWorkload | capacity.TrainingWorkload:
    model = model_spec(workload.model_profile)
    chosen = precision or workload.precision
    if workload.kind == "inference":
        if None in (workload.requests_per_second, workload.prompt_tokens, workload.output_tokens):
            raise ValueError("an inference workload needs requests_per_second, prompt_tokens and output_tokens")
        return capacity.InferenceWorkload(
            model=model,
            precision=chosen,
            requests_per_second=workload.requests_per_second,
            prompt_tokens=workload.prompt_tokens,
            output_tokens=workload.output_tokens,
            ttft_target_s=workload.ttft_target_ms / 1000 if workload.ttft_target_ms else None,
            tpot_target_s=workload.tpot_target_ms / 1000 if workload.tpot_target_ms else None,
            kv_cache_precision=kv_cache_precision or workload.kv_cache_precision or None,
        )
    if workload.training_tokens is None:
        raise ValueError("a training or fine-tuning workload needs training_tokens")
    return capacity.TrainingWorkload(
        model=model,
        precision=chosen if chosen in ("fp32", "bf16", "fp16", "fp8") else "bf16",
        tokens=workload.training_tokens,
        deadline_days=workload.deadline_days or 3650.0,
        mfu=workload.assumed_mfu or capacity.DEFAULT_TRAINING_MFU,
        activation_recompute=bool(workload.activation_recompute),
        goodput=capacity.DEFAULT_TRAINING_GOODPUT if workload.goodput is None else workload.goodput,
    )


def workload_origins(workload: Workload, what_if_precision: str | None = None) -> capacity.Origins:
    """Where a workload's inputs come from: the workload record (or the request describing it), its model profile,
    and the defaults a training workload falls back to."""
    name = f"workload {workload.name}" + ("" if workload.pk else " (described in the request)")
    if what_if_precision:
        name += f", precision {what_if_precision} (what-if)"
    mfu = goodput = deadline = ""
    if workload.kind != "inference":
        if not workload.assumed_mfu:
            mfu = (
                f"default MFU {capacity.DEFAULT_TRAINING_MFU} ({name} gives none): Llama 3 405B 38-43% "
                "(arXiv:2407.21783, Table 4)"
            )
        if workload.goodput is None:
            goodput = f"default goodput {capacity.DEFAULT_TRAINING_GOODPUT} (arXiv:2407.21783 sec. 3.3.4)"
        if not workload.deadline_days:
            deadline = f"no deadline set on {name}: ten years (3,650 days) assumed"
    return capacity.Origins(
        workload=name,
        model=model_origin(workload.model_profile),
        mfu=mfu,
        goodput=goodput,
        deadline=deadline,
    )
