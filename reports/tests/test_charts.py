"""reports.charts: data in, the expected traces, axes, colours and table out; empty states; CSV; the Gantt rule."""

from __future__ import annotations

import csv
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import charts
from reports.charts import (
    PALETTE,
    AcceleratorCount,
    AreaScore,
    Chart,
    RoadmapEntry,
    SiteEnergy,
    SitePower,
    SourceCount,
    SubareaScore,
    Table,
    TrendPoint,
    WorkloadDemand,
)

BLUE, ORANGE, GREEN, SKY_BLUE, VERMILLION, PURPLE, BLACK = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#56B4E9",
    "#D55E00",
    "#CC79A7",
    "#000000",
)

AREAS = (
    AreaScore(
        "power",
        "Power & cooling",
        54.375,
        target=60.0,
        previous=40.0,
        self_score=70.0,
        evidence_score=30.0,
        contradiction=True,
        high_risks=2,
        medium_risks=1,
        level=3,
    ),
    AreaScore(
        "compute",
        "Compute",
        72.25,
        target=60.0,
        previous=65.0,
        self_score=72.0,
        evidence_score=75.0,
        high_risks=0,
        medium_risks=1,
        level=4,
    ),
    AreaScore("network", "Network", 30.0, target=40.0, self_score=30.0, high_risks=1, level=2),
)


def assert_common_layout(chart: Chart, title: str) -> go.Figure:
    """What every drawn chart shares: its title, template, responsive width, height, a non-empty table."""
    figure = chart.figure
    assert isinstance(figure, go.Figure)
    assert chart.empty is None
    assert chart.title == title
    assert figure.layout.title.text == title
    assert figure.layout.template == pio.templates["plotly_white"]
    assert figure.layout.autosize is True
    assert figure.layout.width is None
    assert 340 <= figure.layout.height <= 900
    assert chart.how_to_read
    assert chart.how_to_read.endswith(".")
    assert chart.table.rows
    assert all(len(row) == len(chart.table.columns) for row in chart.table.rows)
    json.loads(chart.to_json())  # a valid JSON document for Plotly.newPlot
    return figure


def assert_empty(chart: Chart, message_part: str) -> None:
    assert chart.figure is None
    assert chart.to_json() == ""
    assert chart.empty is not None
    assert message_part in chart.empty
    assert chart.table.rows == ()
    assert chart.table.columns  # the header is there for the CSV download
    assert chart.csv().splitlines() == [",".join(chart.table.columns)]


# --------------------------------------------------------------------------------------------------
# Module rules
# --------------------------------------------------------------------------------------------------


def test_imports_no_django():
    code = "import sys, reports.charts; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.strip() == "[]"


def test_palette_is_okabe_ito():
    assert PALETTE == ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
    assert set(charts.AREA_PALETTE) <= set(PALETTE)
    assert BLACK not in charts.AREA_PALETTE  # reserved for the readiness index and reference marks


def test_level_names_come_from_scoring():
    assert charts.LEVEL_NAMES == {1: "Initial", 2: "Developing", 3: "Defined", 4: "Managed", 5: "Optimized"}


def test_category_colours_are_stable_whatever_the_order():
    first = charts.category_colours(["Power", "compute", "Network"])
    second = charts.category_colours(["Network", "Power", "compute", "Power"])
    assert first == second
    assert first == {"compute": BLUE, "Network": ORANGE, "Power": GREEN}


def test_category_colours_cycle_past_the_palette():
    names = [f"area {i:02}" for i in range(9)]
    colours = charts.category_colours(names)
    assert colours["area 07"] == charts.AREA_PALETTE[0]
    assert colours["area 08"] == charts.AREA_PALETTE[1]


# --------------------------------------------------------------------------------------------------
# Chart: JSON and CSV
# --------------------------------------------------------------------------------------------------


def test_csv_neutralizes_formula_text_but_not_numbers():
    chart = Chart(
        "x",
        "X",
        "Read it.",
        None,
        Table(
            ("Name", "Value (kW)"),
            (
                ("=cmd|' /C calc'!A0", -5),
                ("+1", 3.5),
                ("-2", None),
                ("@SUM(A1)", 0),
                ("\tTab", 1),
                ("\rCR", 2),
                ("Plain - text", -0.5),
            ),
        ),
    )
    rows = list(csv.reader(io.StringIO(chart.csv())))
    assert rows[0] == ["Name", "Value (kW)"]
    assert rows[1:] == [
        ["'=cmd|' /C calc'!A0", "-5"],
        ["'+1", "3.5"],
        ["'-2", ""],
        ["'@SUM(A1)", "0"],
        ["'\tTab", "1"],
        ["'\rCR", "2"],
        ["Plain - text", "-0.5"],
    ]


def test_csv_of_a_real_chart_matches_its_table():
    chart = charts.area_bars(AREAS)
    rows = list(csv.reader(io.StringIO(chart.csv())))
    assert rows[0] == list(chart.table.columns)
    assert rows[1] == ["Power & cooling", "54.4", "3", "60.0", "5.6", "2", "1"]
    assert len(rows) == 1 + len(AREAS)


def test_to_json_round_trips():
    chart = charts.area_radar(AREAS, "Spring baseline")
    document = json.loads(chart.to_json())
    assert document["layout"]["title"]["text"] == "Area scores"
    assert [trace["name"] for trace in document["data"]] == ["Current", "Target", "Previous: Spring baseline"]
    assert document["data"][0]["r"][:3] == [54.4, 72.3, 30.0]


# --------------------------------------------------------------------------------------------------
# 1. Readiness indicator
# --------------------------------------------------------------------------------------------------


def test_readiness_indicator_with_previous():
    chart = charts.readiness_indicator(61.25, None, 55.0, "Spring baseline")
    figure = assert_common_layout(chart, "Readiness index")
    assert chart.name == "readiness-index"
    (indicator,) = figure.data
    assert indicator.type == "indicator"
    assert indicator.mode == "gauge+number+delta"
    assert indicator.value == 61.3  # one decimal, half up
    assert indicator.delta.reference == 55.0
    assert "Level 4 Managed" in indicator.title.text
    assert "Score (0-100)" in indicator.title.text
    assert tuple(indicator.gauge.axis.range) == (0, 100)
    assert [tuple(step.range) for step in indicator.gauge.steps] == [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
    assert indicator.gauge.steps[0].color == "rgba(213,94,0,0.35)"  # vermillion tint
    assert chart.table.rows == ((61.3, 4, "Managed", 55.0, 6.3, "Spring baseline"),)
    assert [a.text for a in figure.layout.annotations] == ["Change since Spring baseline"]  # what the arrow compares


def test_readiness_indicator_without_previous_uses_given_level():
    chart = charts.readiness_indicator(40.0, 3, None)
    (indicator,) = chart.figure.data
    assert indicator.mode == "gauge+number"
    assert "Level 3 Defined" in indicator.title.text
    assert chart.table.rows == ((40.0, 3, "Defined", None, None, None),)
    assert chart.figure.layout.annotations == ()


def test_readiness_indicator_empty():
    assert_empty(charts.readiness_indicator(None, None, 50.0), "Submit an assessment")


# --------------------------------------------------------------------------------------------------
# 2-3. Area radar and bars
# --------------------------------------------------------------------------------------------------


def test_area_radar_traces():
    chart = charts.area_radar(AREAS, "Spring baseline")
    figure = assert_common_layout(chart, "Area scores")
    assert [trace.type for trace in figure.data] == ["scatterpolar"] * 3
    current, target, previous = figure.data
    assert current.name == "Current"
    assert target.name == "Target"
    assert previous.name == "Previous: Spring baseline"
    # closed outline: the first spoke is repeated at the end
    assert current.theta == ("Power & cooling", "Compute", "Network", "Power & cooling")
    assert current.r == (54.4, 72.3, 30.0, 54.4)
    assert target.r == (60.0, 60.0, 40.0, 60.0)
    assert previous.r == (40.0, 65.0, None, 40.0)
    assert (current.line.color, target.line.color, previous.line.color) == (BLUE, BLACK, ORANGE)
    assert tuple(figure.layout.polar.radialaxis.range) == (0, 100)
    assert figure.layout.polar.radialaxis.title.text == "Score (0-100)"
    assert "%{r:.1f}" in current.hovertemplate
    assert chart.table.columns == (
        "Area",
        "Score (0-100)",
        "Level (1-5)",
        "Target (0-100)",
        "Previous: Spring baseline (0-100)",
    )
    assert chart.table.rows == (
        ("Power & cooling", 54.4, 3, 60.0, 40.0),
        ("Compute", 72.3, 4, 60.0, 65.0),
        ("Network", 30.0, 2, 40.0, None),
    )
    assert [row[1] for row in chart.table.rows] == list(current.r[:-1])


def test_area_radar_legend_sits_under_the_polar_area_and_covers_no_spoke_label():
    """The first spoke points straight up, its label above the polar area where the legend used to be: with three
    entries the legend covered it ("Hardware Limitations" read "nitations"). The legend is at the foot of the
    figure, in a bottom margin that also holds the lowest spoke's label."""
    layout = charts.area_radar(AREAS, "Spring baseline").figure.layout
    legend = layout.legend
    assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")  # the figure's foot, not the top
    assert (legend.x, legend.xanchor) == (0.5, "center")
    assert layout.margin.b >= 80  # a legend row and the lowest spoke's label, one under the other
    assert layout.margin.t >= 60  # the title and the top spoke's label, nothing else


def test_area_radar_without_previous_has_no_previous_trace():
    areas = [AreaScore("a", "A", 50.0, target=60.0), AreaScore("b", "B", 20.0, target=60.0)]
    chart = charts.area_radar(areas)
    assert [trace.name for trace in chart.figure.data] == ["Current", "Target"]
    assert "Previous (0-100)" not in chart.table.columns


@pytest.mark.parametrize("areas", [[], [AreaScore("a", "A", None)]])
def test_area_radar_empty(areas):
    assert_empty(charts.area_radar(areas), "Submit an assessment")


def test_area_bars_traces():
    chart = charts.area_bars(AREAS)
    figure = assert_common_layout(chart, "Area scores against target")
    bars, targets = figure.data
    assert (bars.type, bars.orientation, targets.type) == ("bar", "h", "scatter")
    assert bars.y == ("Power & cooling", "Compute", "Network")
    assert bars.x == (54.4, 72.3, 30.0)
    assert bars.marker.color == BLUE
    assert bars.text[0] == "54.4 · 2 high, 1 medium risks"
    assert "Risks: %{customdata[3]} high, %{customdata[4]} medium" in bars.hovertemplate
    assert list(bars.customdata[0]) == ["3 Defined", "60.0", "5.6", 2, 1]
    assert targets.x == (60.0, 60.0, 40.0)
    assert targets.marker.color == BLACK
    assert figure.layout.xaxis.title.text == "Score (0-100)"
    assert tuple(figure.layout.xaxis.range) == (0, 100)
    assert figure.layout.yaxis.autorange == "reversed"
    assert chart.table.rows[0] == ("Power & cooling", 54.4, 3, 60.0, 5.6, 2, 1)
    assert chart.table.rows[1] == ("Compute", 72.3, 4, 60.0, 0.0, 0, 1)  # above target: no gap


def test_area_bars_mark_unscored_areas():
    chart = charts.area_bars([*AREAS, AreaScore("data", "Data", None, target=40.0)])
    assert chart.figure.data[0].x[-1] is None
    assert [a.text for a in chart.figure.layout.annotations] == ["not scored"]
    assert chart.table.rows[-1] == ("Data", None, None, 40.0, None, 0, 0)


def test_area_bars_label_a_zero_score_0_and_an_unscored_area_not_scored():
    """A bar of length 0 carries no text in plotly: the 0 score's label is written at the axis, as "0" (not
    "0.0"), and an unscored area still says "not scored"."""
    zero = AreaScore("people", "People", 0.0, target=40.0, high_risks=3, level=1)
    chart = charts.area_bars([*AREAS, zero, AreaScore("data", "Data", None, target=40.0)])
    bars = chart.figure.data[0]
    assert bars.x[-2:] == (0.0, None)
    assert bars.text[-2] == ""  # not on the empty bar, where nothing would show it
    annotations = {a.y: a.text for a in chart.figure.layout.annotations}
    assert annotations == {"People": "0 · 3 high, 0 medium risks", "Data": "not scored"}
    assert chart.table.rows[-2][1] == 0.0


def test_area_bars_empty():
    assert_empty(charts.area_bars([]), "Submit an assessment")


# --------------------------------------------------------------------------------------------------
# 4. Sub-area heatmap
# --------------------------------------------------------------------------------------------------


def test_subarea_heatmap():
    subareas = [
        SubareaScore("Power", "Cooling", None, position=7),
        SubareaScore("Power", "Supply", 50.04, position=3),
        SubareaScore("Compute", "Accelerators", 80.0, position=10),
    ]
    chart = charts.subarea_heatmap(subareas)
    figure = assert_common_layout(chart, "Sub-area scores")
    (heatmap,) = figure.data
    assert heatmap.type == "heatmap"
    assert heatmap.x == ("Sub-area 1", "Sub-area 2")
    assert heatmap.y == ("Power", "Compute")
    assert [list(row) for row in heatmap.z] == [[50.0, None], [80.0, None]]
    assert [list(row) for row in heatmap.text] == [
        ["Supply<br>50.0", "Cooling<br>not scored"],
        ["Accelerators<br>80.0", ""],
    ]
    assert (heatmap.zmin, heatmap.zmax) == (0, 100)
    assert heatmap.colorscale[0][1] != heatmap.colorscale[-1][1]
    assert heatmap.colorbar.title.text == "Score (0-100)"
    assert figure.layout.xaxis.title.text == "Sub-area (order within the area)"
    assert figure.layout.yaxis.title.text == "Area"
    assert chart.table.rows == (
        ("Power", "Supply", 1, 50.0),
        ("Power", "Cooling", 2, None),
        ("Compute", "Accelerators", 1, 80.0),
    )


def test_subarea_heatmap_uses_cividis():
    chart = charts.subarea_heatmap([SubareaScore("A", "a", 10.0, 1)])
    expected = go.Heatmap(colorscale="Cividis").colorscale
    assert chart.figure.data[0].colorscale == expected


def test_subarea_heatmap_empty():
    assert_empty(charts.subarea_heatmap([]), "sub-area")


# --------------------------------------------------------------------------------------------------
# 5-6. Self against evidence; answers by source
# --------------------------------------------------------------------------------------------------


def test_self_vs_evidence_flags_contradictions():
    chart = charts.self_vs_evidence(AREAS)
    figure = assert_common_layout(chart, "Self-assessment against inventory evidence")
    self_bars, evidence_bars = figure.data
    assert (self_bars.name, evidence_bars.name) == ("Self-assessed", "Evidence")
    assert (self_bars.marker.color, evidence_bars.marker.color) == (SKY_BLUE, GREEN)
    # Network has no evidence: left out
    assert self_bars.x == ("Power & cooling", "Compute")
    assert self_bars.y == (70.0, 72.0)
    assert evidence_bars.y == (30.0, 75.0)
    assert figure.layout.barmode == "group"
    assert figure.layout.yaxis.title.text == "Score (0-100)"
    (annotation,) = figure.layout.annotations
    assert annotation.text == "⚠ differs by >30 points"
    assert annotation.x == "Power & cooling"
    assert annotation.y == 70.0
    assert annotation.font.color == VERMILLION
    assert chart.table.rows == (
        ("Power & cooling", 70.0, 30.0, 40.0, "yes"),
        ("Compute", 72.0, 75.0, -3.0, "no"),
    )


def test_self_vs_evidence_empty_without_evidence():
    assert_empty(charts.self_vs_evidence([AreaScore("a", "A", 50.0, self_score=50.0)]), "Inventory")


def test_answers_by_source_stacks_four_sources():
    counts = [SourceCount("Power", 5, 3, 1, 2), SourceCount("Compute", 2, 6, 0, 0)]
    chart = charts.answers_by_source(counts)
    figure = assert_common_layout(chart, "Where the answers come from")
    assert [trace.name for trace in figure.data] == [
        "Self-reported",
        "From the inventory",
        "Not applicable",
        "Unanswered",
    ]
    assert [trace.marker.color for trace in figure.data] == [SKY_BLUE, GREEN, PURPLE, ORANGE]
    assert all(trace.orientation == "h" for trace in figure.data)
    assert [trace.x for trace in figure.data] == [(5, 2), (3, 6), (1, 0), (2, 0)]
    assert figure.data[0].y == ("Power", "Compute")
    assert figure.data[0].customdata == (11, 8)
    assert figure.layout.barmode == "stack"
    assert figure.layout.xaxis.title.text == "Questions (count)"
    assert chart.table.rows == (("Power", 5, 3, 1, 2, 11), ("Compute", 2, 6, 0, 0, 8))


@pytest.mark.parametrize("counts", [[], [SourceCount("Power", 0, 0, 0, 0)]])
def test_answers_by_source_empty(counts):
    assert_empty(charts.answers_by_source(counts), "Start an assessment")


# --------------------------------------------------------------------------------------------------
# 7. Accelerators treemap
# --------------------------------------------------------------------------------------------------


def test_accelerators_by_site_treemap():
    counts = [
        AcceleratorCount("Paris", "H100", 16, 1280.0),
        AcceleratorCount("Paris", "L40S", 8, 384.0),
        AcceleratorCount("Austin", "H100", 8, 640.0),
        AcceleratorCount("Austin", "H100", 2, 160.0),  # same group twice: added up
        AcceleratorCount("Lyon", "A100", 0, 0.0),  # nothing there: left out
    ]
    chart = charts.accelerators_by_site(counts)
    figure = assert_common_layout(chart, "Accelerators by site")
    (treemap,) = figure.data
    assert treemap.type == "treemap"
    assert treemap.branchvalues == "total"
    assert treemap.labels == ("Fleet", "Paris", "Austin", "H100", "L40S", "H100")
    assert treemap.parents == ("", "fleet", "fleet", "site/Paris", "site/Paris", "site/Austin")
    assert treemap.values == (34, 24, 10, 16, 8, 10)
    assert [memory for memory, _ in treemap.customdata] == [2464.0, 1664.0, 800.0, 1280.0, 384.0, 800.0]
    assert treemap.text[:2] == ("<b>Fleet</b> · 34 accelerators", "<b>Paris</b> · 24 accelerators")
    colours = treemap.marker.colors
    assert colours[3] == colours[5] == BLUE  # H100 everywhere the same colour
    assert colours[4] == ORANGE
    assert "GB memory" in treemap.hovertemplate
    assert chart.table.rows == (
        ("Paris", "H100", 16, 1280.0),
        ("Paris", "L40S", 8, 384.0),
        ("Austin", "H100", 10, 800.0),
    )


def test_a_box_too_small_for_its_label_is_named_under_the_treemap():
    """The demo's cloud reservation (16 of 360 accelerators) got a label shrunk to a few pixels: a box under 5 %
    of the fleet is left blank and named in a note under the chart; the others keep their labels."""
    counts = [
        AcceleratorCount("Frankfurt DC", "NVIDIA H100 SXM", 128, 10240.0),
        AcceleratorCount("Ashburn Colo", "NVIDIA A100 SXM 80GB", 216, 17280.0),
        AcceleratorCount("AWS us-east-1 (cloud)", "NVIDIA H100 SXM", 16, 1280.0),
    ]
    figure = charts.accelerators_by_site(counts).figure
    (treemap,) = figure.data
    leaves = dict(zip(treemap.ids, treemap.text, strict=True))
    assert leaves["site/Frankfurt DC/NVIDIA H100 SXM"] == "<b>NVIDIA H100 SXM</b><br>128 accelerators"
    assert leaves["site/AWS us-east-1 (cloud)/NVIDIA H100 SXM"] == ""
    assert treemap.texttemplate == "%{text}"
    (note,) = figure.layout.annotations
    assert note.text == "Too small to label above: AWS us-east-1 (cloud): 16 × NVIDIA H100 SXM"
    assert "<b>%{customdata[1]}</b>" in treemap.hovertemplate
    assert list(treemap.customdata[-1]) == [1280.0, "NVIDIA H100 SXM"]
    large = charts.accelerators_by_site(counts[:2]).figure
    assert large.layout.annotations == ()


def test_accelerators_by_site_empty():
    assert_empty(charts.accelerators_by_site([AcceleratorCount("Paris", "H100", 0, 0.0)]), "Add servers")


# --------------------------------------------------------------------------------------------------
# 8. Capacity against demand
# --------------------------------------------------------------------------------------------------


def test_capacity_vs_demand_two_panels():
    workloads = [
        WorkloadDemand("Serve 70B", 160.04, 640.0, 400.0, 7900.0, fits=True, compute_rate="FP8"),
        WorkloadDemand("Tune 405B", 3000.0, 640.0, 5000.0, 3950.0, fits=False, compute_rate="BF16"),
    ]
    chart = charts.capacity_vs_demand(workloads)
    figure = assert_common_layout(chart, "Workload demand against capacity")
    assert [(trace.name, trace.xaxis, trace.yaxis) for trace in figure.data] == [
        ("Needed", "x", "y"),
        ("Available", "x", "y"),
        ("Needed", "x2", "y2"),
        ("Available", "x2", "y2"),
    ]
    memory_needed, memory_available, compute_needed, compute_available = figure.data
    assert memory_needed.x == ("Serve 70B", "Tune 405B")
    assert memory_needed.y == (160.0, 3000.0)
    assert memory_available.y == (640.0, 640.0)
    assert compute_needed.y == (400.0, 5000.0)
    assert compute_available.y == (7900.0, 3950.0)
    assert memory_needed.marker.color == VERMILLION
    assert memory_available.marker.color == GREEN
    assert [trace.showlegend for trace in figure.data] == [True, True, False, False]
    assert figure.layout.yaxis.title.text == "Memory (GB)"
    assert figure.layout.yaxis2.title.text == "Compute (TFLOPS)"
    assert figure.layout.xaxis.title.text == "Workload"
    assert "Fits (model's verdict): %{customdata[2]}" in memory_needed.hovertemplate
    assert chart.table.columns[5] == "Compute rate (precision)"
    assert chart.table.rows == (
        ("Serve 70B", 160.0, 640.0, 400.0, 7900.0, "FP8", "yes"),
        ("Tune 405B", 3000.0, 640.0, 5000.0, 3950.0, "BF16", "no"),
    )


def test_a_shortfall_is_written_on_its_own_needed_bar_in_whole_units():
    """The label goes on the needed bar of the workload that is short (turned along the bar, so it cannot
    spread over a neighbour's bar), rounded as people read it: "5,520 GB", not "5,520.0 GB"."""
    workloads = [
        WorkloadDemand("Customer assistant", 600.0, 10240.0, 15000.0, 253_000.0, fits=True, compute_rate="FP8"),
        WorkloadDemand("Training", 15760.0, 10240.0, 194_841.0, 126_600.0, fits=False, compute_rate="BF16"),
    ]
    figure = charts.capacity_vs_demand(workloads).figure
    memory_needed, memory_available, compute_needed, compute_available = figure.data
    assert memory_needed.text == ("", "short by 5,520 GB")
    assert compute_needed.text == ("", "short by 68,241 TFLOPS")
    assert memory_available.text is None
    assert compute_available.text is None
    assert compute_needed.textangle == -90
    assert compute_needed.textposition == "auto"
    bf16 = "(dense BF16 rate)"
    assert list(compute_needed.customdata[1][:2]) == [f"194,841 TFLOPS {bf16}", f"126,600 TFLOPS {bf16}"]
    assert list(memory_needed.customdata[1][:2]) == ["15,760 GB", "10,240 GB"]


def test_each_compute_bar_says_its_precision():
    """The same 128 H100s have 253k TFLOPS at FP8 and 126.6k at BF16: the precision is named under each
    workload, in the hover and in the table, and INT8 counts TOPS."""
    workloads = [
        WorkloadDemand("Customer assistant", 600.0, 10240.0, 15000.0, 253_000.0, fits=True, compute_rate="FP8"),
        WorkloadDemand("Maintenance-manual fine-tune", 100.0, 10240.0, 1e3, 126_600.0, fits=True, compute_rate="BF16"),
        WorkloadDemand("Classifier", 10.0, 640.0, 10.0, 1000.0, fits=True, compute_rate="INT8"),
    ]
    chart = charts.capacity_vs_demand(workloads)
    layout = chart.figure.layout
    assert layout.xaxis2.ticktext == (
        "Customer<br>assistant<br><i>at FP8</i>",
        "Maintenance-<br>manual fine-tune<br><i>at BF16</i>",
        "Classifier<br><i>at INT8</i>",
    )
    assert layout.xaxis.ticktext == ("Customer<br>assistant", "Maintenance-<br>manual fine-tune", "Classifier")
    assert layout.xaxis.tickangle == layout.xaxis2.tickangle == 0
    compute_available = chart.figure.data[3]
    assert compute_available.customdata[0][1] == "253,000 TFLOPS (dense FP8 rate)"
    assert compute_available.customdata[2][1] == "1,000 TOPS (dense INT8 rate)"
    assert layout.yaxis2.title.text == "Compute (TFLOPS; TOPS at INT8)"
    assert [row[5] for row in chart.table.rows] == ["FP8", "BF16", "INT8"]
    assert "precision" in chart.how_to_read


def test_capacity_vs_demand_empty():
    assert_empty(charts.capacity_vs_demand([]), "Add a workload in Inventory")


# --------------------------------------------------------------------------------------------------
# 9. Power against capacity
# --------------------------------------------------------------------------------------------------


def test_power_vs_capacity_words_a_site_over_its_capacity():
    chart = charts.power_vs_capacity([SitePower("Munich", 112.2, 157.1, 110.0)])
    (it, _facility, _capacity) = chart.figure.data
    assert it.customdata[0][1] == "none: 2.2 kW over the IT capacity (2.0 %)"
    assert "-2" not in it.customdata[0][1]


def test_power_vs_capacity():
    sites = [SitePower("Paris", 40.0, 54.0, 60.0), SitePower("Austin", 10.0, 16.0, None), SitePower("Lyon", 30, 45, 40)]
    chart = charts.power_vs_capacity(sites)
    figure = assert_common_layout(chart, "Power draw against site capacity")
    it, facility, capacity = figure.data
    assert (it.type, facility.type, capacity.type) == ("bar", "bar", "scatter")
    assert (it.name, facility.name, capacity.name) == ("IT power", "Facility power (IT x PUE)", "IT capacity")
    assert it.x == ("Paris", "Austin", "Lyon")
    assert it.y == (40.0, 10.0, 30.0)
    assert facility.y == (54.0, 16.0, 45.0)
    assert capacity.y == (60.0, None, 40.0)
    assert (it.marker.color, facility.marker.color, capacity.marker.color) == (BLUE, SKY_BLUE, VERMILLION)
    assert figure.layout.yaxis.title.text == "Power (kW)"
    # The capacity mark is drawn on the IT bar, not across the facility bar
    assert capacity.offsetgroup == it.offsetgroup != facility.offsetgroup
    assert figure.layout.scattermode == "group"
    assert "Headroom: %{customdata[1]}" in it.hovertemplate
    assert "Headroom" not in facility.hovertemplate
    assert "not compared with the IT capacity" in facility.hovertemplate
    assert list(it.customdata[0]) == ["60 kW", "20 kW (33.3 % of IT capacity)", "40 kW"]
    assert it.customdata[1][1] == "unknown (no IT capacity recorded)"
    assert list(it.customdata[2]) == ["40 kW", "10 kW (25.0 % of IT capacity)", "30 kW"]
    assert chart.table.rows == (
        ("Paris", 40.0, 54.0, 60.0, 20.0, 33.3),
        ("Austin", 10.0, 16.0, None, None, None),
        ("Lyon", 30.0, 45.0, 40.0, 10.0, 25.0),
    )


def test_power_vs_capacity_compares_it_power_with_it_capacity():
    """The demo's Munich Lab: 102 kW of IT power under a 110 kW IT capacity, 142.8 kW facility power (PUE 1.4).
    The headroom is 8 kW (as the capacity table says), not 33 kW over; the text says which bar meets the mark."""
    sites = [SitePower("Munich Lab", 102.0, 142.8, 110.0), SitePower("Over", 50.0, 60.0, 40.0)]
    chart = charts.power_vs_capacity(sites)
    assert chart.table.rows[0][-2:] == (8.0, 7.3)
    assert chart.table.rows[1][-2:] == (-10.0, -25.0)  # over its IT capacity
    assert "8 kW (7.3 % of IT capacity)" in chart.figure.data[0].customdata[0][1]
    assert "IT power bar should stay below the site's IT capacity mark" in chart.how_to_read
    assert "not compared with the mark" in chart.how_to_read
    assert "facility bar (IT power times PUE) should stay below" not in chart.how_to_read


@pytest.mark.parametrize("sites", [[], [SitePower("Empty", 0.0, 0.0, None)]])
def test_power_vs_capacity_empty(sites):
    assert_empty(charts.power_vs_capacity(sites), "Add a site")


# --------------------------------------------------------------------------------------------------
# 10. Energy, cost and carbon
# --------------------------------------------------------------------------------------------------

SITES = (
    SiteEnergy("Paris", "EUR", 29200.0, 39420.0, 7884.0, 2.2, 1.35, 56.0),
    SiteEnergy("Austin", "USD", 7300.0, 11534.0, 1384.0, 4.26, 1.58, 369.5),
    SiteEnergy("Lyon", "EUR", 10000.0, 11000.0, 2000.0, 0.6, 1.1, 56.0),
)


def test_energy_cost_carbon_panels():
    chart = charts.energy_cost_carbon(SITES)
    figure = assert_common_layout(chart, "Energy, cost and carbon per month")
    names = [trace.name for trace in figure.data]
    assert names == ["IT energy", "PUE overhead (cooling, losses)", "Cost (EUR)", "Cost (USD)", "Carbon"]
    it, overhead, cost_eur, cost_usd, carbon = figure.data
    assert it.y == (29200, 7300, 10000)
    assert overhead.y == (10220, 4234, 1000)  # facility - IT: the effect of the PUE
    assert overhead.base == it.y  # drawn on top of the IT bar
    assert (it.xaxis, cost_eur.xaxis, carbon.xaxis) == ("x", "x2", "x3")
    assert carbon.y == (2.2, 4.26, 0.6)
    assert "Grid intensity: %{customdata[0]} gCO2e/kWh" in carbon.hovertemplate
    assert figure.layout.xaxis3.ticktext == ("Paris<br>56 g/kWh", "Austin<br>370 g/kWh", "Lyon<br>56 g/kWh")
    assert figure.layout.xaxis.ticktext == ("Paris<br>PUE 1.35", "Austin<br>PUE 1.58", "Lyon<br>PUE 1.10")
    assert figure.layout.yaxis.title.text == "Energy (kWh/month)"
    assert figure.layout.yaxis3.title.text == "Carbon (tCO2e/month)"
    assert chart.table.rows[1] == ("Austin", 7300, 4234, 11534, 1.58, 1384.0, "USD", 370, 4.26)


def test_energy_mixed_currencies_are_never_summed():
    chart = charts.energy_cost_carbon(SITES)
    figure = chart.figure
    cost_traces = [trace for trace in figure.data if trace.name.startswith("Cost")]
    # one trace per currency, each holding only its own sites' amounts
    assert [(trace.name, trace.x, trace.y) for trace in cost_traces] == [
        ("Cost (EUR)", ("Paris", "Lyon"), (7884.0, 2000.0)),
        ("Cost (USD)", ("Austin",), (1384.0,)),
    ]
    assert "EUR/month" in cost_traces[0].hovertemplate
    assert "USD/month" in cost_traces[1].hovertemplate
    # never stacked: a bar sits on zero, all currencies share one slot and no site has two currencies
    assert figure.layout.barmode == "group"
    assert {trace.offsetgroup for trace in cost_traces} == {"cost"}
    assert all(trace.base is None for trace in cost_traces)
    assert figure.layout.yaxis2.title.text == "Cost per month (site's currency)"
    assert figure.layout.xaxis2.ticktext == ("Paris<br>EUR", "Austin<br>USD", "Lyon<br>EUR")
    # the table has one amount per site, with its currency, and no total
    assert [(row[0], row[5], row[6]) for row in chart.table.rows] == [
        ("Paris", 7884.0, "EUR"),
        ("Austin", 1384.0, "USD"),
        ("Lyon", 2000.0, "EUR"),
    ]
    assert 7884.0 + 1384.0 not in {value for trace in figure.data for value in (trace.y or ())}
    assert [trace.marker.color for trace in cost_traces] == [ORANGE, VERMILLION]


def test_energy_single_currency_names_it_on_the_axis():
    chart = charts.energy_cost_carbon(SITES[:1])
    assert chart.figure.layout.yaxis2.title.text == "Cost (EUR/month)"


def test_energy_site_names_are_level_and_clear_of_the_legend():
    """Three panels leave each site little width: slanted names ran into each other and the "Site" axis titles
    into the legend. Names are wrapped and level, the panels' titles say they are per site, and the legend sits
    at the bottom of the figure, under the tick labels however many lines they take."""
    sites = [
        SiteEnergy("Ashburn Colo", "USD", 7300.0, 11534.0, 1384.0, 4.26, 1.5, 370.0),
        SiteEnergy("Frankfurt DC", "EUR", 29200.0, 39420.0, 7884.0, 2.2, 1.35, 381.0),
    ]
    layout = charts.energy_cost_carbon(sites).figure.layout
    for axis in (layout.xaxis, layout.xaxis2, layout.xaxis3):
        assert axis.tickangle == 0
        assert axis.title.text is None
    assert layout.xaxis.ticktext == ("Ashburn<br>Colo<br>PUE 1.50", "Frankfurt<br>DC<br>PUE 1.35")
    assert layout.xaxis2.ticktext == ("Ashburn<br>Colo<br>USD", "Frankfurt<br>DC<br>EUR")
    assert layout.xaxis3.ticktext == ("Ashburn<br>Colo<br>370 g/kWh", "Frankfurt<br>DC<br>381 g/kWh")
    assert [a.text for a in layout.annotations] == [
        "Energy per site (kWh/month)",
        "Cost per site and month",
        "Carbon per site (tCO2e/month)",
    ]
    assert (layout.legend.yref, layout.legend.y, layout.legend.yanchor) == ("container", 0, "bottom")


def test_energy_cost_carbon_empty():
    assert_empty(charts.energy_cost_carbon([]), "Add a site")


# --------------------------------------------------------------------------------------------------
# 11. Roadmap: scheduling rule and Gantt
# --------------------------------------------------------------------------------------------------


def entry(rank: int, phase: str, effort: str = "M", status: str = "Open", area: str = "Power") -> RoadmapEntry:
    return RoadmapEntry(rank, f"Item {rank}", area, phase, status, effort)  # type: ignore[arg-type]


def test_schedule_bars_places_items_end_to_end_at_half_a_month_per_unit():
    bars = charts.schedule_bars([entry(1, "now", "M"), entry(2, "now", "S"), entry(3, "next", "L")])
    assert [(bar.rank, bar.start_month, bar.end_month) for bar in bars] == [(1, 0.0, 1.0), (2, 1.0, 1.5), (3, 3.0, 5.0)]


def test_schedule_bars_compresses_a_full_phase_into_its_window():
    # Next holds 4 + 4 + 2 = 10 units: 3 months / 10 units = 0.3 month per unit (below the 0.5 pace)
    bars = charts.schedule_bars([entry(5, "next", "L"), entry(4, "next", "L"), entry(6, "next", "M")])
    assert [(bar.rank, bar.start_month, bar.end_month) for bar in bars] == [(4, 3.0, 4.2), (5, 4.2, 5.4), (6, 5.4, 6.0)]


def test_schedule_bars_later_phase_and_order():
    bars = charts.schedule_bars([entry(9, "later", "L"), entry(1, "now", "S"), entry(8, "later", "S")])
    assert [bar.rank for bar in bars] == [1, 8, 9]  # returned in rank order
    assert [(bar.phase, bar.start_month, bar.end_month) for bar in bars] == [
        ("now", 0.0, 0.5),
        ("later", 6.0, 6.5),
        ("later", 6.5, 8.5),
    ]


def test_schedule_bars_rejects_unknown_phase_and_effort():
    with pytest.raises(ValueError, match="phase"):
        charts.schedule_bars([entry(1, "someday")])
    with pytest.raises(ValueError, match="effort"):
        charts.schedule_bars([entry(1, "now", "XL")])


entries_strategy = st.lists(
    st.builds(
        RoadmapEntry,
        rank=st.integers(1, 200),
        title=st.text(max_size=20),
        area_name=st.sampled_from(["Power", "Compute", "Network", ""]),
        phase=st.sampled_from(["now", "next", "later"]),
        status=st.sampled_from(["Open", "Done", "In progress", "Dismissed"]),
        effort=st.sampled_from(["S", "M", "L"]),
    ),
    max_size=60,
)


@given(entries_strategy)
def test_schedule_bars_properties(entries):
    bars = charts.schedule_bars(entries)
    assert len(bars) == len(entries)
    assert [bar.rank for bar in bars] == sorted(bar.rank for bar in bars)
    for bar in bars:
        start, end = charts.PHASE_WINDOWS[bar.phase]
        assert start <= bar.start_month < bar.end_month <= end <= 12
        # an item lasts its effort cost at most at half a month per unit
        assert bar.end_month - bar.start_month <= {"S": 0.5, "M": 1.0, "L": 2.0}[bar.effort] + 1e-9
    for phase in charts.PHASE_WINDOWS:
        in_phase = sorted((bar for bar in bars if bar.phase == phase), key=lambda bar: bar.start_month)
        for before, after in zip(in_phase, in_phase[1:], strict=False):
            assert before.end_month <= after.start_month  # no overlap inside a phase
        if in_phase:
            assert in_phase[0].start_month == charts.PHASE_WINDOWS[phase][0]


def test_roadmap_gantt():
    bars = charts.schedule_bars(
        [
            entry(1, "now", "M", "Done", "Power"),
            entry(2, "now", "S", "In progress", "Compute"),
            entry(3, "next", "L", "Open", "Power"),
            entry(4, "later", "M", "Dismissed", ""),
        ]
    )
    chart = charts.roadmap_gantt(bars)
    figure = assert_common_layout(chart, "Roadmap timeline")
    power, compute, no_area = figure.data[:3]
    assert [trace.name for trace in figure.data[:3]] == ["Power", "Compute", "No area"]
    assert all(trace.type == "bar" and trace.orientation == "h" for trace in figure.data)
    assert power.y == ("#1 Item 1", "#3 Item 3")
    assert power.base == (0.0, 3.0)
    assert power.x == (1.0, 2.0)  # durations
    assert power.marker.pattern.shape == ("/", "")
    assert compute.marker.pattern.shape == (".",)
    assert no_area.marker.pattern.shape == ("x",)
    colours = charts.category_colours(["Power", "Compute", "No area"])
    assert power.marker.color == colours["Power"]
    assert compute.marker.color == colours["Compute"]
    # legend: plain swatches for areas, hatched swatches for statuses
    legend = [(trace.name, trace.showlegend) for trace in figure.data]
    assert legend[:3] == [("Power", False), ("Compute", False), ("No area", False)]
    assert [name for name, shown in legend[3:]] == ["Power", "Compute", "No area", "Done", "In progress", "Dismissed"]
    assert figure.layout.xaxis.title.text == "Months from now"
    assert tuple(figure.layout.xaxis.range) == (0, 12)
    assert figure.layout.yaxis.autorange == "reversed"
    assert figure.layout.yaxis.categoryarray == ("#1 Item 1", "#2 Item 2", "#3 Item 3", "#4 Item 4")
    assert [(shape.x0, shape.x1) for shape in figure.layout.shapes] == [(0, 3), (3, 6), (6, 12)]
    assert [a.text for a in figure.layout.annotations] == [
        "<b>Now</b> (0-3 months)",
        "<b>Next</b> (3-6 months)",
        "<b>Later</b> (6-12 months)",
    ]
    assert chart.table.rows == (
        (1, "Item 1", "Power", "Now", "Done", "M", 0.0, 1.0),
        (2, "Item 2", "Compute", "Now", "In progress", "S", 1.0, 1.5),
        (3, "Item 3", "Power", "Next", "Open", "L", 3.0, 5.0),
        (4, "Item 4", "No area", "Later", "Dismissed", "M", 6.0, 7.0),
    )


def test_roadmap_gantt_shortens_long_titles_but_hovers_the_full_one():
    title = "Install rear-door heat exchangers on every high-density rack"
    bars = charts.schedule_bars([RoadmapEntry(1, title, "Power", "now", "Open", "L")])
    trace = charts.roadmap_gantt(bars).figure.data[0]
    assert trace.y[0].startswith("#1 Install")
    assert trace.y[0].endswith("…")
    assert len(trace.y[0]) <= 45
    assert trace.customdata[0][0] == title


def test_roadmap_gantt_empty():
    assert_empty(charts.roadmap_gantt([]), "Submit an assessment")


# --------------------------------------------------------------------------------------------------
# 12. Trend
# --------------------------------------------------------------------------------------------------


def test_trend_lines():
    points = [
        TrendPoint("Q2", datetime.date(2025, 4, 10), 55.55, {"Power": 45.0, "Compute": 60.0, "Network": 20.0}),
        TrendPoint("Q1", datetime.date(2025, 1, 10), 40.0, {"Power": 30.0, "Compute": 50.0}),
    ]
    chart = charts.trend(points)
    figure = assert_common_layout(chart, "Readiness over time")
    index, *areas = figure.data
    assert index.name == "Readiness index"
    assert index.x == (datetime.date(2025, 1, 10), datetime.date(2025, 4, 10))  # sorted by date
    assert index.y == (40.0, 55.6)
    assert index.line.color == BLACK
    assert index.line.width == 4
    assert index.mode == "lines+markers"
    assert [trace.name for trace in areas] == ["Power", "Compute", "Network"]
    assert areas[2].y == (None, 20.0)
    assert all(trace.line.width < index.line.width for trace in areas)
    assert all(trace.visible is True for trace in areas)
    assert figure.layout.yaxis.title.text == "Score (0-100)"
    assert figure.layout.xaxis.title.text == "Assessment date"
    assert chart.table.columns == (
        "Assessment",
        "Scope",
        "Date",
        "Readiness index (0-100)",
        "Power (0-100)",
        "Compute (0-100)",
        "Network (0-100)",
    )
    assert chart.table.rows == (
        ("Q1", "whole organization", "2025-01-10", 40.0, 30.0, 50.0, None),
        ("Q2", "whole organization", "2025-04-10", 55.6, 45.0, 60.0, 20.0),
    )
    document = json.loads(chart.to_json())
    assert document["data"][0]["x"] == ["2025-01-10", "2025-04-10"]


def test_trend_single_point_draws_markers():
    chart = charts.trend([TrendPoint("Q1", datetime.date(2025, 1, 10), 40.0, {"Power": 30.0})])
    assert [trace.mode for trace in chart.figure.data] == ["markers", "markers"]


def test_trend_hides_area_lines_when_there_are_many():
    areas = {f"Area {i}": float(i) for i in range(charts.MAX_VISIBLE_AREA_LINES + 1)}
    chart = charts.trend([TrendPoint("Q1", datetime.date(2025, 1, 10), 40.0, areas)])
    assert chart.figure.data[0].visible is None  # the index always shows
    assert {trace.visible for trace in chart.figure.data[1:]} == {"legendonly"}


@pytest.mark.parametrize("points", [[], [TrendPoint("Draft", datetime.date(2025, 1, 1), None, {"Power": None})]])
def test_trend_empty(points):
    assert_empty(charts.trend(points), "Submit an assessment")


# --------------------------------------------------------------------------------------------------
# All charts
# --------------------------------------------------------------------------------------------------


def all_charts() -> list[Chart]:
    return [
        charts.readiness_indicator(61.25, None, 55.0),
        charts.area_radar(AREAS),
        charts.area_bars(AREAS),
        charts.subarea_heatmap([SubareaScore("Power", "Supply", 50.0, 1)]),
        charts.self_vs_evidence(AREAS),
        charts.answers_by_source([SourceCount("Power", 5, 3, 1, 2)]),
        charts.accelerators_by_site([AcceleratorCount("Paris", "H100", 16, 1280.0)]),
        charts.capacity_vs_demand([WorkloadDemand("Serve", 160.0, 640.0, 400.0, 7900.0, fits=True)]),
        charts.power_vs_capacity([SitePower("Paris", 40.0, 54.0, 60.0)]),
        charts.energy_cost_carbon(SITES),
        charts.roadmap_gantt(charts.schedule_bars([entry(1, "now")])),
        charts.trend([TrendPoint("Q1", datetime.date(2025, 1, 10), 40.0, {"Power": 30.0})]),
    ]


def test_names_are_unique_slugs():
    names = [chart.name for chart in all_charts()]
    assert len(set(names)) == len(names) == 12
    assert all(name.replace("-", "").isalnum() and name == name.lower() for name in names)


def test_every_trace_has_a_hovertemplate_and_colours_from_the_palette():
    allowed = set(PALETTE) | {charts.NEUTRAL, "#FFFFFF"}
    for chart in all_charts():
        for trace in chart.figure.data:
            if trace.type == "indicator" or trace.hoverinfo == "skip":
                continue
            assert trace.hovertemplate, (chart.name, trace.name)
            colour = getattr(trace.marker, "color", None) if trace.type not in {"heatmap", "treemap"} else None
            if isinstance(colour, str):
                assert colour in allowed, (chart.name, trace.name, colour)
            if trace.type == "treemap":
                assert set(trace.marker.colors) <= allowed


# --------------------------------------------------------------------------------------------------
# Numbers as people read them
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (5520.0, "GB", "5,520 GB"),
        (68241.04, "TFLOPS", "68,241 TFLOPS"),
        (126_600.0, "TFLOPS", "126,600 TFLOPS"),
        (35.25, "kW", "35.2 kW"),
        (40.0, "kW", "40 kW"),
        (8.0, "kW", "8 kW"),
        (2.154, "kW", "2.15 kW"),
        (0.0, "GB", "0 GB"),
        (-10.0, "kW", "-10 kW"),
        (-0.0001, "kW", "-0.0001 kW"),
        (None, "kW", "unknown"),
    ],
)
def test_readable_numbers_have_their_unit_and_no_spurious_decimal(value, unit, text):
    assert charts.readable(value, unit) == text


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Maintenance-manual fine-tune", 16, "Maintenance-<br>manual fine-tune"),
        ("Domain model training (70B)", 16, "Domain model<br>training (70B)"),
        ("Frankfurt DC", 16, "Frankfurt DC"),
        ("Frankfurt DC", 10, "Frankfurt<br>DC"),
        ("Supercalifragilistic", 8, "Supercalifragilistic"),  # one long word stays whole
    ],
)
def test_wrapped_tick_labels_break_at_spaces_and_hyphens(text, width, lines):
    assert charts.wrapped(text, width) == lines


def test_the_change_caption_clears_the_gauge_at_the_pdf_size():
    """In the PDF's executive summary the gauge is exported at 560 x 300 px: a plot 150 px high (90 and 60 px of
    margins), of which the 10% under the gauge (15 px) held neither the caption "Change since ..." (13 px) nor the
    lower half of the "0" and "100" tick labels (12 px) beside the gauge's foot: the caption was written over them.
    (What a new organization saw on its first re-assessment, rendered and looked at.)"""
    from reports.services import PDF_SIZES

    chart = charts.readiness_indicator(57.3, 3, 59.7, "GenAI readiness 2027, Dallas and London")
    (indicator,) = chart.figure.data
    (caption,) = chart.figure.layout.annotations
    _, height = PDF_SIZES["indicator"]
    margin = chart.figure.layout.margin
    plot_height = height - margin.t - margin.b
    under_the_gauge = indicator.domain.y[0] * plot_height
    assert (caption.y, caption.yanchor) == (0, "bottom")
    assert under_the_gauge >= caption.font.size + 12 / 2
