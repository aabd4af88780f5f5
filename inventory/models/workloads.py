"""What an organization wants to run: LLM serving and training workloads."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from config.validators import validate_name

from ..capacity.constants import DEFAULT_TRAINING_GOODPUT
from ..validators import (
    DATASET_TB,
    DEADLINE_DAYS,
    FRACTION,
    LATENCY_MS,
    REQUESTS_PER_SECOND,
    TOKENS,
    TRAINING_TOKENS,
    workload_rules,
)
from .base import InventoryRow, Precision
from .catalog import ModelProfile


class WorkloadKind(models.TextChoices):
    INFERENCE = "inference", "Inference (serving)"
    TRAINING = "training", "Training"
    FINE_TUNING = "fine_tuning", "Fine-tuning"


# The fields that apply to serving only, and to training and fine-tuning only (the form's sections, the detail page).
SERVING_FIELDS = (
    "requests_per_second",
    "prompt_tokens",
    "output_tokens",
    "ttft_target_ms",
    "tpot_target_ms",
    "kv_cache_precision",
)
TRAINING_FIELDS = (
    "training_tokens",
    "deadline_days",
    "assumed_mfu",
    "activation_recompute",
    "goodput",
    "dataset_size_tb",
)


class Workload(InventoryRow):
    """What the organization wants to run: LLM serving with latency targets, or training with a deadline."""

    name = models.CharField(validators=[validate_name], max_length=100)
    kind = models.CharField(max_length=16, choices=WorkloadKind.choices)
    model_profile = models.ForeignKey(
        ModelProfile, on_delete=models.PROTECT, related_name="workloads", verbose_name="model"
    )
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.BF16)
    # Inference
    requests_per_second = models.FloatField(
        "requests per second", null=True, blank=True, validators=[REQUESTS_PER_SECOND]
    )
    prompt_tokens = models.PositiveIntegerField("prompt tokens", null=True, blank=True, validators=[TOKENS])
    output_tokens = models.PositiveIntegerField("output tokens", null=True, blank=True, validators=[TOKENS])
    ttft_target_ms = models.PositiveIntegerField(
        "time to first token target (ms)",
        null=True,
        blank=True,
        validators=[LATENCY_MS],
    )
    tpot_target_ms = models.PositiveIntegerField(
        "time per output token target (ms)",
        null=True,
        blank=True,
        validators=[LATENCY_MS],
    )
    kv_cache_precision = models.CharField(
        "KV cache precision",
        max_length=8,
        choices=Precision.choices,
        blank=True,
        help_text="Inference: KV cache precision (e.g. fp8); empty = the weights' precision, bf16 below 16 bit.",
    )
    # Training and fine-tuning
    training_tokens = models.FloatField(
        "training tokens", null=True, blank=True, validators=[TRAINING_TOKENS], help_text="Tokens to train on."
    )
    deadline_days = models.FloatField("deadline (days)", null=True, blank=True, validators=[DEADLINE_DAYS])
    assumed_mfu = models.FloatField(
        "assumed MFU (HFU with recomputation)",
        null=True,
        blank=True,
        validators=[FRACTION],
        help_text=(
            "Model FLOPs utilization, 0-1 (Llama 3 405B: 0.38-0.43; PaLM: 0.46); hardware FLOPs utilization when "
            "activation recomputation is on (OPT-175B: 147/312 = 0.47). Empty: 0.4."
        ),
    )
    activation_recompute = models.BooleanField(
        "activation recomputation",
        default=False,
        help_text="Activations are recomputed in the backward pass: 8PD FLOPs instead of 6PD (Megatron-LM).",
    )
    goodput = models.FloatField(
        "goodput (share of time training)",
        default=DEFAULT_TRAINING_GOODPUT,
        validators=[FRACTION],
        help_text="Share of wall-clock time spent training, 0-1 (Llama 3 405B: more than 90%; arXiv:2407.21783).",
    )
    dataset_size_tb = models.FloatField("dataset size (TB)", null=True, blank=True, validators=[DATASET_TB])

    natural_key = ("name",)
    row_rules = staticmethod(workload_rules)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="workload_unique_name_per_organization"),
            models.CheckConstraint(
                condition=Q(requests_per_second__isnull=True) | Q(requests_per_second__gt=0),
                name="workload_rps_positive",
            ),
            models.CheckConstraint(
                condition=Q(training_tokens__isnull=True) | Q(training_tokens__gt=0), name="workload_tokens_positive"
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__isnull=True) | Q(deadline_days__gt=0), name="workload_deadline_positive"
            ),
            models.CheckConstraint(
                condition=Q(assumed_mfu__isnull=True) | (Q(assumed_mfu__gt=0) & Q(assumed_mfu__lte=1)),
                name="workload_mfu_fraction",
            ),
            models.CheckConstraint(
                condition=Q(dataset_size_tb__isnull=True) | Q(dataset_size_tb__gte=0), name="workload_dataset_positive"
            ),
            models.CheckConstraint(condition=Q(goodput__gt=0) & Q(goodput__lte=1), name="workload_goodput_fraction"),
        ]

    def __str__(self) -> str:
        return self.name

    def field_applies(self, field_name: str) -> bool:
        """Whether the field concerns this workload's kind: a serving field does not concern training, nor the
        reverse; the other fields concern every kind."""
        other = TRAINING_FIELDS if self.kind == WorkloadKind.INFERENCE else SERVING_FIELDS
        return field_name not in other
