/* Draws every dashboard chart on the page with plotly.js (served from our static files, never a CDN).
 *
 * Each chart is a <div class="chart" data-figure-id="fig-…"> whose figure (data and layout, built in Python by
 * reports/charts.py) is in the <script type="application/json" id="fig-…"> that Django's json_script wrote.
 * No inline script: the JSON is data, read with JSON.parse.
 *
 * Screen adjustments only (the figure's data is never changed): the card's heading already shows the title, so the
 * figure's own title is dropped; radar labels wrap; and in a narrow container (a phone) side-by-side panels are stacked,
 * long legends go under the plot and horizontal bars show their value only (the table has the rest).
 */
(function () {
  "use strict";

  var NARROW = 480; // px: a chart this narrow (a phone's screen) gets the phone layout
  var PANEL_HEIGHT = 240; // px per stacked panel on a phone
  var PANEL_GAP = 110; // px between stacked panels: tick labels, axis title, the next panel's title

  function figureOf(container) {
    var source = document.getElementById(container.getAttribute("data-figure-id"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function wrap(text, width, maxLines) {
    // Break a label at spaces into lines of about `width` characters; past `maxLines` lines, end with "…".
    var words = String(text).split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    if (maxLines && lines.length > maxLines) {
      lines = lines.slice(0, maxLines);
      lines[maxLines - 1] = lines[maxLines - 1].replace(/[\s…]*$/, "") + "…";
    }
    return lines.join("<br>");
  }

  function dropTitle(layout) {
    if (!layout.title) {
      return;
    }
    layout.title = { text: "" };
    var margin = (layout.margin = Object.assign({}, layout.margin));
    var legendOnTop = !layout.legend || layout.legend.y === undefined || layout.legend.y >= 1;
    margin.t = Math.min(margin.t === undefined ? 90 : margin.t, legendOnTop ? 50 : 40); // room for a legend on top
  }

  function wrapRadarLabels(figure, narrow) {
    var layout = figure.layout;
    var trace = (figure.data || []).filter(function (t) { return t.type === "scatterpolar"; })[0];
    if (!layout.polar || !trace || !trace.theta) {
      return;
    }
    var categories = trace.theta.filter(function (value, index, all) { return all.indexOf(value) === index; });
    // Keep the top spoke's label clear of the legend above the plot.
    layout.polar.domain = Object.assign({}, layout.polar.domain, { y: [0, 0.9] });
    layout.polar.angularaxis = Object.assign({}, layout.polar.angularaxis, {
      tickmode: "array",
      tickvals: categories,
      ticktext: categories.map(function (name) { return wrap(name, narrow ? 11 : 16); }),
      tickfont: { size: narrow ? 10 : 12 }
    });
  }

  function legendEntries(figure) {
    return (figure.data || []).filter(function (t) { return t.showlegend !== false && t.name; });
  }

  function legendRows(figure, width) {
    var row = 0;
    var rows = 1;
    legendEntries(figure).forEach(function (t) {
      var itemWidth = 40 + 6.5 * String(t.name).length;
      if (row + itemWidth > width) {
        rows += 1;
        row = 0;
      }
      row += itemWidth;
    });
    return rows;
  }

  function stackPanels(layout) {
    var names = Object.keys(layout).filter(function (key) { return /^xaxis\d*$/.test(key); });
    if (names.length < 2) {
      return 0;
    }
    var panels = names.map(function (name) {
      var suffix = name.slice(5);
      var x = layout[name];
      return { x: x, y: layout["yaxis" + suffix] || {}, domain: (x.domain || [0, 1]).slice() };
    });
    panels.sort(function (a, b) { return a.domain[0] - b.domain[0]; });
    var count = panels.length;
    var plotHeight = count * PANEL_HEIGHT + (count - 1) * PANEL_GAP;
    // Subplot titles sit above their panel's middle: find each one's panel before anything moves.
    (layout.annotations || []).forEach(function (title) {
      if (title.xref !== "paper" || title.yref !== "paper" || title.y !== 1) {
        return;
      }
      var owner = panels.filter(function (p) { return title.x >= p.domain[0] && title.x <= p.domain[1]; })[0];
      if (owner) {
        owner.title = title;
      }
    });
    panels.forEach(function (panel, index) {
      var top = 1 - (index * (PANEL_HEIGHT + PANEL_GAP)) / plotHeight;
      var bottom = top - PANEL_HEIGHT / plotHeight;
      panel.x.domain = [0, 1];
      panel.y.domain = [Math.max(0, bottom), Math.min(1, top)];
      if (panel.title) {
        panel.title.x = 0.5;
        panel.title.y = panel.y.domain[1];
      }
    });
    return plotHeight;
  }

  function forPhone(figure, width) {
    var layout = figure.layout;
    var margin = (layout.margin = Object.assign({}, layout.margin));
    layout.font = Object.assign({ size: 11 }, layout.font);
    margin.l = Math.min(margin.l === undefined ? 60 : margin.l, 45);
    margin.r = Math.min(margin.r === undefined ? 30 : margin.r, 20);
    if (layout.polar) {
      margin.l = 65;
      margin.r = 65;
    }
    if ((figure.data || []).some(function (t) { return t.type === "indicator"; })) {
      margin.l = 30; // the gauge's end labels (0, 100)
      margin.r = 30;
    }
    var stacked = stackPanels(layout);
    var entries = legendEntries(figure).length;
    if (stacked || entries > 4) {
      var rows = legendRows(figure, width - margin.l - margin.r);
      var plotHeight = stacked || Math.max(220, (layout.height || 380) - (margin.t || 0) - (margin.b || 0));
      var bottom = stacked ? 80 : 70; // room for the last x axis' labels and title
      layout.legend = Object.assign({}, layout.legend, {
        orientation: "h", x: 0, xanchor: "left", y: -bottom / plotHeight, yanchor: "top"
      });
      margin.t = Math.min(margin.t === undefined ? 40 : margin.t, 40);
      margin.b = bottom + 22 * rows;
      layout.height = plotHeight + margin.t + margin.b;
    }
    (figure.data || []).forEach(function (trace) {
      if (trace.type === "bar" && trace.orientation === "h" && trace.text) {
        trace.texttemplate = "%{x:.1f}";
      }
      if (trace.type === "heatmap" && trace.text) {
        trace.texttemplate = "%{z:.0f}"; // the score; the sub-area's name is in the hover and the table
      }
    });
    (layout.annotations || []).forEach(function (note) {
      // Band labels over the plot ("<b>Now</b> (0-3 months)"): the bold part only.
      var bold = /^<b>([^<]*)<\/b>/.exec(note.text || "");
      if (bold && note.yref === "paper" && note.y === 1) {
        note.text = "<b>" + bold[1] + "</b>";
      }
    });
    wrapCategoryTicks(figure, layout);
  }

  function wrapCategoryTicks(figure, layout) {
    // Bars' category labels (areas, workloads, roadmap items) on at most two short lines, unless the chart names
    // its ticks itself. A few vertical bars' labels wrap; many are left on one line for plotly to turn upright.
    var categories = {};
    (figure.data || []).forEach(function (trace) {
      if (trace.type !== "bar") {
        return;
      }
      var horizontal = trace.orientation === "h";
      var values = horizontal ? trace.y : trace.x;
      var axis = horizontal ? "yaxis" + (trace.yaxis || "y").slice(1) : "xaxis" + (trace.xaxis || "x").slice(1);
      var seen = (categories[axis] = categories[axis] || { horizontal: horizontal, names: [] });
      (values || []).forEach(function (value) {
        if (typeof value === "string" && seen.names.indexOf(value) < 0) {
          seen.names.push(value);
        }
      });
    });
    Object.keys(categories).forEach(function (axis) {
      var found = categories[axis];
      var settings = (layout[axis] = Object.assign({}, layout[axis]));
      if (settings.ticktext || !found.names.length) {
        return;
      }
      if (!found.horizontal && found.names.length > 4) {
        layout.height = (layout.height || 380) + 100; // upright labels take height from the plot
        return;
      }
      settings.tickmode = "array";
      settings.tickvals = found.names;
      settings.ticktext = found.names.map(function (name) { return wrap(name, found.horizontal ? 17 : 12, 2); });
    });
  }

  function draw(container) {
    var figure = figureOf(container);
    if (!figure || !window.Plotly) {
      return;
    }
    figure.layout = figure.layout || {};
    var width = container.clientWidth;
    dropTitle(figure.layout);
    wrapRadarLabels(figure, width < NARROW);
    if (width < NARROW) {
      forPhone(figure, width);
    }
    container.classList.add("chart-drawn");
    window.Plotly.newPlot(container, figure.data || [], figure.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"]
    });
  }

  function drawAll() {
    var containers = document.querySelectorAll(".chart[data-figure-id]");
    for (var i = 0; i < containers.length; i += 1) {
      draw(containers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
