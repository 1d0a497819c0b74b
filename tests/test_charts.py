"""Charts a reader understands at a glance: what each chart selects, French numbers on every
axis, colours that stay apart in grey, and no text of a chart over another — on the site at
a desktop's and a phone's width, and in the print images."""

from __future__ import annotations

import html
import json
import re
import time

import pandas as pd
import pytest
from conftest import HTML, ROOT

from rtes_edition import charts, levels, output, selections
from rtes_edition.data import load_package

CHART_PAGES = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
SI_SUFFIX = re.compile(r"\d\s*[kMGTPB]$")  # « 5k », « 2M », « 1.5G », « 3B »
WIDTHS = [(1280, 900), (390, 844)]


@pytest.fixture(scope="module")
def tables():
    return load_package(ROOT / "data" / "datapackage.json")


@pytest.fixture(scope="module")
def figures(tables):
    return levels.with_levels(tables["figures"], tables["organisations"])


# ------------------------------------------------------------------ what each chart selects

def test_attendance_has_one_row_per_meeting_and_one_for_the_four_together(figures, tables):
    meetings = tables["meetings"]
    rows = selections.attendance(figures, meetings)
    assert list(rows["meeting_id"].iloc[:len(meetings)]) == list(meetings["id"])
    assert len(rows) == len(meetings) + 1
    assert rows["rencontre"].iloc[-1] == selections.COMBINED
    # each meeting's figure is the one meetings.csv names, as it is, or none (« non indiqué »)
    for meeting, row in zip(meetings.itertuples(), rows.itertuples()):
        if pd.isna(meeting.participants):
            assert pd.isna(row.value) and pd.isna(row.id), meeting.id
        else:
            assert (row.id, row.value, row.qualifier) == (
                meeting.participants_figure_id, meeting.participants, meeting.participants_qualifier)
    combined = rows.iloc[-1]
    assert pd.isna(combined["meeting_id"]) and combined["unit"] == "personnes"
    # only attendance: no count of members, officials, subscribers or inhabitants
    known = rows.dropna(subset=["value"])
    assert set(known["measure"]) == {"participants"} and set(known["unit"]) == {"personnes"}
    assert known["id"].is_unique


def test_the_rest_of_participation_has_its_own_chart_and_nothing_is_dropped(figures, tables):
    attendance = set(selections.attendance(figures, tables["meetings"])["id"].dropna())
    rest = set(selections.other_participation(figures, tables["meetings"])["id"])
    participation = figures[(figures["category"] == "participation") & (figures["unit"] != "pourcent")]
    assert attendance.isdisjoint(rest)
    assert attendance | rest == set(participation["id"])


def test_a_second_figure_for_all_four_meetings_stops_the_build(figures, tables):
    extra = figures[figures["id"] == "fig-intro-002"].assign(id="fig-intro-999")
    with pytest.raises(selections.SelectionError, match="fig-intro-002, fig-intro-999"):
        selections.attendance(pd.concat([figures, extra]), tables["meetings"])


def test_attendance_chart_says_non_indique_and_draws_the_known_figures(figures, tables):
    rows = selections.attendance(figures, tables["meetings"])
    fig = charts.horizontal_bars(rows, "rencontre", "Combien de personnes à chaque rencontre ?",
                                 axis_title="personnes présentes", keep_order=True)
    texts = [a.text for a in fig.layout.annotations]
    assert sum("non\xa0indiqué" in t for t in texts) == rows["value"].isna().sum() > 0
    bar = next(t for t in fig.data if t.type == "bar")
    assert sorted(bar.x) == sorted(rows["value"].dropna())
    assert any("au\xa0moins\xa0250\xa0personnes" in t for t in texts)
    assert any("environ\xa0400\xa0personnes" in t for t in texts)
    # an « au moins » figure gets an arrow head at its bar's end
    heads = [t for t in fig.data if t.type == "scatter"]
    assert sorted(heads[0].x) == sorted(rows.loc[rows["qualifier"] == "au moins", "value"])
    assert fig.layout.xaxis.type != "log" and fig.layout.xaxis.title.text == "personnes présentes"


@pytest.mark.parametrize("category", ["structures", "emploi", "participation", "budget"])
def test_an_axis_never_mixes_two_units(figures, category):
    rows = figures[(figures["category"] == category) & (figures["unit"] != "pourcent")]
    rows = rows.assign(territoire=rows["territory"].fillna("territoire non précisé"))
    fig = charts.grouped_log_bars(rows, "territoire", sorted(rows["territoire"].unique()), "?")
    units = [charts.UNIT_WORDS.get(u, u) for u in dict.fromkeys(rows["unit"])]
    axes = [fig.layout[name] for name in fig.layout if name.startswith("xaxis")]
    assert len(axes) == len(units)
    assert sorted(a.title.text.split(" (")[0] for a in axes) == sorted(u or "nombre" for u in units)
    # every bar in the panel of its own unit
    for trace in fig.data:
        if trace.type == "bar":
            axis = "xaxis" + (trace.xaxis[1:] if trace.xaxis != "x" else "")
            unit = fig.layout[axis].title.text.split(" (")[0]
            values = rows.loc[[charts.UNIT_WORDS.get(u, u) or "nombre" for u in rows["unit"]]
                              == pd.Series([unit] * len(rows), index=rows.index), "value"]
            assert sorted(trace.x) == sorted(values)


def test_cooperation_groups_follow_the_chapters(tables):
    links = tables["cooperations"]
    groups, of_node = selections.cooperation_groups(links, tables["meetings"])
    assert groups[0] == selections.NATIONAL_GROUP and len(groups) == len(set(groups))
    assert set(of_node.index) == set(links["source_id"]) | set(links["target_id"])
    assert of_node["rtes"] == selections.NATIONAL_GROUP
    single = 0
    for node, group in of_node.items():
        chapters = set(links.loc[(links["source_id"] == node) | (links["target_id"] == node), "chapter"])
        if len(chapters) == 1:  # every link of the node cited by one chapter: that one's group
            single += 1
            assert group == selections.chapter_group(chapters.pop()), node
    assert single > len(of_node) / 2


def test_map_stars_every_meeting_city_on_top_of_its_markers(tables):
    """The legend promises a star at each meeting city: drawn after the organisations'
    markers (a région's disc at Rennes hid it) and hollow (it hides none of them)."""
    organisations, meetings = tables["organisations"], tables["meetings"]
    placed = organisations.dropna(subset=["latitude"]).copy()
    placed["group"] = levels.organisation_levels(organisations).reindex(placed["id"]).values
    placed["hover"] = placed["name"]
    cities = meetings.dropna(subset=["latitude"])
    fig = charts.point_map(placed, "Carte", levels.LEVEL_COLOURS, dict.fromkeys(levels.LEVELS, 12), cities)
    stars = [i for i, t in enumerate(fig.data) if t.marker.symbol == "star-open"]
    assert stars == [len(fig.data) - 1]
    named = fig.data[stars[0]]
    assert named.marker.size > 12  # wider than every disc: its points show around them
    assert named.name == "Lieu d'une rencontre" and named.legendrank < 1000
    assert sorted(named.text) == sorted(html.escape(c) for c in cities["city"])
    assert len(cities) == 5


def _network(tables):
    links = tables["cooperations"]
    organisations = tables["organisations"].set_index("id")
    groups, of_node = selections.cooperation_groups(links, tables["meetings"])
    nodes = organisations.loc[sorted(of_node.index)].reset_index()
    nodes["group"] = of_node.reindex(nodes["id"]).values
    nodes["label"] = [charts.node_label(n) for n in nodes["name"]]
    nodes["hover"] = nodes["name"]
    links = links.assign(hover=links["id"])
    return nodes, links, groups


def test_network_is_the_same_at_every_build_and_its_labels_fit_a_phone(tables):
    nodes, links, groups = _network(tables)
    first = charts.network_layout(nodes, links, groups)
    assert first == charts.network_layout(nodes, links, groups)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    degree = pd.concat([links["source_id"], links["target_id"]]).value_counts().to_dict()
    kept = charts.hub_labels(nodes, degree, first)
    assert "rtes" in kept and 3 <= len(kept) < len(nodes) // 4
    width, height = charts.NETWORK_MIN_PX
    boxes = []
    for node in kept:
        label = nodes.set_index("id").at[node, "label"]
        x, y = first[node][0] * width, (1 - first[node][1]) * height
        boxes.append((x - charts._text_px(label) / 2, x + charts._text_px(label) / 2, y - 30, y - 12))
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[1] <= width
        for b in boxes[i + 1:]:
            assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]


def test_network_list_shows_one_organisation_with_exactly_its_partners(tables):
    nodes, links, groups = _network(tables)
    fig = charts.network(nodes, links, "Qui coopère avec qui ?", groups, dict(zip(groups, charts.GREY_SAFE)))
    buttons = fig.layout.updatemenus[0].buttons
    assert buttons[0].label == "Organisation : toutes"
    names = nodes.set_index("id")["name"]
    for button in buttons[1:]:
        shown = [t for t, v in zip(fig.data, button.args[0]["visible"]) if v]
        assert len(shown) == 1
        node = names[names.map(html.escape) == shown[0].name].index[0]
        partners = (set(links.loc[links["source_id"] == node, "target_id"])
                    | set(links.loc[links["target_id"] == node, "source_id"]))
        assert len(partners) >= charts.EGO_MIN_PARTNERS
        assert {t for t in shown[0].text if t} == {html.escape(charts._short(charts.node_label(names[p])))
                                                   for p in partners}
        assert button.label.endswith(f"({len(partners)})")


# ------------------------------------------------------------------ numbers, colours, print

def test_french_ticks():
    assert charts.french_tick(1000) == "1\u202f000"
    assert charts.french_tick(1e6) == "1 million" and charts.french_tick(1e7) == "10 millions"
    assert charts.french_tick(1e9) == "1 milliard" and charts.french_tick(0.1) == "0,1"
    ticks = charts.log_ticks([2000, 500_000_000])
    assert ticks["tickvals"][0] == 1000 and ticks["tickvals"][-1] == 1e9
    assert not any(SI_SUFFIX.search(t) for t in ticks["ticktext"])


def test_numbers_are_written_the_french_way():
    """Thousands apart by a narrow no-break space, a decimal comma, the minus sign (−)."""
    assert charts.format_number(12345.5) == "12\u202f345,5"
    assert charts.format_number(2.0) == "2" and charts.format_number(0.12345) == "0,12"
    assert charts.format_number(49.5206, decimals=0) == "50"
    assert charts.format_number(-1.68) == "\u22121,68"
    assert charts.format_number(-0.5792, decimals=None) == "\u22120,5792"
    assert charts.format_number(1234567, decimals=None) == "1\u202f234\u202f567"


def test_every_chart_writes_numbers_the_french_way():
    fig = charts.base_layout(charts.go.Figure(charts.go.Bar(x=[20000], y=["a"])), "titre")
    template = fig.layout.template.layout
    assert template.separators == ",\u202f"
    assert template.xaxis.exponentformat == "none" and template.yaxis.exponentformat == "none"
    assert template.xaxis.separatethousands and template.yaxis.separatethousands


def _lightness(colour: str) -> float:
    """CIE L* of an sRGB colour: how light it prints in grey."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * (y ** (1 / 3) if y > 0.008856 else 7.787 * y + 16 / 116) - 16


@pytest.mark.parametrize("palette", [charts.GREY_SAFE, list(levels.LEVEL_COLOURS.values())],
                         ids=["grey-safe", "levels"])
def test_palettes_stay_distinct_in_grey(palette):
    light = sorted(_lightness(c) for c in palette)
    assert len(set(palette)) == len(palette)
    assert min(b - a for a, b in zip(light, light[1:])) >= 10, light


def _print_figures() -> dict[str, dict]:
    folder = output.PRINT_FIGURES
    found = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
    charts_in_site = set()
    for page in (HTML / "notebooks").glob("*.html"):
        charts_in_site |= set(re.findall(r'class="rtes-chart" id="([\w-]+)-wrapper"',
                                         page.read_text(encoding="utf-8")))
    assert charts_in_site and charts_in_site <= set(found), (
        f"print figures missing from {folder} (rebuild with `make clean book`): "
        f"{sorted(charts_in_site - set(found))}")
    # a chart taller than a page prints as several (rtes_edition.charts.labelled_bars)
    return {k: found[k] for k in sorted(found)
            if k.split(output.PRINT_PAGE_SUFFIX)[0] in charts_in_site}


def test_a_chart_taller_than_a_page_prints_as_pages_on_the_same_axis(figures):
    rows = figures[figures["category"] == "structures"]
    rows = rows[rows["unit"] == "structures"].assign(t=lambda r: r["territory"].fillna("?"))
    fig = charts.grouped_log_bars(rows, "t", sorted(rows["t"].unique()), "Combien ?")
    assert fig.layout.height > output.PNG_MAX_HEIGHT
    pages = fig._rtes_print_pages
    assert len(pages) >= 2 and all(p.layout.height <= output.PNG_MAX_HEIGHT for p in pages)
    shown = [x for p in pages for t in p.data if t.type == "bar" for x in t.x]
    assert sorted(shown) == sorted(rows["value"])  # every row once, none dropped
    assert len({tuple(p.layout.xaxis.range) for p in pages}) == 1
    assert [p.layout.title.text for p in pages][-1].endswith(f"({len(pages)}/{len(pages)})")


def _font_sizes(node, inherited=None):
    """Every font size a figure sets (its JSON), with where."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("font", "textfont", "tickfont", "insidetextfont", "outsidetextfont") \
                    and isinstance(value, dict) and isinstance(value.get("size"), (int, float)):
                yield value["size"]
            yield from _font_sizes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _font_sizes(value)


def test_print_images_text_is_at_least_7_points_on_a_16_cm_figure(html_dir):
    for chart_id, figure in _print_figures().items():
        smallest = min(_font_sizes(figure))
        points = smallest * output.PRINT_WIDTH_CM / output.PNG_WIDTH / 2.54 * 72
        assert points >= 7, f"{chart_id}: {smallest} px text prints at {points:.1f} pt"


# ------------------------------------------------------------------ no text over another

COLLECT = """() => {
  function shown(el) {
    for (let e = el; e && e.nodeType === 1; e = e.parentNode) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) return false;
      if (e.classList && e.classList.contains('hoverlayer')) return false;
    }
    return true;
  }
  return [...document.querySelectorAll('.rtes-chart .plotly-graph-div')].map(gd => {
    const chart = gd.getBoundingClientRect();
    const texts = [];
    gd.querySelectorAll('svg text').forEach(t => {
      const text = (t.textContent || '').trim();
      const r = t.getBoundingClientRect();
      if (!text || !shown(t) || r.width < 0.5 || r.height < 0.5) return;
      texts.push({text, box: [r.left, r.top, r.right, r.bottom],
                  tick: !!t.closest('.xtick, .ytick') || /^(x|y)\\d*tick$/.test(t.getAttribute('class') || '')});
    });
    return {id: gd.id, chart: [chart.left, chart.top, chart.right, chart.bottom], texts};
  });
}"""


def _overlaps(texts, slack=1.0):
    """Pairs of texts whose boxes share more than ``slack`` px each way."""
    pairs = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            (al, at, ar, ab), (bl, bt, br, bb) = a["box"], b["box"]
            if min(ar, br) - max(al, bl) > slack and min(ab, bb) - max(at, bt) > slack:
                pairs.append((a["text"], b["text"]))
    return pairs


def _check(chart, where):
    problems = []
    for a, b in _overlaps(chart["texts"]):
        problems.append(f"{where} {chart['id']}: « {a} » over « {b} »")
    left, top, right, bottom = chart["chart"]
    for t in chart["texts"]:
        if t["tick"] and SI_SUFFIX.search(t["text"]):
            problems.append(f"{where} {chart['id']}: tick « {t['text']} » with an SI suffix")
        if (t["box"][0] < left - 1 or t["box"][2] > right + 1
                or t["box"][1] < top - 1 or t["box"][3] > bottom + 1):
            problems.append(f"{where} {chart['id']}: « {t['text']} » runs out of the chart")
    return problems


def _settled_texts(page, timeout: float = 15.0) -> list[dict]:
    """The charts' texts once they have stopped moving: titles and lists are fitted by
    relayouts just after a chart is drawn, later on a slow machine (two reads a quarter of
    a second apart agree, rather than a fixed wait)."""
    page.wait_for_function("""() => { const g = [...document.querySelectorAll('.rtes-chart .plotly-graph-div')];
        return g.length && g.every(d => d.querySelector('.main-svg')); }""", timeout=30_000)
    deadline, last = time.monotonic() + timeout, None
    while True:
        page.wait_for_timeout(250)
        texts = page.evaluate(COLLECT)
        if texts == last or time.monotonic() > deadline:
            return texts
        last = texts


@pytest.mark.parametrize("size", WIDTHS, ids=[f"{w}px" for w, _ in WIDTHS])
def test_no_chart_text_covers_another_and_no_tick_has_an_si_suffix(browser, site_url, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    problems, counted = [], 0
    try:
        for name in CHART_PAGES:
            page = context.new_page()
            page.goto(f"{site_url}/notebooks/{name}.html", wait_until="networkidle")
            for chart in _settled_texts(page):
                counted += len(chart["texts"])
                problems += _check(chart, f"{name} at {width} px")
            page.close()
    finally:
        context.close()
    assert counted > 100  # the texts were found
    assert problems == [], "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


def test_print_figures_have_no_text_over_another(browser, site_url, html_dir):
    """The figures the PDF's images are made from, drawn by the site's plotly.js at the
    images' width, measured as on the site."""
    page = browser.new_page(viewport={"width": output.PNG_WIDTH, "height": 900})
    problems = []
    try:
        page.goto(f"{site_url}/_static/vendor/")  # the site's origin: its base maps load
        page.set_content('<html><body style="margin:0"></body></html>')
        page.add_script_tag(url=f"{site_url}/_static/vendor/plotly.min.js")
        page.evaluate("(url) => Plotly.setPlotConfig({topojsonURL: url})",
                      f"{site_url}/_static/vendor/topojson/")
        for chart_id, figure in _print_figures().items():
            page.evaluate("""(f) => { document.body.innerHTML =
                '<div class="rtes-chart"><div id="' + f.id + '" class="plotly-graph-div"></div></div>';
                return Plotly.newPlot(f.id, f.figure.data, f.figure.layout,
                                      {width: f.width, height: f.figure.layout.height, staticPlot: true}); }""",
                          {"id": chart_id, "figure": figure, "width": output.PNG_WIDTH})
            for chart in page.evaluate(COLLECT):
                assert len(chart["texts"]) > 2, chart_id
                problems += _check(chart, "print image")
    finally:
        page.close()
    assert problems == [], "\n".join(problems[:40]) + f"\n({len(problems)} in all)"
