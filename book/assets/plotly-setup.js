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

// Each chart of the page, once drawn: plotly.py writes one module script per chart that
// calls Plotly.newPlot; module scripts run before DOMContentLoaded, and plotly.js draws
// a chart whose base maps are already on the page (offline_assets.py) without waiting
// for the network. ``callback(gd)`` runs once per chart, in page order, after it is drawn;
// for a chart still drawing then, at its first plotly_afterplot.
window.rtesEachChart = function (callback) {
  function each() {
    document.querySelectorAll(".plotly-graph-div").forEach(function (gd) {
      if (!gd.on) return; // not a chart (its script did not run)
      if (window.rtesPlotlyInternals.isDrawn(gd) && gd.layout) callback(gd);
      else {
        var done = false;
        gd.on("plotly_afterplot", function () { if (!done) { done = true; callback(gd); } });
      }
    });
  }
  // this script is deferred: it runs before the charts' module scripts, then comes
  // DOMContentLoaded
  if (document.readyState === "complete") each();
  else document.addEventListener("DOMContentLoaded", each);
};

// Reflow (WCAG 1.4.10): a chart title is one SVG line that plotly.js never wraps, so on a
// phone the longer ones ran out of the chart. When a chart is narrower than its title,
// break the title into lines at word boundaries and make room for them above the plot
// (the top margin and the chart's height grow by the added lines: the plot area, the
// lists of the explorer and everything below keep their size and order); give the title
// back on one line when the chart is wide enough again. The text stays complete, also in
// the toolbar's PNG, which is drawn at the chart's current width. The print PNG (kaleido,
// rtes_edition/output.py) never runs this script.
//
// The drop-down lists of a chart (layout.updatemenus, the explorer's: side by side, each
// as wide as its longest choice) overlapped and ran out of a narrow chart the same way.
// When they do not fit side by side, lay them out one under the other at the left of the
// plot, their longer choices broken into lines to fit the chart's width, and make room
// for them above the plot as for the title; give them back their places and their
// choices on one line when the chart is wide enough again.
(function () {
  var Plotly = window.Plotly;
  var internals = window.rtesPlotlyInternals; // plotly-internals.js
  var LINE_SPACING = 1.3; // plotly.js's, in em
  var SLACK = 8; // px kept free at the right of the longest line
  var LIST_PADDING = 24 + 16 + 2; // plotly.js's around a list's text: text, arrow, borders
  var LIST_GAP = 8; // px between two lists one under the other
  var canvas = document.createElement("canvas").getContext("2d");
  var decoder = document.createElement("textarea");

  function textWidth(html, font) {
    decoder.innerHTML = html.replace(/<[^>]*>/g, ""); // the text is HTML-escaped
    canvas.font = font;
    return canvas.measureText(decoder.value).width;
  }

  // ``text`` in lines of at most ``width`` px, broken at spaces, or after the hyphens of a
  // word longer than the width (« Meurthe-et-Moselle »; a longer part gets a line of its
  // own); French puts a space before « : » and inside « … »: never break there
  function wrap(text, font, width) {
    var words = [];
    text.split(" ").forEach(function (word) {
      var last = words.length - 1;
      if (last >= 0 && (/^[:;!?»]/.test(word) || /«$/.test(words[last]))) words[last] += " " + word;
      else words.push(word);
    });
    var pieces = []; // [text, what joins it to the piece before on a line]
    words.forEach(function (word) {
      var parts = textWidth(word, font) > width ? word.match(/[^-]+-*|-+/g) : [word];
      parts.forEach(function (part, i) { pieces.push([part, i ? "" : " "]); });
    });
    var lines = [];
    pieces.forEach(function (piece) {
      var last = lines.length - 1;
      var joined = last >= 0 ? lines[last] + piece[1] + piece[0] : null;
      if (joined !== null && textWidth(joined, font) <= width) lines[last] = joined;
      else lines.push(piece[0]);
    });
    return lines;
  }

  // where the top of the title's first line is drawn, in px from the top of the chart
  function titleTop(gd) {
    var title = internals.titleElement(gd);
    return title ? title.getBBox().y : 0;
  }

  // the value of ``key`` ("updatemenus[0].buttons[2].label") in ``layout``
  function valueOf(layout, key) {
    return key.split(/[.[\]]+/).filter(Boolean).reduce(function (value, part) {
      return value === undefined || value === null ? undefined : value[part];
    }, layout);
  }

  // the title's lines: sets them in ``update``, returns the px they add above the plot
  function fitTitle(gd, original, update) {
    var full = internals.fullLayout(gd);
    var size = internals.plotArea(gd);
    if (!original.text || original.text.indexOf("<br>") !== -1) return 0;
    var font = full.title.font;
    var css = font.size + "px " + font.family;
    var x = full.title.xref === "paper" ? size.l + full.title.x * size.w
                                         : full.title.x * full.width;
    var lines = wrap(original.text, css, full.width - x - full.title.pad.l - SLACK);
    var added = Math.ceil((lines.length - 1) * LINE_SPACING * font.size);
    update["title.text"] = lines.join("<br>");
    if (original.yanchor !== "top") {
      // plotly.js centres a one-line title in the top margin but lets a longer one go down
      // into the plot: hang it from where its first line was (plotly.js draws a title of
      // several lines anchored at its top about one line above that anchor)
      var top = original.titleTop + LINE_SPACING * font.size;
      var height = original.height + added + original.listsAdded;
      update["title.yref"] = lines.length > 1 ? "container" : original.yref;
      update["title.yanchor"] = lines.length > 1 ? "top" : original.yanchor;
      update["title.y"] = lines.length > 1 ? 1 - top / height : original.y;
    }
    return added;
  }

  // the lists' places and choices: sets them in ``update``, returns the px they add above
  // the plot. Written for lists above the plot, anchored at their bottom, opening downwards.
  function fitLists(gd, menus, update) {
    var full = internals.fullLayout(gd);
    var size = internals.plotArea(gd);
    // the plot's width when no list pushes the right margin
    var width = full.width - size.l - full.margin.r;
    var boxes = menus.map(function (menu, i) {
      var fullMenu = full.updatemenus[i];
      var css = fullMenu.font.size + "px " + fullMenu.font.family;
      var longest = Math.max.apply(null, menu.labels.map(function (label) { return textWidth(label, css); }));
      var left = size.l + menu.x * width;
      return {left: left, right: left + longest + LIST_PADDING + fullMenu.pad.l + fullMenu.pad.r,
              css: css, pad: fullMenu.pad};
    });
    var fits = boxes.every(function (box, i) {
      return box.right <= full.width && boxes.every(function (other, j) {
        return i === j || menus[i].y !== menus[j].y || box.right <= other.left || other.right <= box.left;
      });
    });
    var stacked = !fits;
    // the plot area keeps its height: the lists are placed in px above it
    var h = size.h;
    var lowest = Math.min.apply(null, menus.map(function (menu) { return menu.y; }));
    var highest = Math.max.apply(null, menus.map(function (menu) { return menu.y; }));
    // the heights of the lists as drawn (plotly.js's measure, after their last relayout)
    var heights = menus.map(function (menu, i) {
      var fullMenu = full.updatemenus[i];
      return internals.menuHeight(gd, i) + fullMenu.pad.t + fullMenu.pad.b;
    });
    var bottom = (lowest - 1) * h; // px above the plot, of the lowest list's bottom
    var added = 0;
    if (stacked) {
      var above = bottom + heights.reduce(function (a, b) { return a + b; }, 0) + LIST_GAP * (menus.length - 1);
      var topBefore = (highest - 1) * h + Math.max.apply(null, heights.filter(function (_, i) {
        return menus[i].y === highest;
      }));
      added = Math.max(0, Math.ceil(above - topBefore));
    }
    menus.forEach(function (menu, i) {
      var key = "updatemenus[" + i + "].";
      update[key + "x"] = stacked ? 0 : menu.x;
      update[key + "xanchor"] = stacked ? "left" : menu.xanchor;
      if (stacked) {
        // list i's bottom: above the lists after it
        var y = bottom;
        for (var j = i + 1; j < menus.length; j++) y += heights[j] + LIST_GAP;
        update[key + "y"] = 1 + y / h;
        update[key + "yanchor"] = "bottom";
      } else {
        update[key + "y"] = menu.y;
        update[key + "yanchor"] = menu.yanchor;
      }
      var room = full.width - size.l - boxes[i].pad.l - boxes[i].pad.r - LIST_PADDING - SLACK;
      menu.labels.forEach(function (label, b) {
        update[key + "buttons[" + b + "].label"] = stacked ? wrap(label, boxes[i].css, room).join("<br>") : label;
      });
    });
    return added;
  }

  // true when ``update`` would change ``layout``; a place differing by less than a px
  // (plotly.js rounds its margins) is no change
  function changes(layout, update, h) {
    return Object.keys(update).some(function (key) {
      var now = valueOf(layout, key);
      if (typeof update[key] === "number" && typeof now === "number" && /\.y$/.test(key)) {
        return Math.abs(update[key] - now) * h >= 1;
      }
      return update[key] !== now && !(update[key] === null && now === undefined);
    });
  }

  function fit(gd) {
    var full = internals.fullLayout(gd);
    var layout = gd.layout;
    if (!full || !layout) return;
    // lists placed as the explorer's (above the plot, anchored at their bottom); any
    // other lists are left as they are
    var menus = layout.updatemenus || [];
    if (!menus.every(function (menu) {
      return (menu.type || "dropdown") === "dropdown" && menu.visible !== false && Array.isArray(menu.buttons)
        && typeof menu.x === "number" && typeof menu.y === "number" && menu.yanchor === "bottom";
    })) menus = [];
    if (!layout.title && !menus.length) return;
    if (!gd._rtesOriginal) {
      // plotly.py puts the chart in a box of the chart's height: it grows with the chart
      var box = gd.parentNode;
      var title = layout.title || {};
      gd._rtesOriginal = {text: title.text || "", top: full.margin.t, height: full.height,
                       box: box.style.height === full.height + "px" ? box : null,
                       // null: plotly.js's default
                       y: "y" in title ? title.y : null, yanchor: title.yanchor || null,
                       yref: title.yref || null, titleTop: titleTop(gd), listsAdded: 0,
                       menus: menus.map(function (menu) {
                         return {x: menu.x, y: menu.y, xanchor: menu.xanchor || null, yanchor: menu.yanchor,
                                 labels: menu.buttons.map(function (b) { return b.label || ""; })};
                       })};
    }
    var original = gd._rtesOriginal;
    var update = {};
    var listsAdded = original.menus.length && full.updatemenus.length === original.menus.length
      ? fitLists(gd, original.menus, update) : 0;
    original.listsAdded = listsAdded;
    var added = fitTitle(gd, original, update) + listsAdded;
    update["margin.t"] = original.top + added;
    update.height = original.height + added;
    if (!changes(layout, update, internals.plotArea(gd).h)) return;
    // each relayout calls this again: a layout that never settles (a list's height
    // changing its own place) must not redraw the chart forever
    var now = Date.now();
    if (!gd._rtesPasses || now - gd._rtesPasses.since > 2000) gd._rtesPasses = {since: now, count: 0};
    if (++gd._rtesPasses.count > 10) return;
    if (original.box) original.box.style.height = original.height + added + "px";
    // a new height alone would fix the width too: the chart would no longer follow the
    // page's width (config.responsive)
    update.width = null;
    update.autosize = true;
    Plotly.relayout(gd, update);
  }

  window.rtesEachChart(function (gd) {
    // plotly.js's own resizing (config.responsive) ends with a relayout
    gd.on("plotly_relayout", function () { fit(gd); });
    fit(gd);
  });
})();

// Dark mode: the charts follow the page's theme (pydata-sphinx-theme sets
// <html data-theme="light|dark">). Their backgrounds, texts, grid lines and lists take
// the theme's own colours (its CSS variables); a trace colour too close to the background
// (less than 3:1, WCAG 1.4.11: the black of the « État » level on a dark page) takes the
// text's colour. Each chart's colours as drawn first are kept: the light theme gets them
// back. The print PNG (kaleido) never runs this script.
(function () {
  var Plotly = window.Plotly;
  var MIN_CONTRAST = 3;

  function css(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // relative luminance of a CSS colour (#rgb, #rrggbb, rgb(), rgba()), null if unknown
  function luminance(colour) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(colour).trim());
    var rgb;
    if (m) {
      var hex = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
      rgb = [0, 2, 4].map(function (i) { return parseInt(hex.substr(i, 2), 16); });
    } else {
      m = /^rgba?\(([^)]+)\)$/i.exec(String(colour).trim());
      if (!m) return String(colour).trim().toLowerCase() === "black" ? 0
        : String(colour).trim().toLowerCase() === "white" ? 1 : null;
      rgb = m[1].split(",").slice(0, 3).map(parseFloat);
    }
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  // #rrggbb with the lightness (HSL) of ``colour`` mirrored, null if not a hex colour
  function mirrorLightness(colour) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(colour).trim());
    if (!m) {
      var named = String(colour).trim().toLowerCase();
      if (named !== "black") return null;
      m = [null, "000000"];
    }
    var hex = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    var rgb = [0, 2, 4].map(function (i) { return parseInt(hex.substr(i, 2), 16) / 255; });
    var max = Math.max.apply(null, rgb), min = Math.min.apply(null, rgb);
    // mirroring L keeps hue and saturation: each channel moves by the same offset
    var shift = 1 - (max + min); // new L = 1 - L, with L = (max + min) / 2
    return "#" + rgb.map(function (v) {
      var c = Math.round(Math.min(1, Math.max(0, v + shift)) * 255);
      return (c < 16 ? "0" : "") + c.toString(16);
    }).join("");
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    if (la === null || lb === null) return Infinity;
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  window.rtesContrast = contrast; // for the tests

  function axes(layout) {
    return Object.keys(layout).filter(function (key) { return /^[xy]axis\d*$/.test(key); });
  }

  // the layout keys this script sets, with their values as the chart was drawn
  function remember(gd) {
    if (gd._rtesColours) return;
    var layout = gd.layout;
    var saved = {layout: {}, traces: []};
    function keep(key) { saved.layout[key] = valueAt(layout, key); }
    ["paper_bgcolor", "plot_bgcolor", "font.color", "legend.bgcolor", "legend.font.color",
     "title.font.color", "geo.bgcolor", "geo.lakecolor", "geo.landcolor",
     "hoverlabel.bgcolor", "hoverlabel.font.color"].forEach(keep);
    axes(layout).forEach(function (axis) {
      ["gridcolor", "linecolor", "zerolinecolor", "tickfont.color", "title.font.color"]
        .forEach(function (k) { keep(axis + "." + k); });
    });
    (layout.updatemenus || []).forEach(function (_, i) {
      ["bgcolor", "bordercolor", "font.color"].forEach(function (k) { keep("updatemenus[" + i + "]." + k); });
    });
    (layout.annotations || []).forEach(function (_, i) { keep("annotations[" + i + "].font.color"); });
    gd.data.forEach(function (trace) {
      saved.traces.push({
        marker: trace.marker && typeof trace.marker.color === "string" ? trace.marker.color : undefined,
        markerLine: trace.marker && trace.marker.line && typeof trace.marker.line.color === "string"
          ? trace.marker.line.color : undefined,
        line: trace.line && typeof trace.line.color === "string" ? trace.line.color : undefined,
        textfont: trace.textfont && typeof trace.textfont.color === "string" ? trace.textfont.color : undefined,
      });
    });
    gd._rtesColours = saved;
  }

  function valueAt(layout, key) {
    return key.split(/[.[\]]+/).filter(Boolean).reduce(function (value, part) {
      return value === undefined || value === null ? undefined : value[part];
    }, layout);
  }

  var applying = false;

  function follow(gd) {
    if (!gd.layout || !gd.data) return;
    remember(gd);
    var saved = gd._rtesColours;
    var dark = document.documentElement.dataset.theme === "dark";
    if (!dark && !gd._rtesDark) return; // drawn light, still light
    gd._rtesDark = dark;
    var update = {};
    var restyle = {"marker.color": [], "marker.line.color": [], "line.color": [], "textfont.color": []};
    if (dark) {
      var background = css("--pst-color-background", "#14181e");
      var surface = css("--pst-color-surface", "#29313d");
      var text = css("--pst-color-text-base", "#ced6dd");
      var border = css("--pst-color-border", "#48566b");
      Object.keys(saved.layout).forEach(function (key) {
        if (/bgcolor$/.test(key) && /^(paper|plot|legend|geo)/.test(key)) update[key] = background;
        else if (/^updatemenus.*bgcolor$/.test(key) || /^hoverlabel\.bgcolor$/.test(key)) update[key] = surface;
        else if (/(gridcolor|linecolor|zerolinecolor|bordercolor)$/.test(key)) update[key] = border;
        else if (/lakecolor$/.test(key)) update[key] = background;
        else if (/landcolor$/.test(key)) update[key] = surface;
        else if (/color$/.test(key)) update[key] = text;
      });
      saved.traces.forEach(function (colours) {
        // too dark for the background: the same hue with its lightness mirrored (black
        // becomes white, a dark grey a light one), so that colours told apart stay apart
        function readable(colour) {
          if (colour === undefined || contrast(colour, background) >= MIN_CONTRAST) return colour;
          var mirrored = mirrorLightness(colour);
          return mirrored && contrast(mirrored, background) >= MIN_CONTRAST ? mirrored : text;
        }
        restyle["marker.color"].push(readable(colours.marker));
        // white outlines around points and bars: the background's colour instead
        restyle["marker.line.color"].push(colours.markerLine !== undefined
          && luminance(colours.markerLine) > 0.9 ? background : colours.markerLine);
        restyle["line.color"].push(readable(colours.line));
        restyle["textfont.color"].push(readable(colours.textfont));
      });
    } else {
      Object.keys(saved.layout).forEach(function (key) { update[key] = saved.layout[key] === undefined ? null : saved.layout[key]; });
      saved.traces.forEach(function (colours) {
        restyle["marker.color"].push(colours.marker);
        restyle["marker.line.color"].push(colours.markerLine);
        restyle["line.color"].push(colours.line);
        restyle["textfont.color"].push(colours.textfont);
      });
    }
    applying = true;
    try {
      // only the traces that have the colour: others keep plotly.js's defaults
      Object.keys(restyle).forEach(function (key) {
        var traces = [], values = [];
        restyle[key].forEach(function (value, t) {
          if (value !== undefined) { traces.push(t); values.push(value); }
        });
        if (traces.length) Plotly.restyle(gd, (function () { var o = {}; o[key] = values; return o; })(), traces);
      });
      Plotly.relayout(gd, update);
    } finally {
      applying = false;
    }
    gd.dataset.rtesTheme = dark ? "dark" : "light";
  }

  function followAll() {
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (gd.layout && gd.data) follow(gd);
    });
  }

  window.rtesEachChart(follow);
  new MutationObserver(followAll).observe(document.documentElement,
    {attributes: true, attributeFilter: ["data-theme"]});
})();
