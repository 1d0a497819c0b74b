// Configure plotly.js for this book before any chart is drawn: French interface
// strings, and base maps served by the site itself (plotly.js would fetch them from its CDN).
(function () {
  var here = document.currentScript.src;
  var vendor = here.substring(0, here.lastIndexOf("/") + 1) + "vendor/";
  window.Plotly.setPlotConfig({
    locale: "fr",
    topojsonURL: vendor + "topojson/",
  });
})();
