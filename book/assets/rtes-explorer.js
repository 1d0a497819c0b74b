// The explorer's table (rtes_edition/explorer.py writes it with its rows, and DataTables'
// options in data-rtes-datatable): DataTables makes it searchable and sortable. jQuery and
// DataTables are classic scripts (they load from disk too), fetched with the page (the
// page preloads them, data-rtes-datatable-script) but run once the page has loaded, when
// the browser is idle: not while the chart above is being drawn.
(function () {
  var tables = document.querySelectorAll("table[data-rtes-datatable]");
  if (!tables.length) return;

  function load(links, done) {
    if (!links.length) return done();
    var script = document.createElement("script");
    script.src = links[0].getAttribute("href");
    script.onload = function () { load(links.slice(1), done); };
    script.onerror = function () { console.error("cannot load " + script.src); };
    document.head.appendChild(script);
  }

  function setUp(table) {
    var api = new window.DataTable(table, JSON.parse(table.getAttribute("data-rtes-datatable")));
    // the filter field under each column searches that column
    api.columns().every(function () {
      var column = this;
      var input = column.footer() && column.footer().querySelector("input");
      if (!input) return;
      input.addEventListener("input", function () {
        if (column.search() !== input.value) column.search(input.value).draw();
      });
    });
  }

  function setUpAll() {
    var links = Array.from(document.querySelectorAll("link[data-rtes-datatable-script]"));
    load(window.DataTable ? [] : links, function () { tables.forEach(setUp); });
  }

  function whenIdle() {
    if (window.requestIdleCallback) window.requestIdleCallback(setUpAll, {timeout: 1000});
    else window.setTimeout(setUpAll, 0);
  }
  if (document.readyState === "complete") whenIdle();
  else window.addEventListener("load", whenIdle, {once: true});
})();

// The browser scrolls to the row named in the address (#donnee-fig-…) while the page
// loads; DataTables then rearranges the page around the table. Scroll to the row again
// once its table is set up, and mark it. The wait counts from the load event, however
// long the page took to load.
(function () {
  var id = decodeURIComponent(window.location.hash.slice(1));
  if (id.indexOf("donnee-") !== 0) return;
  function waitForRow() {
    var tries = 0;
    var timer = window.setInterval(function () {
      var anchor = document.getElementById(id);
      var table = anchor && anchor.closest("table");
      var ready = anchor && !(table && table.hasAttribute("data-rtes-datatable")
                              && !table.classList.contains("dataTable"));
      if (ready || ++tries > 300) window.clearInterval(timer); // up to 30 s: a busy machine
      if (!ready) return;
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
    // no point left: say so instead of an empty chart (read out by screen readers)
    var shown = x.reduce(function (n, values) {
      return n + values.filter(function (v) { return v !== null && v !== undefined; }).length;
    }, 0);
    var wrapper = gd.closest(".rtes-chart") || gd.parentNode;
    var message = wrapper.querySelector(".rtes-empty-message");
    if (!message) {
      message = document.createElement("p");
      message.className = "rtes-empty-message";
      message.setAttribute("role", "status");
      var plot = wrapper.querySelector(".rtes-chart-plot") || gd;
      plot.parentNode.insertBefore(message, plot);
    }
    message.textContent = shown ? "" : "Aucun chiffre ne correspond à ces choix : "
      + "choisissez « tous » ou « toutes » dans l'une des listes pour en voir.";
  }

  function attach(gd) {
    // the buttons replace x: keep a copy of every point's value
    var original = gd.data.map(function (trace) { return Array.from(trace.x || []); });
    gd.setAttribute("data-rtes-lists", "combined"); // ready (the tests wait for it)
    gd.on("plotly_buttonclicked", function () {
      // after the button's own restyle has been applied; plotly.js keeps each list's
      // choice in the layout (updatemenus[i].active)
      window.setTimeout(function () {
        combine(gd, gd.layout.updatemenus.map(function (menu) { return menu.active || 0; }), original);
      }, 0);
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

// The drop-down lists from the keyboard and for screen readers (WCAG 2.1.1, 4.1.2):
// plotly.js draws them as SVG groups that take no focus and have no name. Each list's
// header becomes a button reached with Tab, named by its list and current choice; Enter,
// Space or ArrowDown opens the list and puts the focus on its current choice;
// ArrowDown/ArrowUp (Home/End) move among the choices, Enter or Space chooses one (the
// click plotly.js listens to, so the lists still combine), Escape closes the list without
// choosing, Tab closes it and goes on. The mouse and touch are left to plotly.js.
// plotly.js redraws the lists (at every relayout or restyle, and the choices at every
// opening): the attributes are set again after each redraw and each click.
(function () {
  var internals = window.rtesPlotlyInternals; // plotly-internals.js: the lists as drawn
  if (!internals) return; // no chart on the page
  var decoder = document.createElement("textarea");

  // a button's label as read: plotly-setup.js breaks long ones with <br>, all are escaped
  function plain(label) {
    decoder.innerHTML = String(label || "").replace(/<br>/gi, " ").replace(/<[^>]*>/g, "");
    return decoder.value;
  }

  function click(element) {
    element.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
  }

  // the open list's choices and that list's index (-1: none); one header per list, in
  // the lists' order (all of the chart's lists are shown); each list's options are the
  // chart's layout (updatemenus, with the current choice as ``active``)
  var choicesGroup = internals.choicesGroup;
  var openIndex = internals.openListIndex;
  var headers = internals.listHeaders;
  var choices = internals.choices;
  function headerOf(gd, index) { return headers(gd)[index]; }
  function indexOf(gd, header) { return headers(gd).indexOf(header); }
  function menuOf(gd, index) { return (gd.layout.updatemenus || [])[index]; }

  function decorate(gd) {
    var open = openIndex(gd);
    headers(gd).forEach(function (header, index) {
      var menu = menuOf(gd, index);
      if (!menu || (menu.type || "dropdown") !== "dropdown") return;
      var expanded = open === index;
      header.setAttribute("tabindex", "0");
      header.setAttribute("role", "button");
      header.setAttribute("aria-haspopup", "listbox");
      header.setAttribute("aria-expanded", String(expanded));
      header.setAttribute("aria-label", plain((menu.buttons[menu.active || 0] || {}).label)
        + (expanded ? " — fermer la liste" : " — ouvrir la liste"));
    });
    var group = choicesGroup(gd);
    var items = choices(gd);
    if (!group) return;
    // a listbox only while it has choices (an empty one is an error for screen readers)
    if (items.length && open >= 0) {
      var menu = menuOf(gd, open);
      group.setAttribute("role", "listbox");
      group.setAttribute("aria-label", plain((menu.buttons[0] || {}).label).split(" : ")[0]);
    } else {
      group.removeAttribute("role");
      group.removeAttribute("aria-label");
    }
    items.forEach(function (item, index) {
      var menu = open >= 0 ? menuOf(gd, open) : null;
      var button = menu ? menu.buttons[index] || {} : {};
      var selected = menu !== null && index === (menu.active || 0);
      item.setAttribute("tabindex", "-1");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(selected));
      item.setAttribute("aria-label", plain(button.label));
    });
  }

  // focus a choice; a long list is cut at the chart's height and scrolled with the wheel
  // (plotly.js listens to it on the choices' group): scroll until the choice is shown
  function focusChoice(gd, item) {
    item.focus();
    var group = choicesGroup(gd);
    var box = gd.getBoundingClientRect();
    var header = headerOf(gd, openIndex(gd)).getBoundingClientRect();
    var rect = item.getBoundingClientRect();
    var delta = rect.bottom > box.bottom ? rect.bottom - box.bottom + 4
      : rect.top < header.bottom ? rect.top - header.bottom - 4 : 0;
    if (delta) group.dispatchEvent(new WheelEvent("wheel", {deltaY: delta, bubbles: true, cancelable: true}));
  }

  function openList(gd, header) {
    if (openIndex(gd) !== indexOf(gd, header)) click(internals.headerButton(header));
    var items = choices(gd);
    var current = items.filter(function (item) { return item.getAttribute("aria-selected") === "true"; })[0];
    if (current || items[0]) focusChoice(gd, current || items[0]);
  }

  function closeList(gd, header) {
    if (openIndex(gd) === indexOf(gd, header)) click(internals.headerButton(header));
    header.focus();
  }

  function onKey(gd, event) {
    var target = event.target;
    if (!target.closest) return;
    var header = internals.headerAround(target);
    if (header && indexOf(gd, header) >= 0) {
      var open = openIndex(gd) === indexOf(gd, header);
      if (event.key === "Enter" || event.key === " ") {
        if (open) closeList(gd, header);
        else openList(gd, header);
      } else if (event.key === "ArrowDown") {
        openList(gd, header);
      } else if (event.key === "Escape" && open) {
        closeList(gd, header);
      } else return;
      event.preventDefault();
      return;
    }
    var item = internals.choiceAround(target);
    if (!item || openIndex(gd) < 0) return;
    header = headerOf(gd, openIndex(gd));
    var items = choices(gd);
    var at = items.indexOf(item);
    var to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1}[event.key];
    if (to !== undefined) {
      focusChoice(gd, items[Math.max(0, Math.min(items.length - 1, to))]);
    } else if (event.key === "Enter" || event.key === " ") {
      click(item); // plotly.js chooses and folds the list
      header.focus();
    } else if (event.key === "Escape") {
      closeList(gd, header);
    } else if (event.key === "Tab") {
      closeList(gd, header); // and Tab goes on from the header
      return;
    } else return;
    event.preventDefault();
  }

  function attach(gd) {
    decorate(gd);
    ["plotly_afterplot", "plotly_relayout", "plotly_restyle", "plotly_redraw", "plotly_buttonclicked"]
      .forEach(function (name) { gd.on(name, function () { decorate(gd); }); });
    // a click (mouse, touch or ours) has been handled by plotly.js when it reaches gd
    gd.addEventListener("click", function () { decorate(gd); });
    gd.addEventListener("keydown", function (event) { onKey(gd, event); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".rtes-chart .plotly-graph-div").forEach(function (gd) {
      var tries = 0;
      var timer = window.setInterval(function () {
        var ready = gd.on && gd.layout && headers(gd).length;
        if (ready || ++tries > 100) window.clearInterval(timer);
        if (ready) attach(gd);
      }, 50);
    });
  });
})();
