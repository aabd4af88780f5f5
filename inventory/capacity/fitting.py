"""What both fit analyses share: the compute rate used for a precision (with its documented fallback), and the IT
power of the GPUs a fit needs checked against the site's power headroom."""

from dataclasses import dataclass

from .constants import COMPUTE_RATE_OF, RATE_FALLBACKS, WATTS_PER_KW, Precision
from .specs import AcceleratorSpec, Pool
from .validation import _ceil_count, _precision

_RATE_FIELD = {"bf16": "bf16_tflops", "fp16": "fp16_tflops", "fp8": "fp8_tflops", "int8": "int8_tops"}
_RATE_LABEL = {"bf16": "BF16", "fp16": "FP16", "fp8": "FP8", "int8": "INT8"}


def rate_label(rate: str) -> str:
    """A datasheet rate as people read it ("bf16" -> "BF16"); an unknown one as it is."""
    return _RATE_LABEL.get(rate, rate)


@dataclass(frozen=True, slots=True)
class ComputeRate:
    """The dense rate a precision computes at on an accelerator: ``tflops`` (TOPS for int8), which datasheet
    ``rate`` it is, and ``note``, the documented fallback in words (empty when the precision's own rate)."""

    tflops: float
    rate: str
    note: str = ""


def compute_rate(accelerator: AcceleratorSpec, precision: Precision) -> ComputeRate:
    """The dense rate ``precision`` runs at on ``accelerator``, per ``COMPUTE_RATE_OF`` and ``RATE_FALLBACKS``.

    bf16 -> BF16, fp16 -> FP16, fp8 -> FP8, int8 -> INT8 (W8A8 kernels); int4 -> the 16-bit rate (weight-only
    kernels dequantize to 16 bit); fp32 -> the 16-bit rate (no TF32 figure in the catalog: optimistic 2x on
    A100/H100). When the accelerator lacks that figure, the fallbacks of ``RATE_FALLBACKS`` are tried in order
    and named in ``note`` (e.g. a T4 runs bf16 at its FP16 rate, an A100 runs fp8 weights at its BF16 rate).
    With no figure at all a ``ValueError`` says so: the model never guesses a rate.
    Sources: dense datasheet figures in ``accelerators.csv`` (half the sparsity figures).
    """
    _precision(precision)
    wanted = COMPUTE_RATE_OF[precision]
    own = getattr(accelerator, _RATE_FIELD[wanted])
    notes = {
        "fp32": "fp32 matmuls run as TF32/FP32, which the catalog does not carry: the 16-bit rate is used "
        "(optimistic; dense TF32 is half of BF16 on A100/H100)",
        "int4": "int4 weights are dequantized to 16 bit by weight-only kernels (GPTQ/AWQ/Marlin): 16-bit rate",
    }
    if own is not None:
        return ComputeRate(float(own), wanted, notes.get(precision, ""))
    for fallback in RATE_FALLBACKS.get(wanted, ()):
        value = getattr(accelerator, _RATE_FIELD[fallback])
        if value is not None:
            note = (
                f"{accelerator.name} has no published dense {_RATE_LABEL[wanted]} rate: "
                f"{precision} is computed at its {_RATE_LABEL[fallback]} rate ({float(value):g} TFLOPS)"
            )
            if wanted in ("fp8", "int8"):
                note += " by weight-only kernels that dequantize to 16 bit"
            return ComputeRate(float(value), fallback, note)
    tried = [wanted, *RATE_FALLBACKS.get(wanted, ())]
    raise ValueError(
        f"accelerator {accelerator.name} has no published dense rate for {precision} "
        f"(looked for {', '.join(_RATE_LABEL[r] for r in tried)}); add the datasheet figure to the accelerator type"
    )


def effective_peak_tflops(accelerator: AcceleratorSpec, precision: Precision) -> float:
    """Dense peak TFLOPS used for ``precision``: ``compute_rate(accelerator, precision).tflops``.

    Raises ``ValueError`` (naming the accelerator) when the accelerator publishes no rate usable for it.
    """
    return compute_rate(accelerator, precision).tflops


def _gpus(count: int | None) -> str:
    """A number of GPUs in words with its plural form right: "1 GPU", "2 GPUs"."""
    return f"{count} GPU" if count == 1 else f"{count} GPUs"


def _beyond_pool(pool: Pool, gpus: int | None) -> int:
    """How many of ``gpus`` the pool does not have (0 when it has them all)."""
    return max(0, (gpus or 0) - pool.count)


def _it_power_kw(pool: Pool, gpus: int | None) -> float | None:
    """Whole-server IT power of ``gpus`` accelerators (kW): gpus x pool.watts_per_accelerator / 1000, where the
    watts are the pool's recorded (or measured) server power per accelerator, else its rated estimate. GPUs beyond
    the pool's count are not there yet, so nothing recorded or measured them: they count at the rated estimate
    (`Pool.added_watts_per_accelerator`), as the roadmap and the what-if count accelerators to add:
    (count x watts + (gpus - count) x rated watts) / 1000."""
    watts = pool.watts_per_accelerator
    if gpus is None or watts is None:
        return None
    beyond = _beyond_pool(pool, gpus)
    if not beyond:
        return gpus * watts / WATTS_PER_KW
    return (pool.count * watts + beyond * (pool.added_watts_per_accelerator or watts)) / WATTS_PER_KW


def _it_power_basis(pool: Pool, gpus: int | None) -> str:
    """Words for `_it_power_kw`'s watts: the pool's basis, and the rated one for GPUs beyond its count where the
    pool's own is recorded or measured (even at the same watts: the words say which GPUs are rated)."""
    beyond = _beyond_pool(pool, gpus)
    if not beyond or pool.server_power_w_per_accelerator is None:  # a rated pool: its basis is the added GPUs' too
        return pool.power_basis
    return f"{pool.power_basis} for its {_gpus(pool.count)}; the {beyond} more {pool.added_power_basis}"


def _site_power_reason(pool: Pool, gpus: int | None, what: str) -> tuple[bool, str]:
    """(ok, reason) of running on ``gpus`` of the pool (their IT power, `_it_power_kw`) beside the site's draw;
    unknown data counts as ok, and says so."""
    if pool.watts_per_accelerator is None:
        return True, (
            f"Site power not checked: {pool.accelerator.name} has no published TDP and its servers no recorded power."
        )
    if pool.site_power_capacity_kw is None:
        return True, f"Site power not checked: {pool.site} has no recorded power capacity."
    it_power_kw = _it_power_kw(pool, gpus)
    if gpus is None or it_power_kw is None:
        return True, "Site power not checked: the number of GPUs needed is unknown."
    # The site's draw is its other servers' (site_power_draw_kw) plus this pool's (what-if accelerators included);
    # the workload reuses the pool's servers, so only what it needs beyond their draw comes out of the headroom.
    capacity_kw = float(pool.site_power_capacity_kw)
    pool_kw = pool.count * pool.watts_per_accelerator / WATTS_PER_KW
    draw_kw = float(pool.site_power_draw_kw) + pool_kw
    headroom = capacity_kw - draw_kw
    extra = it_power_kw - pool_kw
    basis = _it_power_basis(pool, gpus)
    sums = f"{capacity_kw:g} kW capacity - {draw_kw:.1f} kW draw"
    if headroom < 0:  # a negative headroom in words: the site draws more than it can take already
        site = f"{pool.site} is already {-headroom:.1f} kW over its power capacity ({sums})"
    else:
        site = f"{pool.site} has {headroom:.1f} kW headroom ({sums})"
    if extra > 0:
        if extra > headroom:
            return False, (
                f"{what} needs {it_power_kw:.1f} kW of IT load ({basis}), {extra:.1f} kW more than its "
                f"{pool.count} accelerators' servers draw now, but {site}."
            )
        return True, f"{what} adds {extra:.1f} kW of IT load ({basis}) to what its servers draw now; {site}."

    def within(verb: str) -> str:
        return (
            f"{what} {verb} {it_power_kw:.1f} kW of IT load ({basis}), within what its {pool.count} accelerators' "
            f"servers draw now"
        )

    if headroom >= 0:
        return True, f"{within('takes')}; {site}."
    # The site is over its capacity already: the fit passes only if switching off what it leaves unused gives
    # back the excess, and only whole servers can be switched off.
    over = -headroom
    off = _left_unused(pool, gpus)
    if off is not None and off[0] == 0:
        return False, (
            f"{within('needs')}, but {site}, and none of its {_servers(pool.servers or 0)} can be switched off: the "
            f"{_gpus(gpus)} it needs are spread over all of them."
        )
    if off is None and gpus >= pool.count:
        return False, f"{within('needs')}, but {site}."
    if off is None:  # the pool's servers are unknown: its unused GPUs' share of their power, as an estimate
        unused, given_back = f"the servers of the {_gpus(pool.count - gpus)} it leaves unused", -extra
    else:
        unused, given_back = f"the {_servers(off[0])} it leaves unused", off[1]
    switched_off = f"{unused} ({given_back:.1f} kW) switched off"
    if given_back < over:
        return (
            False,
            f"{within('needs')}, but {site}, and would still be {over - given_back:.1f} kW over with {switched_off}.",
        )
    return True, f"{within('takes')}; {site}, so it fits only with {switched_off}."


def _servers(count: int) -> str:
    return f"{count} server" if count == 1 else f"{count} servers"


def _left_unused(pool: Pool, gpus: int) -> tuple[int, float] | None:
    """(servers, kW) a fit on ``gpus`` of the pool leaves wholly unused, with the pool's servers holding its
    accelerators evenly (``count / servers`` each): ``servers - ceil(gpus / per server)`` servers, at the pool's
    watts per accelerator. ``None`` when the pool's servers are unknown. Worked example: 8 GPUs in 1 server, a fit
    on 6 -> (0 servers, 0 kW): the server stays on; 16 GPUs in 2 servers, a fit on 6 -> (1 server, 8 x watts)."""
    watts = pool.watts_per_accelerator
    if not pool.servers or watts is None:
        return None
    per_server = pool.count / pool.servers
    unused = max(0, pool.servers - _ceil_count(gpus / per_server))
    return unused, unused * per_server * watts / WATTS_PER_KW
