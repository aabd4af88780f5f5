"""Whole-server power and the memory counted for models, where an accelerator is an integrated system's.

Most accelerators sit in a server whose CPUs, memory, network and fans draw on top of them: without a recorded
figure the server's power is estimated as accelerators x TDP x ``DEFAULT_SERVER_OVERHEAD_FACTOR`` (1.821, the
NVIDIA DGX H100 datasheet's 10.2 kW for 8 x 700 W GPUs). An integrated system is different: the NVIDIA GB10 of a
DGX Spark is CPU and GPU in one package (its 140 W TDP covers both, NVIDIA DGX Spark product page), and the whole
system has a 240 W power supply, so TDP x 1.821 = 255 W is more than the system can draw. Such an accelerator type
carries its own ``system_power_w``, the whole system's power per accelerator, used instead.

Its memory is the system's too (unified memory, shared with the CPU and the operating system): such a type carries
``host_reserved_gb``, the part the host keeps, and the model counts ``memory_gb - host_reserved_gb`` for models.

Pure functions: the database's power ladder (``inventory.selectors.server_power_ladder``) computes the same figures
in SQL for whole fleets, and a test compares the two.
"""

from .constants import DEFAULT_SERVER_OVERHEAD_FACTOR
from .validation import _at_least_one, _count, _non_negative, _positive


def rated_server_watts(
    accelerators: int,
    tdp_w: float | None,
    system_power_w: float | None = None,
    *,
    overhead: float = DEFAULT_SERVER_OVERHEAD_FACTOR,
) -> float | None:
    """The estimated whole-server watts of a server with ``accelerators`` accelerators of one type, when no power
    is recorded (the last rungs of the power ladder):

    * ``accelerators x system_power_w`` when the type is an integrated system's (its system power per
      accelerator: NVIDIA GB10 240 W, a DGX Spark's power supply);
    * else ``accelerators x tdp_w x overhead`` (overhead 1.821: NVIDIA DGX H100 datasheet, 10.2 kW / 8 x 700 W);
    * else None (no TDP: unknown), and 0 W for a server without accelerators.

    Worked examples: 8 x H100 SXM (700 W) -> 8 x 700 x 1.821 = 10,200 W; 1 x GB10 (system 240 W) -> 240 W, not
    1 x 140 x 1.821 = 255 W.
    """
    n = _count("accelerators", accelerators)
    if n == 0:
        return 0.0
    if system_power_w is not None:
        return n * _positive("system_power_w", system_power_w)
    if tdp_w is None or tdp_w <= 0:
        return None
    return n * float(tdp_w) * _at_least_one("overhead", overhead)


def rated_server_words(
    tdp_w: float | None, system_power_w: float | None = None, *, overhead: float = DEFAULT_SERVER_OVERHEAD_FACTOR
) -> str:
    """How `rated_server_watts` estimates an accelerator's whole-server watts, in words, for accelerators nothing
    measured or recorded (what-if additions, a roadmap's accelerators to buy): "system power 240 W each" for an
    integrated system, else "TDP 700 W x server overhead 1.821"; "no system power and no TDP" when it cannot.
    The capacity page's pools and the roadmap's capacity items both say it so."""
    if system_power_w is not None:
        return f"system power {float(system_power_w):g} W each"
    if tdp_w is None or tdp_w <= 0:
        return "no system power and no TDP"
    return f"TDP {float(tdp_w):g} W x server overhead {overhead_words(overhead)}"


def overhead_words(overhead: float) -> str:
    """A server overhead factor to the thousandth, as its arithmetic needs it (69 x 700 W x 1.821 = 88.0 kW; 1.82
    would give 87.9): "1.821", "1.5"."""
    return f"{float(overhead):.3f}".rstrip("0").rstrip(".")


def non_accelerator_watts(
    accelerators: int,
    tdp_w: float | None,
    system_power_w: float | None = None,
    *,
    overhead: float = DEFAULT_SERVER_OVERHEAD_FACTOR,
) -> float | None:
    """The rated watts of the rest of the server (what is not the accelerators), added to the accelerators' power
    measured by DCGM (the ladder's ``measured_accelerators`` rung):

    * ``accelerators x (system_power_w - tdp_w)`` for an integrated system (GB10: 240 - 140 = 100 W, what the
      power supply leaves beside the package);
    * else ``accelerators x tdp_w x (overhead - 1)`` (0.821 x TDP: the DGX H100's 4.6 kW for CPUs, memory,
      network and fans beside 8 x 700 W);
    * None without a TDP (the rung does not apply).
    """
    n = _count("accelerators", accelerators)
    if tdp_w is None or tdp_w <= 0:
        return None
    if system_power_w is not None:
        return n * max(0.0, _positive("system_power_w", system_power_w) - float(tdp_w))
    return n * float(tdp_w) * (_at_least_one("overhead", overhead) - 1.0)


def memory_for_models_gb(memory_gb: float, host_reserved_gb: float | None = None) -> float:
    """The memory of one accelerator that the capacity model counts for a model's weights, KV cache and
    activations: ``memory_gb``, less ``host_reserved_gb`` where the memory is unified (shared with the CPU and
    the operating system, which keep that part). GB10: 128 - 16 = 112 GB. The serving and training utilization
    (0.9, vLLM) then applies to this figure as to any GPU's memory."""
    memory = _positive("memory_gb", memory_gb)
    if host_reserved_gb is None:
        return memory
    reserved = _non_negative("host_reserved_gb", host_reserved_gb)
    if reserved >= memory:
        raise ValueError(f"host_reserved_gb must be less than memory_gb ({memory_gb!r}), got {host_reserved_gb!r}")
    return memory - reserved


def unified_memory_words(name: str, memory_gb: float, host_reserved_gb: float | None) -> str:
    """What the model counts of a unified memory, in words: "NVIDIA GB10: 128 GB unified, of which ~112 GB
    counted for models (16 GB kept for the operating system and CPU)"; "" for an accelerator with its own memory."""
    if host_reserved_gb is None:
        return ""
    counted = memory_for_models_gb(memory_gb, host_reserved_gb)
    return (
        f"{name}: {float(memory_gb):g} GB unified, of which ~{counted:g} GB counted for models "
        f"({float(host_reserved_gb):g} GB kept for the operating system and CPU)"
    )
