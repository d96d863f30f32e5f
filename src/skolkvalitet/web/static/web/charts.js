/* Draws the charts that {% chart %} (skolkvalitet/publishing/templatetags/charts.py) puts
 * in the page: each element with data-chart-spec names a <script type="application/json">
 * holding a Vega-Lite spec, drawn here with the vendored vega-embed (static/vendor/vega/).
 * Export is limited to SVG and PNG; the menu labels come translated from the template.
 * Works with htmx: charts in swapped-in fragments are drawn after the swap, and the views of
 * charts swapped out are finalised. Nothing is loaded from the internet. */
(function () {
  "use strict";

  var views = new WeakMap();

  function readJSON(text, fallback) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return fallback;
    }
  }

  function showFallback(element, error) {
    var data = element.querySelector(".chart-data");
    if (data) {
      data.classList.remove("visually-hidden");
    }
    var message = element.getAttribute("data-chart-error");
    var view = element.querySelector(".chart-view");
    if (message && view) {
      var note = document.createElement("p");
      note.className = "notice";
      note.textContent = message;
      view.replaceChildren(note);
    }
    if (window.console && error) {
      window.console.error("chart " + element.id + ":", error);
    }
  }

  // Under the Content-Security-Policy (no 'unsafe-eval', no inline style elements): `ast`
  // makes Vega evaluate its expressions with the CSP-safe interpreter that vega-embed bundles
  // (vega-interpreter) instead of compiling them with Function(); vega-embed's and
  // vega-tooltip's styles come from vendor/vega/vega-embed.css instead of a <style> element
  // each would insert, and the actions menu is then asked for explicitly.
  function options(element, inline) {
    var opts = {
      mode: "vega-lite",
      renderer: "svg",
      ast: true,
      defaultStyle: false,
      forceActionsMenu: !inline,
      actions: inline ? false : { export: true, source: false, compiled: false, editor: false },
      i18n: readJSON(element.getAttribute("data-chart-i18n") || "{}", {}),
      downloadFileName: element.getAttribute("data-chart-filename") || element.id || "diagram",
      scaleFactor: { png: 2 },
      tooltip: inline ? false : { disableDefaultStyle: true },
    };
    return opts;
  }

  // vega-embed's menu button (<summary>) holds only an icon: give it a name.
  function labelActions(element) {
    var summary = element.querySelector(".vega-embed details > summary");
    if (!summary) {
      return;
    }
    var labels = readJSON(element.getAttribute("data-chart-i18n") || "{}", {});
    summary.setAttribute("aria-label", labels.CLICK_TO_VIEW_ACTIONS || "Export");
    var icon = summary.querySelector("svg");
    if (icon) {
      icon.setAttribute("aria-hidden", "true");
      icon.setAttribute("focusable", "false");
    }
  }

  // A title longer than the chart is wide (a phone, a tablet held upright) would be cut at
  // its ends: break it, and its subtitle, at spaces into lines that fit the width given.
  function wrapText(text, perLine) {
    if (typeof text !== "string" || text.length <= perLine) {
      return text;
    }
    var lines = [];
    var line = "";
    text.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > perLine) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  function fitTitle(spec, width) {
    var title = spec.title;
    if (!title || !width) {
      return;
    }
    if (typeof title === "string") {
      title = spec.title = { text: title };
    }
    var config = (spec.config && spec.config.title) || {};
    var size = title.fontSize || config.fontSize || 13;
    var subtitleSize = title.subtitleFontSize || config.subtitleFontSize || size * 0.8;
    // Room is left for the export menu; 0.68 em is a generous average width of a bold
    // character in the sans-serif fonts used.
    var room = width - 40;
    title.text = wrapText(title.text, Math.max(12, Math.floor(room / (size * 0.68))));
    if (title.subtitle) {
      title.subtitle = wrapText(
        title.subtitle,
        Math.max(12, Math.floor(room / (subtitleSize * 0.62)))
      );
    }
  }

  // A legend in one row runs off a phone's screen: there it is laid out in columns, each
  // label kept to its column (vega shortens a longer one with an ellipsis, the full label
  // stays in the chart's table).
  function fitLegend(spec, width) {
    if (!width || width >= 600) {
      return;
    }
    spec.config = spec.config || {};
    var legend = (spec.config.legend = spec.config.legend || {});
    var room = width - 40;
    var columns = Math.max(1, Math.floor(room / 120));
    legend.columns = columns;
    legend.labelLimit = Math.floor(room / columns) - 30;
  }

  function render(element) {
    if (element.getAttribute("data-chart-rendered")) {
      return;
    }
    var view = element.querySelector(".chart-view");
    var source = document.getElementById(element.getAttribute("data-chart-spec"));
    if (!view || !source) {
      return;
    }
    element.setAttribute("data-chart-rendered", "pending");
    if (typeof window.vegaEmbed !== "function") {
      showFallback(element, new Error("vega-embed is not loaded"));
      return;
    }
    var spec = readJSON(source.textContent, null);
    if (!spec) {
      showFallback(element, new Error("the chart spec is not valid JSON"));
      return;
    }
    var inline = element.getAttribute("data-chart-inline") === "true";
    if (!inline) {
      fitTitle(spec, view.clientWidth);
      fitLegend(spec, view.clientWidth);
    }
    window
      .vegaEmbed(view, spec, options(element, inline))
      .then(function (result) {
        views.set(element, result);
        labelActions(element);
        element.setAttribute("data-chart-rendered", "true");
      })
      .catch(function (error) {
        showFallback(element, error);
      });
  }

  function renderAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var elements = scope.querySelectorAll("[data-chart-spec]");
    for (var i = 0; i < elements.length; i++) {
      render(elements[i]);
    }
    if (scope !== document && scope.matches && scope.matches("[data-chart-spec]")) {
      render(scope);
    }
  }

  function finalizeAll(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-chart-rendered]"));
    if (root.matches && root.matches("[data-chart-rendered]")) {
      elements.push(root);
    }
    for (var i = 0; i < elements.length; i++) {
      var result = views.get(elements[i]);
      if (result) {
        result.finalize();
        views.delete(elements[i]);
      }
    }
  }

  function start() {
    renderAll(document);
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var target = event.detail && event.detail.target;
      if (target && event.detail.shouldSwap !== false) {
        finalizeAll(target);
      }
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      // The swap may have replaced its target (outerHTML): look through the whole page;
      // charts already drawn are skipped.
      renderAll(document);
    });
  }

  window.skolkvalitetCharts = { render: renderAll };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
