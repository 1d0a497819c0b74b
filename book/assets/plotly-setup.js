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

// Reflow (WCAG 1.4.10): a chart title is one SVG line that plotly.js never wraps, so on a
// phone the longer ones ran out of the chart. When a chart is narrower than its title,
// break the title into lines at word boundaries and make room for them above the plot
// (the top margin and the chart's height grow by the added lines: the plot area, the
// lists of the explorer and everything below keep their size and order); give the title
// back on one line when the chart is wide enough again. The text stays complete, also in
// the toolbar's PNG, which is drawn at the chart's current width. The print PNG (kaleido,
// rtes_edition/output.py) never runs this script.
(function () {
  var Plotly = window.Plotly;
  var LINE_SPACING = 1.3; // plotly.js's, in em
  var SLACK = 8; // px kept free at the right of the longest line
  var canvas = document.createElement("canvas").getContext("2d");
  var decoder = document.createElement("textarea");

  function textWidth(html, font) {
    decoder.innerHTML = html.replace(/<[^>]*>/g, ""); // the title's text is HTML-escaped
    canvas.font = font;
    return canvas.measureText(decoder.value).width;
  }

  // ``text`` in lines of at most ``width`` px, broken at spaces (a word longer than the
  // width gets a line of its own)
  function wrap(text, font, width) {
    var lines = [];
    text.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && textWidth(lines[last] + " " + word, font) <= width) lines[last] += " " + word;
      else lines.push(word);
    });
    return lines;
  }

  // where the top of the title's first line is drawn, in px from the top of the chart
  function titleTop(gd) {
    var title = gd.querySelector(".gtitle");
    return title ? title.getBBox().y : 0;
  }

  function fit(gd) {
    var full = gd._fullLayout;
    if (!full || !gd.layout || !gd.layout.title) return;
    if (!gd._rtesTitle) {
      // plotly.py puts the chart in a box of the chart's height: it grows with the chart
      var box = gd.parentNode;
      var title = gd.layout.title;
      gd._rtesTitle = {text: title.text || "", top: full.margin.t, height: full.height,
                       box: box.style.height === full.height + "px" ? box : null,
                       // null: plotly.js's default
                       y: "y" in title ? title.y : null, yanchor: title.yanchor || null,
                       yref: title.yref || null, titleTop: titleTop(gd)};
    }
    var original = gd._rtesTitle;
    if (!original.text || original.text.indexOf("<br>") !== -1) return;
    var font = full.title.font;
    var css = font.size + "px " + font.family;
    var x = full.title.xref === "paper" ? full._size.l + full.title.x * full._size.w
                                         : full.title.x * full.width;
    var lines = wrap(original.text, css, full.width - x - full.title.pad.l - SLACK);
    var text = lines.join("<br>");
    var added = Math.ceil((lines.length - 1) * LINE_SPACING * font.size);
    if (text === gd.layout.title.text) return;
    if (original.box) original.box.style.height = original.height + added + "px";
    var update = {
      "title.text": text,
      "margin.t": original.top + added,
      height: original.height + added,
      // a new height alone would fix the width too: the chart would no longer follow the
      // page's width (config.responsive)
      width: null,
      autosize: true,
    };
    if (original.yanchor !== "top") {
      // plotly.js centres a one-line title in the top margin but lets a longer one go down
      // into the plot: hang it from where its first line was (plotly.js draws a title of
      // several lines anchored at its top about one line above that anchor)
      var top = original.titleTop + LINE_SPACING * font.size;
      update["title.yref"] = lines.length > 1 ? "container" : original.yref;
      update["title.yanchor"] = lines.length > 1 ? "top" : original.yanchor;
      update["title.y"] = lines.length > 1 ? 1 - top / (original.height + added) : original.y;
    }
    Plotly.relayout(gd, update);
  }

  var newPlot = Plotly.newPlot;
  Plotly.newPlot = function () {
    return newPlot.apply(this, arguments).then(function (gd) {
      if (!gd._rtesReflow) {
        gd._rtesReflow = true;
        // plotly.js's own resizing (config.responsive) ends with a relayout
        gd.on("plotly_relayout", function () { fit(gd); });
      }
      fit(gd);
      return gd;
    });
  };
})();
