"""Specs and workloads (accelerator, model, pool, inference and training workloads) and the fit results.

Each spec validates itself on construction (``ValueError`` naming the field)."""

from dataclasses import dataclass

from .constants import DEFAULT_SERVER_OVERHEAD_FACTOR, ZERO_STAGES, Bottleneck, Precision
from .memory import default_kv_cache_precision
from .system import memory_for_models_gb, overhead_words, rated_server_watts, rated_server_words, unified_memory_words
from .validation import _at_least_one, _count, _name, _non_negative, _positive, _precision, _unit_fraction

#: The dense per-precision rates an ``AcceleratorSpec`` may carry (TFLOPS; TOPS for int8).
RATE_FIELDS: tuple[str, ...] = ("bf16_tflops", "fp16_tflops", "fp8_tflops", "int8_tops")


@dataclass(frozen=True, slots=True)
class AcceleratorSpec:
    """One accelerator model (a row of ``accelerators.csv``). Rates are dense (no sparsity): TFLOPS, TOPS for int8.

    Every rate is optional because datasheets differ: a T4 has FP16 and INT8 tensor cores but no BF16, an A100
    no FP8, an RTX 4080 SUPER publishes no per-precision figure at all. ``fitting.compute_rate`` picks the rate
    of a workload's precision and names any fallback; ``bf16_tflops`` stays the fourth positional argument.

    An integrated system's accelerator (NVIDIA GB10, a DGX Spark's CPU and GPU in one package) also carries
    ``system_power_w``, the whole system's power per accelerator (used instead of TDP x server overhead), and
    ``host_reserved_gb``, the part of its unified memory that the operating system and CPU keep (not counted for
    models: ``model_memory_gb``). Both are None for a GPU in a server with memory of its own (module ``system``).
    """

    name: str
    memory_gb: float
    mem_bandwidth_gbps: float
    bf16_tflops: float | None
    fp8_tflops: float | None = None
    tdp_w: float | None = None
    fp16_tflops: float | None = None
    int8_tops: float | None = None
    system_power_w: float | None = None
    host_reserved_gb: float | None = None

    def __post_init__(self) -> None:
        _name("name", self.name)
        _positive("memory_gb", self.memory_gb)
        _positive("mem_bandwidth_gbps", self.mem_bandwidth_gbps)
        for field_name in RATE_FIELDS:
            if getattr(self, field_name) is not None:
                _positive(field_name, getattr(self, field_name))
        if self.tdp_w is not None:
            _positive("tdp_w", self.tdp_w)
        if self.system_power_w is not None:
            _positive("system_power_w", self.system_power_w)
            if self.tdp_w is not None and float(self.system_power_w) < float(self.tdp_w):
                raise ValueError(
                    f"system_power_w must be at least tdp_w ({self.tdp_w!r}): the system includes the accelerator, "
                    f"got {self.system_power_w!r}"
                )
        memory_for_models_gb(self.memory_gb, self.host_reserved_gb)  # host_reserved_gb in [0, memory_gb)

    @property
    def model_memory_gb(self) -> float:
        """Memory counted for a model (weights, KV cache, activations): ``memory_gb``, less ``host_reserved_gb``
        for unified memory (GB10: 128 - 16 = 112 GB). Every memory fit reads this figure."""
        return memory_for_models_gb(self.memory_gb, self.host_reserved_gb)

    @property
    def unified_memory(self) -> bool:
        """Whether the memory is the whole system's, shared with the CPU and the operating system."""
        return self.host_reserved_gb is not None

    @property
    def counted_memory_text(self) -> str:
        """The memory a fit counts, as its reasons say it: "80 GB", or "112 GB counted for models of 128 GB
        unified"."""
        if not self.unified_memory:
            return f"{float(self.memory_gb):g} GB"
        return f"{self.model_memory_gb:g} GB counted for models of {float(self.memory_gb):g} GB unified"

    @property
    def memory_words(self) -> str:
        """ "NVIDIA GB10: 128 GB unified, of which ~112 GB counted for models (16 GB kept for the operating system
        and CPU)"; "" for an accelerator with memory of its own."""
        return unified_memory_words(self.name, self.memory_gb, self.host_reserved_gb)

    @property
    def sixteen_bit_tflops(self) -> float | None:
        """Dense 16-bit rate for fleet totals: BF16, else FP16 (T4), else None (not published)."""
        value = self.bf16_tflops if self.bf16_tflops is not None else self.fp16_tflops
        return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A transformer LLM's configuration (a row of ``llm_models.csv``).

    ``active_params`` is set for mixture-of-experts models (params used per token); ``None`` for dense.
    """

    name: str
    params: float
    active_params: float | None
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    context_length: int

    def __post_init__(self) -> None:
        _name("name", self.name)
        params = _positive("params", self.params)
        if self.active_params is not None:
            active = _positive("active_params", self.active_params)
            if active > params:
                raise ValueError(f"active_params must be <= params ({self.params!r}), got {self.active_params!r}")
        for field_name in (
            "layers",
            "hidden_size",
            "attention_heads",
            "kv_heads",
            "head_dim",
            "context_length",
        ):
            _count(field_name, getattr(self, field_name), minimum=1)
        if self.attention_heads % self.kv_heads:
            raise ValueError(f"kv_heads must divide attention_heads ({self.attention_heads}), got {self.kv_heads!r}")

    @property
    def compute_params(self) -> float:
        """Parameters that do work per token: ``active_params`` for MoE, else ``params``."""
        return float(self.active_params if self.active_params is not None else self.params)

    @property
    def d_attn(self) -> int:
        """Attention width ``attention_heads x head_dim`` (Kaplan's d_attn: query heads, not KV heads)."""
        return self.attention_heads * self.head_dim


@dataclass(frozen=True, slots=True)
class Pool:
    """A group of ``count`` identical accelerators at one site.

    ``site_power_capacity_kw`` / ``site_power_draw_kw``: the site's available and currently used IT (critical)
    power; capacity ``None`` means unknown (the power check is skipped).

    Whole-server power per accelerator: ``server_power_w_per_accelerator`` when the pool's servers have a
    recorded (rated or measured) power, i.e. the servers' watts divided by their accelerators; else the
    accelerator's ``system_power_w`` for an integrated system (GB10: 240 W); else the accelerator's TDP x
    ``server_overhead_factor`` (DGX H100 default 1.821): `system.rated_server_watts`. ``power_source`` says in
    words which one applies (e.g. "recorded server power (12 of 12 servers)").

    ``servers``: how many servers hold the ``count`` accelerators (``None`` or 0 when unknown, e.g. a cloud pool).
    Power is given back only by switching off whole servers: a fit on part of one server's GPUs leaves it on.
    """

    accelerator: AcceleratorSpec
    count: int
    site: str
    site_power_capacity_kw: float | None = None
    site_power_draw_kw: float = 0.0
    server_overhead_factor: float = DEFAULT_SERVER_OVERHEAD_FACTOR
    server_power_w_per_accelerator: float | None = None
    power_source: str = ""
    servers: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.accelerator, AcceleratorSpec):
            raise ValueError(f"accelerator must be an AcceleratorSpec, got {self.accelerator!r}")
        _count("count", self.count)
        _name("site", self.site)
        if self.site_power_capacity_kw is not None:
            _non_negative("site_power_capacity_kw", self.site_power_capacity_kw)
        _non_negative("site_power_draw_kw", self.site_power_draw_kw)
        _at_least_one("server_overhead_factor", self.server_overhead_factor)
        if self.server_power_w_per_accelerator is not None:
            _positive("server_power_w_per_accelerator", self.server_power_w_per_accelerator)
        if not isinstance(self.power_source, str):
            raise ValueError(f"power_source must be a string, got {self.power_source!r}")
        if self.servers is not None:
            _count("servers", self.servers)

    @property
    def watts_per_accelerator(self) -> float | None:
        """Whole-server watts per accelerator: recorded server power, else the integrated system's power, else
        TDP x overhead, else None."""
        if self.server_power_w_per_accelerator is not None:
            return float(self.server_power_w_per_accelerator)
        return rated_server_watts(
            1, self.accelerator.tdp_w, self.accelerator.system_power_w, overhead=self.server_overhead_factor
        )

    @property
    def added_watts_per_accelerator(self) -> float | None:
        """Whole-server watts of an accelerator beyond the pool's ``count`` (one to add, not bought yet): rated,
        as nothing recorded or measured it (the integrated system's power, else TDP x overhead:
        `system.rated_server_watts`); the pool's own figure where its type has no rating."""
        rated = rated_server_watts(
            1, self.accelerator.tdp_w, self.accelerator.system_power_w, overhead=self.server_overhead_factor
        )
        return rated if rated is not None else self.watts_per_accelerator

    @property
    def added_power_basis(self) -> str:
        """Words for `added_watts_per_accelerator`: "rated: TDP 700 W x server overhead 1.821"
        (`system.rated_server_words`); the pool's own basis where its type has no rating."""
        if self.accelerator.system_power_w is None and not self.accelerator.tdp_w:
            return self.power_basis
        words = rated_server_words(
            self.accelerator.tdp_w, self.accelerator.system_power_w, overhead=self.server_overhead_factor
        )
        return f"rated: {words}"

    @property
    def power_basis(self) -> str:
        """Words for the power figure: ``power_source`` if given, else how ``watts_per_accelerator`` is made."""
        if self.power_source:
            return self.power_source
        if self.server_power_w_per_accelerator is not None:
            return "recorded server power"
        if self.accelerator.system_power_w is not None:
            return f"system power {float(self.accelerator.system_power_w):g} W per {self.accelerator.name} (integrated)"
        return f"TDP x server overhead {overhead_words(self.server_overhead_factor)}"


@dataclass(frozen=True, slots=True)
class InferenceWorkload:
    """A serving workload: a steady request rate with a fixed prompt/output length and optional SLOs.

    ``kv_cache_precision`` defaults to the weights' precision when that is 16 bit or more, else bf16 (weight
    quantization leaves the KV cache in the activation dtype; vLLM ``kv_cache_dtype="auto"``).
    """

    model: ModelSpec
    precision: Precision
    requests_per_second: float
    prompt_tokens: int
    output_tokens: int
    ttft_target_s: float | None = None
    tpot_target_s: float | None = None
    kv_cache_precision: Precision | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, ModelSpec):
            raise ValueError(f"model must be a ModelSpec, got {self.model!r}")
        _precision(self.precision)
        _positive("requests_per_second", self.requests_per_second)
        _count("prompt_tokens", self.prompt_tokens, minimum=1)
        _count("output_tokens", self.output_tokens, minimum=1)
        if self.prompt_tokens + self.output_tokens > self.model.context_length:
            raise ValueError(
                f"prompt_tokens + output_tokens ({self.prompt_tokens + self.output_tokens}) must not exceed "
                f"the model's context_length ({self.model.context_length})"
            )
        if self.ttft_target_s is not None:
            _positive("ttft_target_s", self.ttft_target_s)
        if self.tpot_target_s is not None:
            _positive("tpot_target_s", self.tpot_target_s)
        if self.kv_cache_precision is not None:
            _precision(self.kv_cache_precision, "kv_cache_precision")

    @property
    def effective_kv_cache_precision(self) -> Precision:
        """KV cache precision actually used (see class docstring)."""
        if self.kv_cache_precision is not None:
            return self.kv_cache_precision
        return default_kv_cache_precision(self.precision)


@dataclass(frozen=True, slots=True)
class TrainingWorkload:
    """A training / fine-tuning run: ``tokens`` to process before ``deadline_days`` at a given utilization.

    Memory follows mixed-precision Adam (16 B/param, ZeRO); ``precision`` only selects the peak TFLOPS
    (fp8 uses the FP8 rate). int8/int4 training is not modelled and rejected.

    ``mfu`` is the model FLOPs utilization on 6PD, or the hardware FLOPs utilization (HFU) on 8PD when
    ``activation_recompute`` is True; ``goodput`` is the share of wall-clock time spent training (see
    ``compute.training_days``). The pure default goodput is 1.0 (pure compute time); stored workloads default
    to ``DEFAULT_TRAINING_GOODPUT`` = 0.9 (Llama 3 405B: more than 90% effective training time).
    """

    model: ModelSpec
    precision: Precision
    tokens: float
    deadline_days: float
    mfu: float
    zero_stage: int = 3
    activation_recompute: bool = False
    goodput: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.model, ModelSpec):
            raise ValueError(f"model must be a ModelSpec, got {self.model!r}")
        _precision(self.precision)
        if self.precision in ("int8", "int4"):
            raise ValueError(f"precision must be fp32, bf16, fp16 or fp8 for training, got {self.precision!r}")
        _positive("tokens", self.tokens)
        _positive("deadline_days", self.deadline_days)
        _unit_fraction("mfu", self.mfu)
        if isinstance(self.zero_stage, bool) or self.zero_stage not in ZERO_STAGES:
            raise ValueError(f"zero_stage must be one of 0, 1, 2, 3, got {self.zero_stage!r}")
        if not isinstance(self.activation_recompute, bool):
            raise ValueError(f"activation_recompute must be True or False, got {self.activation_recompute!r}")
        _unit_fraction("goodput", self.goodput)


@dataclass(frozen=True, slots=True)
class InferenceFit:
    """Result of ``fit_inference``. ``None`` fields could not be determined (see ``reasons``)."""

    fits: bool
    bottleneck: Bottleneck | None
    reasons: tuple[str, ...]
    tensor_parallel: int | None  # GPUs per replica
    concurrency_per_replica: int | None  # sequences decoded together per replica (batch slots)
    replicas: int | None
    gpus_needed: int | None  # replicas x tensor_parallel
    gpus_available: int
    usable_memory_gb_per_gpu: float  # memory_gb x SERVING_MEMORY_UTILIZATION
    weights_gb_per_gpu: float | None
    kv_cache_gb_per_gpu: float | None  # for concurrency_per_replica full-length sequences
    memory_gb_per_gpu: float | None  # weights + KV cache
    ttft_s: float | None  # estimated time to first token (one request's prefill)
    tpot_s: float | None  # estimated time per output token at concurrency_per_replica
    replica_requests_per_second: float | None  # sustainable throughput of one replica
    in_flight_requests: float | None  # Little's law: requests_per_second x (ttft + output_tokens x tpot)
    output_tokens_per_second: float  # demand: requests_per_second x output_tokens
    peak_tflops: float  # compute rate used (see compute_rate)
    it_power_kw: float | None  # gpus_needed x whole-server watts per accelerator (pool.watts_per_accelerator)
    compute_rate: str = "bf16"  # which datasheet rate peak_tflops is: bf16, fp16, fp8 or int8
    compute_rate_note: str = ""  # the documented fallback used, if any (empty when the precision's own rate)
    prefill_flops: float | None = None  # one prompt's forward pass, attention included (Kaplan Table 1)
    power_basis: str = ""  # recorded server power, or TDP x server overhead


@dataclass(frozen=True, slots=True)
class TrainingFit:
    """Result of ``fit_training``."""

    fits: bool
    bottleneck: Bottleneck | None
    reasons: tuple[str, ...]
    memory_gb_per_gpu: float | None  # model states per GPU with data_parallel = pool count (no activations)
    usable_memory_gb_per_gpu: float  # memory_gb x TRAINING_MEMORY_UTILIZATION
    activation_headroom_gb: float | None  # usable - model states: what is left for activations
    training_flops: float
    training_days: float | None  # on the whole pool
    meets_deadline: bool
    gpus_available: int
    gpus_needed: int | None  # fewest GPUs that hold the model states AND meet the deadline
    peak_tflops: float
    it_power_kw: float | None  # gpus_needed x whole-server watts per accelerator; None if unknown
    compute_rate: str = "bf16"  # which datasheet rate peak_tflops is
    compute_rate_note: str = ""  # the documented fallback used, if any
    computed_flops: float | None = None  # 6PD, or 8PD with activation recomputation
    activation_recompute: bool = False
    goodput: float = 1.0
    power_basis: str = ""
