"""The assumptions behind every capacity figure, each with its source: shown as a table on the capacity page, in
the API (`assumptions`) and in the PDF's capacity chapter."""

from __future__ import annotations

from dataclasses import dataclass

from .. import capacity
from ..selectors import MEASURED_WINDOW_DAYS


@dataclass(frozen=True)
class Assumption:
    what: str
    value: str
    source: str


SOURCES = {
    "overhead": "DGX H100 system 10.2 kW for 8 x 700 W GPUs (NVIDIA DGX H100 datasheet)",
    "integrated": (
        "NVIDIA DGX Spark product page: GB10 TDP 140 W 'including CPU and GPU', 240 W power supply; the memory the "
        "host keeps of a unified memory is an assumption per accelerator type (GB10: 16 GB, NVIDIA's RTX Spark "
        "porting guide keeps capacity minus 16 GB for the GPU under Windows; DGX OS publishes no split)"
    ),
    "pue": "The Green Grid PUE definition (ISO/IEC 30134-2); industry average 1.58 (Uptime Institute 2023)",
    "grid": (
        "grid carbon intensity by country (reference grid_carbon_intensity.csv: codecarbon global_energy_mix, "
        "2023); IEA world average 475 g/kWh where a country has no row"
    ),
    "serving": "vLLM defaults: gpu_memory_utilization 0.9, max_num_seqs 256; decode at 70% of peak bandwidth",
    "training": (
        "C = 6PD (Kaplan et al. 2020), 8PD with activation recomputation (Megatron-LM, arXiv:2104.04473); "
        "ZeRO memory (arXiv:1910.02054); time = C / (N x peak x MFU or HFU x goodput); goodput default 0.9 "
        "(Llama 3 405B: >90% effective training time, arXiv:2407.21783)"
    ),
    "prefill": "forward FLOPs per token = 2N + 2 n_layer n_ctx d_attn (Kaplan et al. 2020, arXiv:2001.08361, Table 1)",
    "rates": "dense datasheet rate of the workload's precision (half the sparsity figure); fallbacks named",
    "sizing": "weights + KV cache over the GPUs' memory x 0.9 (vLLM); KV heads replicated when TP > kv_heads",
}
"""Sources of the assumptions, by topic (the API's ``sources``)."""

LOAD_BASIS = (
    f"each active server at its measured power where telemetry gives it (the highest daily p95 of the last "
    f"{MEASURED_WINDOW_DAYS} days), else at its full rated power, {capacity.HOURS_PER_MONTH:.0f} hours a month"
)
"""The load every power, energy, cost and carbon figure of the fleet assumes, in one phrase: the figures' notes, the
assumptions table, the API, the executive summary and the pages read it (`inventory.selectors.server_power_ladder`
is the rule). Only the rated part is an upper bound: a measured p95 is what the servers drew."""

ASSUMPTIONS = (
    Assumption(
        "Server power",
        "whole-server power measured by the BMC (Redfish), else the accelerators' power measured by DCGM plus the "
        "rest of the server, else the server's recorded power, else its server model's maximum draw, else an "
        "integrated system's rated power (its accelerator type's system power: NVIDIA GB10, a DGX Spark's 240 W), "
        f"else accelerator TDP x {capacity.DEFAULT_SERVER_OVERHEAD_FACTOR:.2f} for the rest of the server",
        f"{SOURCES['overhead']}; {SOURCES['integrated']}",
    ),
    Assumption(
        "Unified memory",
        "an accelerator whose memory is the whole system's (NVIDIA GB10: 128 GB shared with the CPU and the "
        "operating system) counts for models only its memory less what its type keeps for the host (GB10: 16 GB, "
        "so 112 GB), then x 0.9 usable as any GPU",
        SOURCES["integrated"],
    ),
    Assumption("Load", LOAD_BASIS, "8,760 hours a year / 12"),
    Assumption("Facility power", "IT power x the site's PUE", SOURCES["pue"]),
    Assumption(
        "Carbon",
        "energy x the site's own grid intensity when recorded, else its country's, else the world average; "
        "operational, location-based",
        SOURCES["grid"],
    ),
    Assumption(
        "Cost",
        "energy x the site's electricity price, in the site's currency; currencies are totalled apart, never added",
        "energy only: no hardware depreciation, staff, software or facility rent",
    ),
    Assumption(
        "Serving",
        f"memory x {capacity.SERVING_MEMORY_UTILIZATION} usable, MFU {capacity.DEFAULT_SERVING_MFU} in prefill, "
        f"{capacity.DEFAULT_DECODE_BANDWIDTH_EFFICIENCY:.0%} of peak bandwidth in decode, at most "
        f"{capacity.MAX_NUM_SEQS_PER_REPLICA} sequences and {capacity.MAX_TENSOR_PARALLEL_PER_REPLICA} GPUs "
        "per replica",
        SOURCES["serving"],
    ),
    Assumption(
        "Training",
        f"ZeRO-3 memory, MFU {capacity.DEFAULT_TRAINING_MFU} and goodput {capacity.DEFAULT_TRAINING_GOODPUT} when "
        "a workload gives none, ten years without a deadline",
        SOURCES["training"],
    ),
)
