"""Capacity, energy, cost and carbon model for generative-AI infrastructure.

Pure Python 3.11, standard library only (no Django): the package can be imported and tested on its own.
Every formula names its source in its docstring and every constant names its source in a comment; the
same material, with worked examples, is in ``docs/capacity.md``.

Units are part of the names. Decimal (SI) prefixes throughout:

* bytes; ``_gb`` = 1e9 bytes; ``_gbps`` = GB/s = 1e9 bytes/s (memory bandwidth as datasheets quote it);
* ``_tflops`` = 1e12 FLOP/s (dense, i.e. without structured sparsity);
* ``_w`` watts, ``_kw`` kilowatts, ``_kwh`` kilowatt-hours, ``_s`` seconds;
* money is in whatever currency ``price_per_kwh`` is given in.

Invalid inputs (negative counts, unknown precision, an MFU outside (0, 1], a PUE below 1, NaN...) raise
``ValueError`` whose message starts with the argument's name.

The model is split along its seams; this package re-exports every public name, so
``from inventory.capacity import kv_cache_bytes`` works whichever submodule holds it:

* ``constants``: the ``Precision`` and ``Bottleneck`` types and every constant, each with its source;
* ``validation``: the private argument checks (``ValueError`` naming the argument);
* ``memory``: bytes of weights, KV cache and training model states;
* ``compute``: training FLOPs and days, decode and prefill time, roofline ridge point;
* ``footprint``: energy, cost, carbon and the per-site ``Footprint``;
* ``specs``: accelerator, model, pool and workload specs, and the ``InferenceFit`` / ``TrainingFit`` results;
* ``system``: integrated systems (a DGX Spark's GB10): whole-server power from the type's system power, and the
  unified memory counted for models;
* ``fitting``: what both fit analyses share (compute rate of a precision, IT power, site power headroom);
* ``inference``: ``fit_inference`` (tensor-parallel plans, batch, latency, replicas);
* ``training``: ``fit_training`` (ZeRO memory, deadline, GPUs needed);
* ``serving``: quantized serving sizing (int4/fp8 weights, fp8 KV cache, largest context, nodes needed);
* ``figures``: ``Figure`` and ``Input``, a number with its formula, inputs (unit and origin) and source, and how
  numbers read (``format_value``; a site's power capacity and headroom, ``format_headroom_kw``);
* ``explain``: ``fit_figures``, every figure of a fit with the inputs the model used.
"""

from .compute import (
    decode_seconds_per_token,
    forward_flops_per_token,
    prefill_flops,
    prefill_seconds,
    ridge_point,
    training_days,
    training_flops,
)
from .constants import (
    ATTENTION_FLOPS_PER_LAYER_CONTEXT_DIM,
    BOTTLENECK_LABELS,
    BYTES_PER_GB,
    BYTES_PER_VALUE,
    COMPUTE_RATE_OF,
    DEFAULT_DECODE_BANDWIDTH_EFFICIENCY,
    DEFAULT_SERVER_OVERHEAD_FACTOR,
    DEFAULT_SERVING_MFU,
    DEFAULT_TRAINING_GOODPUT,
    DEFAULT_TRAINING_MFU,
    DGX_H100_GPU_COUNT,
    DGX_H100_SYSTEM_POWER_W,
    FLOPS_PER_TFLOP,
    FORWARD_FLOPS_PER_PARAM_PER_TOKEN,
    GRADIENT_BYTES_PER_PARAM_MIXED,
    GRAMS_PER_KG,
    H100_SXM_TDP_W,
    HOURS_PER_MONTH,
    KG_PER_TONNE,
    KV_TENSORS_PER_LAYER,
    LOW_PRECISION_COMPUTE,
    MAX_NUM_SEQS_PER_REPLICA,
    MAX_TENSOR_PARALLEL_PER_REPLICA,
    OPTIMIZER_BYTES_PER_PARAM_ADAM,
    PRECISIONS,
    RATE_FALLBACKS,
    RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    SERVING_MEMORY_UTILIZATION,
    TOKENS_PER_MILLION,
    TRAINING_BYTES_PER_PARAM,
    TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
    TRAINING_MEMORY_UTILIZATION,
    WATTS_PER_KW,
    WEIGHT_BYTES_PER_PARAM_MIXED,
    ZERO_STAGES,
    Bottleneck,
    Precision,
)
from .explain import CONSTANT_ORIGINS, Origins, fit_figures
from .figures import (
    Figure,
    Input,
    figure_if_known,
    format_amount,
    format_capacity_kw,
    format_column,
    format_headroom_kw,
    format_value,
    is_money_unit,
    known_inputs,
    over_capacity,
    present_figures,
)
from .fitting import ComputeRate, compute_rate, effective_peak_tflops, rate_label
from .footprint import (
    Footprint,
    combine_footprints,
    cost_per_million_tokens,
    emissions_kg,
    energy_cost,
    energy_kwh,
    site_footprint,
)
from .inference import fit_inference, valid_tensor_parallel_sizes
from .memory import bytes_per_value, default_kv_cache_precision, kv_cache_bytes, training_memory_bytes, weights_bytes
from .serving import (
    GPUS_PER_NODE,
    ServingMemory,
    ServingSizing,
    gpus_needed_for_memory,
    kv_replication,
    max_context_tokens,
    nodes_needed,
    serving_memory,
    size_serving,
)
from .specs import (
    RATE_FIELDS,
    AcceleratorSpec,
    InferenceFit,
    InferenceWorkload,
    ModelSpec,
    Pool,
    TrainingFit,
    TrainingWorkload,
)
from .system import (
    memory_for_models_gb,
    non_accelerator_watts,
    overhead_words,
    rated_server_watts,
    rated_server_words,
    unified_memory_words,
)
from .training import fit_training

__all__ = [
    "BOTTLENECK_LABELS",
    "ATTENTION_FLOPS_PER_LAYER_CONTEXT_DIM",
    "BYTES_PER_VALUE",
    "COMPUTE_RATE_OF",
    "DEFAULT_DECODE_BANDWIDTH_EFFICIENCY",
    "DEFAULT_SERVER_OVERHEAD_FACTOR",
    "DEFAULT_SERVING_MFU",
    "DEFAULT_TRAINING_GOODPUT",
    "DEFAULT_TRAINING_MFU",
    "GPUS_PER_NODE",
    "HOURS_PER_MONTH",
    "MAX_NUM_SEQS_PER_REPLICA",
    "MAX_TENSOR_PARALLEL_PER_REPLICA",
    "PRECISIONS",
    "RATE_FALLBACKS",
    "RATE_FIELDS",
    "RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN",
    "SERVING_MEMORY_UTILIZATION",
    "TRAINING_MEMORY_UTILIZATION",
    "CONSTANT_ORIGINS",
    "AcceleratorSpec",
    "Bottleneck",
    "ComputeRate",
    "Figure",
    "Footprint",
    "InferenceFit",
    "Input",
    "InferenceWorkload",
    "ModelSpec",
    "Origins",
    "Pool",
    "Precision",
    "ServingMemory",
    "ServingSizing",
    "TrainingFit",
    "TrainingWorkload",
    "bytes_per_value",
    "combine_footprints",
    "compute_rate",
    "cost_per_million_tokens",
    "decode_seconds_per_token",
    "default_kv_cache_precision",
    "effective_peak_tflops",
    "emissions_kg",
    "energy_cost",
    "energy_kwh",
    "figure_if_known",
    "fit_figures",
    "fit_inference",
    "fit_training",
    "format_amount",
    "format_capacity_kw",
    "format_column",
    "format_headroom_kw",
    "format_value",
    "is_money_unit",
    "forward_flops_per_token",
    "gpus_needed_for_memory",
    "known_inputs",
    "kv_cache_bytes",
    "kv_replication",
    "max_context_tokens",
    "memory_for_models_gb",
    "non_accelerator_watts",
    "nodes_needed",
    "over_capacity",
    "overhead_words",
    "prefill_flops",
    "present_figures",
    "prefill_seconds",
    "rate_label",
    "rated_server_watts",
    "rated_server_words",
    "ridge_point",
    "serving_memory",
    "site_footprint",
    "size_serving",
    "training_days",
    "training_flops",
    "training_memory_bytes",
    "unified_memory_words",
    "valid_tensor_parallel_sizes",
    "weights_bytes",
    # Also public in the single module this package replaces (kept so every import still works):
    "BYTES_PER_GB",
    "DGX_H100_GPU_COUNT",
    "DGX_H100_SYSTEM_POWER_W",
    "FLOPS_PER_TFLOP",
    "FORWARD_FLOPS_PER_PARAM_PER_TOKEN",
    "GRADIENT_BYTES_PER_PARAM_MIXED",
    "GRAMS_PER_KG",
    "H100_SXM_TDP_W",
    "KG_PER_TONNE",
    "KV_TENSORS_PER_LAYER",
    "LOW_PRECISION_COMPUTE",
    "OPTIMIZER_BYTES_PER_PARAM_ADAM",
    "SECONDS_PER_DAY",
    "SECONDS_PER_HOUR",
    "TOKENS_PER_MILLION",
    "TRAINING_BYTES_PER_PARAM",
    "TRAINING_FLOPS_PER_PARAM_PER_TOKEN",
    "WATTS_PER_KW",
    "WEIGHT_BYTES_PER_PARAM_MIXED",
    "ZERO_STAGES",
]
