"""``inventory.capacity`` is a package split along its seams: it still exposes every name that the single
module ``inventory/capacity.py`` did, and re-exports every function and class its submodules define."""

import importlib
import pkgutil

import inventory.capacity as capacity

# Every public name of inventory/capacity.py before it became a package.
MODULE_NAMES = frozenset(
    {
        "AcceleratorSpec",
        "Bottleneck",
        "BYTES_PER_GB",
        "BYTES_PER_VALUE",
        "bytes_per_value",
        "combine_footprints",
        "cost_per_million_tokens",
        "decode_seconds_per_token",
        "DEFAULT_DECODE_BANDWIDTH_EFFICIENCY",
        "DEFAULT_SERVER_OVERHEAD_FACTOR",
        "DEFAULT_SERVING_MFU",
        "DGX_H100_GPU_COUNT",
        "DGX_H100_SYSTEM_POWER_W",
        "effective_peak_tflops",
        "emissions_kg",
        "energy_cost",
        "energy_kwh",
        "fit_inference",
        "fit_training",
        "FLOPS_PER_TFLOP",
        "Footprint",
        "FORWARD_FLOPS_PER_PARAM_PER_TOKEN",
        "GRADIENT_BYTES_PER_PARAM_MIXED",
        "GRAMS_PER_KG",
        "H100_SXM_TDP_W",
        "HOURS_PER_MONTH",
        "InferenceFit",
        "InferenceWorkload",
        "KG_PER_TONNE",
        "kv_cache_bytes",
        "KV_TENSORS_PER_LAYER",
        "LOW_PRECISION_COMPUTE",
        "MAX_NUM_SEQS_PER_REPLICA",
        "MAX_TENSOR_PARALLEL_PER_REPLICA",
        "ModelSpec",
        "OPTIMIZER_BYTES_PER_PARAM_ADAM",
        "Pool",
        "Precision",
        "PRECISIONS",
        "prefill_seconds",
        "ridge_point",
        "SECONDS_PER_DAY",
        "SECONDS_PER_HOUR",
        "SERVING_MEMORY_UTILIZATION",
        "site_footprint",
        "TOKENS_PER_MILLION",
        "TRAINING_BYTES_PER_PARAM",
        "training_days",
        "training_flops",
        "TRAINING_FLOPS_PER_PARAM_PER_TOKEN",
        "training_memory_bytes",
        "TRAINING_MEMORY_UTILIZATION",
        "TrainingFit",
        "TrainingWorkload",
        "valid_tensor_parallel_sizes",
        "WATTS_PER_KW",
        "WEIGHT_BYTES_PER_PARAM_MIXED",
        "weights_bytes",
        "ZERO_STAGES",
    }
)


def test_package_exposes_every_name_of_the_former_module():
    assert sorted(MODULE_NAMES - set(capacity.__all__)) == []
    for name in capacity.__all__:
        assert hasattr(capacity, name), name


def test_package_re_exports_every_public_function_and_class_of_its_submodules():
    submodules = [info.name for info in pkgutil.iter_modules(capacity.__path__)]
    assert len(submodules) > 1
    # a submodule named like a function it holds would shadow it (``capacity.X`` must stay the function)
    assert sorted(set(submodules) & set(capacity.__all__)) == []
    for submodule in submodules:
        module = importlib.import_module(f"inventory.capacity.{submodule}")
        for name, value in vars(module).items():
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__:
                assert name in capacity.__all__, f"{module.__name__}.{name} is not in inventory.capacity.__all__"
                assert getattr(capacity, name) is value, name
