// plotly.js's internals that the book's scripts read, all in this one place (issue 16).
//
// Fitting a chart's title and drop-down lists to a narrow screen (plotly-setup.js) needs
// what plotly.js computed when it drew the chart: the fonts and places its template and
// defaults gave, the plot area after the automatic margins, the height of each list as
// drawn. Its public API gives the layout as written (gd.layout), not these: they live in
// gd._fullLayout, which plotly.js calls private. Exposing computed values is an open
// request upstream (plotly/plotly.py#5552; plotly/plotly.js#5185 gave the computed
// margins only to the full-JSON export). Making the drop-down lists usable from the
// keyboard (rtes-explorer.js) needs the SVG elements plotly.js draws them with, known by
// their class names: plotly.js gives them no role, name or focus.
// tests/test_adapters.py draws a chart with the site's plotly.js and fails, naming
// plotly.js's version, when one of these changes.
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
    // --- the drawn chart (SVG) ---
    isDrawn: function (gd) { return !!gd.querySelector(".main-svg"); },
    titleElement: function (gd) { return gd.querySelector(".gtitle"); },
    // one header per list, in the lists' order; the element a click on it opens the list
    listHeaders: function (gd) { return Array.from(gd.querySelectorAll(".updatemenu-header-group")); },
    headerButton: function (header) { return header.querySelector(".updatemenu-header"); },
    headerAround: function (element) { return element.closest(".updatemenu-header-group"); },
    // the open list's choices (in its buttons' order), their group, and the list's index
    choicesGroup: function (gd) { return gd.querySelector(".updatemenu-dropdown-button-group"); },
    choices: function (gd) {
      return Array.from(gd.querySelectorAll(".updatemenu-dropdown-button-group .updatemenu-dropdown-button"));
    },
    choiceAround: function (element) { return element.closest(".updatemenu-dropdown-button"); },
    openListIndex: function (gd) {
      var group = gd.querySelector(".updatemenu-dropdown-button-group");
      var index = group && group.getAttribute("updatemenu-active-index");
      return index === null || index === undefined ? -1 : +index;
    },
  };
})();
