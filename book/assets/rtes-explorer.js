// The explorer's table is drawn by JavaScript after the page has loaded, so the browser
// cannot scroll to the row named in the address (#donnee-fig-…) by itself: do it once the
// row exists, and mark it.
(function () {
  var id = decodeURIComponent(window.location.hash.slice(1));
  if (id.indexOf("donnee-") !== 0) return;
  var tries = 0;
  var timer = window.setInterval(function () {
    var anchor = document.getElementById(id);
    if (anchor || ++tries > 100) window.clearInterval(timer);
    if (!anchor) return;
    var row = anchor.closest("tr") || anchor;
    row.classList.add("rtes-target");
    row.scrollIntoView({block: "center"});
  }, 100);
})();

// The chart's drop-down lists (rtes_edition/charts.py:filter_menus) combine: each Plotly
// button shows only its own choice, so after every click, show the points that match the
// current choice of every list. The values come from the figure itself (meta).
(function () {
  function combine(gd, chosen) {
    var menus = gd.layout.meta.rtes_menus;
    var visible = gd.data.map(function (trace) {
      if (!Array.isArray(trace.meta)) return true;  // the legend's entries
      return chosen.every(function (active, i) {
        var value = menus[i][active || 0];
        return value === null || trace.meta[i] === value;
      });
    });
    window.Plotly.restyle(gd, {visible: visible});
  }

  function attach(gd) {
    var chosen = gd.layout.meta.rtes_menus.map(function () { return 0; });
    gd.on("plotly_buttonclicked", function (event) {
      chosen[event.menu._index] = event.active;
      // after the button's own restyle has been applied
      window.setTimeout(function () { combine(gd, chosen); }, 0);
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
