"""Where the model's figures come from, in words: the origin of each constant the model uses (`CONSTANT_ORIGINS`)
and the publication or definition behind each formula (`SOURCES`), cited by `explain.fit_figures`. The same
sources stand beside the constants in `constants` and in docs/capacity.md."""

#: Where the model's constants and definitions come from (the origin of a constant input).
CONSTANT_ORIGINS = {
    "serving_memory": "vLLM default gpu_memory_utilization 0.9 (vLLM engine arguments)",
    "training_memory": "assumption: the serving reserve of 10% kept for CUDA context, NCCL buffers and fragmentation",
    "max_tp": "one 8-GPU NVLink node (NVIDIA DGX H100 datasheet; Megatron-LM, arXiv:2104.04473 sec. 3.3)",
    "max_seqs": "vLLM default max_num_seqs 256 (SchedulerConfig)",
    "serving_mfu": "assumption 0.5: large-GEMM utilization (PaLM 46.2%, arXiv:2204.02311; Llama 3 38-43%)",
    "efficiency": "assumption 0.7: tuned engines reach 60-85% of peak bandwidth in decode (Databricks 2023)",
    "bytes": (
        "bytes per value of the precision (IEEE 754, bfloat16; FP8 formats arXiv:2209.05433; int4 packed 2 per byte)"
    ),
    "zero": "mixed-precision Adam: 2 + 2 + 12 bytes per parameter (ZeRO, arXiv:1910.02054 sec. 3.1)",
    "six_pd": "6 FLOPs per parameter per token (Kaplan et al. 2020, arXiv:2001.08361 sec. 2.1)",
    "eight_pd": "8 FLOPs per parameter per token with recomputation (Megatron-LM, arXiv:2104.04473 eq. 4)",
    "unit": "SI unit conversion",
}

SOURCES = {
    "usable_serving": "vLLM engine arguments: gpu_memory_utilization default 0.9 (10% of each GPU is headroom)",
    "usable_training": (
        "assumption: 10% of each GPU kept for the CUDA context, NCCL buffers and "
        "allocator fragmentation (no published figure; docs/capacity.md, constants)"
    ),
    "weights": "HF transformers, Optimizing LLMs: parameters x bytes per value (Llama-2-70B bf16: 140 GB)",
    "kv": (
        "K and V per layer for the KV heads only (GQA, arXiv:2305.13245; vLLM, arXiv:2309.06180 sec. 3); "
        "sharded by KV head over the tensor-parallel ranks (Megatron-LM, arXiv:1909.08053)"
    ),
    "serving_memory": "vLLM: weights + KV cache within gpu_memory_utilization (engine arguments, default 0.9)",
    "tp": (
        "Megatron-LM (arXiv:1909.08053 sec. 3): attention split by heads; vLLM requires heads % TP == 0 and "
        "replicates KV heads when TP > KV heads; TP kept inside an 8-GPU NVLink node (arXiv:2104.04473 sec. 3.3)"
    ),
    "batch": "vLLM: sequences decoded together are bounded by free KV memory and max_num_seqs (default 256)",
    "prefill": (
        "forward FLOPs per token = 2N + 2 x layers x context x attention width (Kaplan et al. 2020, arXiv:2001.08361, "
        "Table 1)"
    ),
    "ttft": (
        "prefill is compute bound: its FLOPs (Kaplan et al. 2020, Table 1) over the GPUs' dense rate at MFU, "
        "never faster than one read of the weights (roofline, Williams, Waterman and Patterson 2009)"
    ),
    "tpot": (
        "a decode step reads every weight and the KV cache once (memory bound) unless the batch passes the "
        "ridge point (roofline, Williams, Waterman and Patterson 2009); bandwidth utilization as defined by "
        "Databricks/MosaicML (LLM Inference Performance Engineering, 2023)"
    ),
    "replica_rps": (
        "continuous batching (Orca, Yu et al., OSDI 2022; vLLM): each request takes TTFT of the replica for its "
        "prefill, and each decode step serves the batch's sequences together (docs/capacity.md, the inference fit, "
        "step 3)"
    ),
    "little": "Little's law L = lambda x W (J. D. C. Little, Operations Research 9(3), 1961)",
    "gpus_inference": "data-parallel replicas of a tensor-parallel group (Megatron-LM, arXiv:2104.04473)",
    "gpus_training": (
        "fewest data-parallel GPUs holding the ZeRO model states (arXiv:1910.02054) and finishing before the "
        "deadline at C / (N x peak x MFU x goodput) (docs/capacity.md, the training fit)"
    ),
    "available": "the inventory: accelerators of this type in the pool",
    "power": "whole-server watts per accelerator (docs/capacity.md, server power ladder)",
    "rate": "the accelerator's datasheet, dense rates (half the sparsity figure), catalog accelerators.csv",
    "demand": "the workload's declared request rate and answer length (definition of token throughput)",
    "states": "ZeRO (Rajbhandari et al. 2020, arXiv:1910.02054) sec. 3.1 and 5: 16 bytes per parameter, split by stage",
    "headroom": "what the ZeRO model states leave of the usable memory (activations are not estimated)",
    "flops": "C = 6PD (Kaplan et al. 2020, arXiv:2001.08361 sec. 2.1)",
    "computed": "6PD, or 8PD with activation recomputation (Megatron-LM, arXiv:2104.04473 eq. 4; arXiv:2205.05198)",
    "days": (
        "time = C / (N x peak x MFU x goodput): MFU as defined by PaLM (arXiv:2204.02311 app. B), HFU with "
        "recomputation (Megatron-LM), goodput after Llama 3 (arXiv:2407.21783 sec. 3.3.4)"
    ),
    "goodput": "Llama 3 405B: more than 90% effective training time (arXiv:2407.21783 sec. 3.3.4)",
    "deadline": "definition: the estimated training time against the workload's deadline",
}
