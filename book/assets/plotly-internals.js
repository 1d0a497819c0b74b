// plotly.js's internals that the book's scripts read, all in this one place (issue 16).
//
// Fitting a chart's title and drop-down lists to a narrow screen (plotly-setup.js) needs
// what plotly.js computed when it drew the chart: the fonts and places its template and
// defaults gave, the plot area after the automatic margins, the height of each list as
// drawn. Its public API gives the layout as written (gd.layout), not these: they live in
// gd._fullLayout, which plotly.js calls private. Exposing computed values is an open
// request upstream (plotly/plotly.py#5552; plotly/plotly.js#5185 gave the computed
// margins only to the full-JSON export). tests/test_adapters.py draws a chart with the
// site's plotly.js and fails, naming plotly.js's version, when one of these changes.
window.rtesPlotlyInternals = (function () {
  return {
    // the layout with plotly.js's defaults and template filled in (null before the
    // chart is drawn)
    fullLayout: function (gd) { return gd._fullLayout || null; },
    // the plot area in px inside the chart: {l, t, w, h} (after the automatic margins)
    plotArea: function (gd) { return gd._fullLayout._size; },
    // the height plotly.js measured for drop-down list ``i`` as drawn (0 before)
    menuHeight: function (gd, i) {
      var menu = gd._fullLayout.updatemenus[i];
      return menu && menu._dims ? menu._dims.totalHeight : 0;
    },
  };
})();
