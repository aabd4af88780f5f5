"""``reports.charts`` is a package split along its seams: it still exposes every name that the single
module ``reports/charts.py`` did, and re-exports every function and class its submodules define."""

import importlib
import pkgutil

import reports.charts as charts

# Every public name of reports/charts.py before it became a package.
MODULE_NAMES = frozenset(
    {
        "AcceleratorCount",
        "accelerators_by_site",
        "answers_by_source",
        "area_bars",
        "AREA_PALETTE",
        "area_radar",
        "AreaScore",
        "BLACK",
        "BLUE",
        "capacity_vs_demand",
        "category_colours",
        "Chart",
        "Effort",
        "energy_cost_carbon",
        "GREEN",
        "HEIGHT",
        "LEGEND_BELOW",
        "LEVEL_COLOURS",
        "LEVEL_NAMES",
        "MARGIN",
        "MARGIN_BELOW",
        "MAX_VISIBLE_AREA_LINES",
        "MONTHS_PER_UNIT",
        "NEUTRAL",
        "NOT_SCORED",
        "ORANGE",
        "PALETTE",
        "Phase",
        "PHASE_WINDOWS",
        "power_vs_capacity",
        "PURPLE",
        "readiness_indicator",
        "roadmap_gantt",
        "RoadmapBar",
        "RoadmapEntry",
        "schedule_bars",
        "SCORE_AXIS",
        "self_vs_evidence",
        "SiteEnergy",
        "SitePower",
        "SKY_BLUE",
        "SourceCount",
        "subarea_heatmap",
        "SubareaScore",
        "Table",
        "trend",
        "TrendPoint",
        "VERMILLION",
        "WorkloadDemand",
        "YELLOW",
    }
)


def test_package_exposes_every_name_of_the_former_module():
    assert sorted(MODULE_NAMES - set(charts.__all__)) == []
    for name in charts.__all__:
        assert hasattr(charts, name), name


def test_package_re_exports_every_public_function_and_class_of_its_submodules():
    submodules = [info.name for info in pkgutil.iter_modules(charts.__path__)]
    assert len(submodules) > 1
    # a submodule named like a function it holds would shadow it (``charts.X`` must stay the function)
    assert sorted(set(submodules) & set(charts.__all__)) == []
    for submodule in submodules:
        module = importlib.import_module(f"reports.charts.{submodule}")
        for name, value in vars(module).items():
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__:
                assert name in charts.__all__, f"{module.__name__}.{name} is not in reports.charts.__all__"
                assert getattr(charts, name) is value, name
