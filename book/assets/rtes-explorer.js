// The explorer's table is drawn by JavaScript after the page has loaded (its load event,
// rtes_edition/explorer.py), so the browser cannot scroll to the row named in the address
// (#donnee-fig-…) by itself: do it once the row exists, and mark it. The wait counts from
// the load event, however long the page took to load.
(function () {
  var id = decodeURIComponent(window.location.hash.slice(1));
  if (id.indexOf("donnee-") !== 0) return;
  function waitForRow() {
    var tries = 0;
    var timer = window.setInterval(function () {
      var anchor = document.getElementById(id);
      if (anchor || ++tries > 100) window.clearInterval(timer);
      if (!anchor) return;
      var row = anchor.closest("tr") || anchor;
      row.classList.add("rtes-target");
      row.scrollIntoView({block: "center"});
    }, 100);
  }
  if (document.readyState === "complete") waitForRow();
  else window.addEventListener("load", waitForRow, {once: true});
})();

// The chart's drop-down lists (rtes_edition/charts.py:filter_menus) combine: each Plotly
// button shows only its own choice, so after every click, show the points that match the
// current choice of every list. The chart has one trace per colour; a point is hidden by
// giving it a null x. The values come from the figure itself: each point's value for each
// list in customdata (list order), each list's button values in layout.meta.rtes_menus
// (null for « toutes »).
(function () {
  function combine(gd, chosen, original) {
    var menus = gd.layout.meta.rtes_menus;
    function matches(point) {
      return chosen.every(function (active, i) {
        var value = menus[i][active || 0];
        return value === null || point[i] === value;
      });
    }
    // a new x for every trace, computed from the values the page was drawn with
    var x = gd.data.map(function (trace, t) {
      if (!Array.isArray(trace.customdata)) return original[t];
      return original[t].map(function (value, p) {
        return matches(trace.customdata[p]) ? value : null;
      });
    });
    window.Plotly.restyle(gd, {x: x});
  }

  function attach(gd) {
    var chosen = gd.layout.meta.rtes_menus.map(function () { return 0; });
    // the buttons replace x: keep a copy of every point's value
    var original = gd.data.map(function (trace) { return Array.from(trace.x || []); });
    gd.on("plotly_buttonclicked", function (event) {
      chosen[event.menu._index] = event.active;
      // after the button's own restyle has been applied
      window.setTimeout(function () { combine(gd, chosen, original); }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".rtes-chart .plotly-graph-div").forEach(function (gd) {
      var tries = 0;
      var timer = window.setInterval(function () {
        var ready = gd.on && gd.layout && gd.layout.meta && gd.layout.meta.rtes_menus;
        if (ready || ++tries > 100) window.clearInterval(timer);
        if (ready) attach(gd);
      }, 50);
    });
  });
})();
