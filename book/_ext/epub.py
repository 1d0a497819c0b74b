"""The EPUB 3 edition, built by Sphinx's ``epub`` builder from the same doctrees as the site.

What the site shows with JavaScript becomes static in the EPUB:
- a chart (``rtes_edition.output.show``) is its print image (the PDF's PNG) with its text
  alternative as ``alt``, followed by the table of its data (the one folded under the
  live chart on the web);
- the explorer's searchable table is a plain table whose rows carry the anchors that the
  chapters' « [données] » links point to.
Then, in the written pages: no script (the EPUB is not scripted), links between pages of
the book to their ``.xhtml`` names, links to files that only the site holds (PDF, data
downloads) made absolute when the public address is known (``RTES_SITE_URL``), plain text
otherwise; only the files the pages use go into the EPUB. The package document gets the
accessibility metadata of EPUB Accessibility 1.1, the rights and dates of the edition.

Sphinx's EPUB builder has no hook for its contents, its pages before they are packed, nor
its package document: the Sphinx internals that give them are in adapters/sphinx.py
(``RtesEpubBuilder`` subclasses its ``EpubBuilder``); myst-nb's, to read every form of
an output, in adapters/myst_nb.py.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml
from adapters import myst_nb as myst_nb_internals  # book/_ext/adapters
from adapters import sphinx as sphinx_internals
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform

SITE_URL_ENV = "RTES_SITE_URL"
COVER_ENV = "RTES_EPUB_COVER"
CITATION = "CITATION.cff"  # in the book's source folder (Sphinx's srcdir)
# The EPUB theme's stylesheets and the EPUB's own (the site's rtes-figures.css styles the
# live charts and the explorer's widgets, with CSS that EPUB readers and epubcheck reject).
EPUB_STYLESHEETS = {"epub.css", "pygments.css", "rtes-epub.css"}
EXPLORER_TABLE_ID = "explorateur-chiffres"
# rtes_edition/build/site_html.py: the site's form of an output, and a chart's print image
SITE_HTML = "application/vnd.rtes.site+html"
PRINT_PNG = "image/vnd.rtes.print+png"  # rtes_edition.explorer.table_html
ACCESSIBILITY = [
    ("schema:accessMode", "textual"),
    ("schema:accessMode", "visual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityFeature", "longDescription"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "index"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityHazard", "none"),
    ("schema:accessibilitySummary",
     "Livre recomposable, en français, sans animation ni son. Chaque graphique est une "
     "image accompagnée d'une description textuelle (attribut alt) et du tableau de ses "
     "données ; la table des matières, les titres structurés, le glossaire et les index "
     "permettent de naviguer. Les liens « [données] » mènent au tableau de tous les "
     "chiffres cités."),
]


# --- notebook outputs -------------------------------------------------------------------------

def _raw_html(child: nodes.Element | None) -> str:
    return "".join(n.astext() for n in child.findall(nodes.raw)) if child is not None else ""


CHART_TABLE = re.compile(r'<table class="rtes-chart-data">.*?</table>', re.S)


class EpubOutputs(SphinxPostTransform):
    """Static forms of the charts and of the explorer's table, for the EPUB only. Runs
    before myst-nb picks one output per cell (adapters/myst_nb.py)."""

    default_priority = myst_nb_internals.BEFORE_MIME_SELECTION
    builders = ("epub",)

    def run(self, **kwargs):
        chart = None  # the description of the last chart, for its next print pages
        for bundle in list(myst_nb_internals.mime_bundles(self.document)):
            outputs = myst_nb_internals.bundle_outputs(bundle)
            page = _raw_html(outputs.get(SITE_HTML)) + _raw_html(outputs.get("text/html"))
            if PRINT_PNG in outputs and 'class="rtes-chart"' in page:
                chart = outputs["text/plain"].astext().strip() if "text/plain" in outputs else ""
                bundle.replace_self(self._chart(outputs, page, chart))
            elif PRINT_PNG in outputs and chart:
                # a chart taller than a page prints as several images (rtes_edition/output.py)
                bundle.replace_self(self._image(outputs, f"Suite du graphique : {chart}",
                                                "rtes-chart-image-suite"))
            elif f'"{EXPLORER_TABLE_ID}"' in page or f"'{EXPLORER_TABLE_ID}'" in page:
                bundle.replace_self(nodes.raw("", explorer_table(self.env.srcdir), format="html"))

    def _image(self, outputs: dict, alt: str, kind: str) -> nodes.image:
        images = list(outputs[PRINT_PNG].findall(nodes.image))
        if len(images) != 1 or not alt:
            raise ValueError(f"epub: a chart in {self.env.docname} has no image or no description")
        image = images[0].deepcopy()
        image["alt"] = alt
        image["classes"].append(kind)
        return image

    def _chart(self, outputs: dict, page: str, description: str) -> list[nodes.Node]:
        image = self._image(outputs, description, "rtes-chart-image")
        table = CHART_TABLE.search(page)
        return [image] + ([nodes.raw("", labelled(table.group(0)), format="html")] if table else [])


def labelled(table: str) -> str:
    """Each cell labelled with its column's name (``data-label``), which rtes-epub.css
    shows before the cell when a narrow screen lays the rows out one cell under the other."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(table, "html.parser")
    headers = [th.get_text() for th in soup.select("thead th")]
    for row in soup.select("tbody tr"):
        for header, cell in zip(headers, row.find_all("td")):
            cell["data-label"] = header
    return str(soup)


def explorer_table(srcdir) -> str:
    """Every figure of data/figures.csv, one row each, as in the PDF's table."""
    from rtes_edition import explorer, provenance
    from rtes_edition.data import load_package

    tables = load_package(Path(srcdir) / "data" / "datapackage.json")
    figures = tables["figures"]
    rows = explorer.table(figures, tables["meetings"])
    columns = ["identifiant", "valeur citée", "territoire", "phrase des actes", "passage des actes"]
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
    body = []
    for (_, row), chapter, section in zip(rows.iterrows(), figures["chapter"], figures["section"]):
        cells = [f'<td id="{html.escape(provenance.row_anchor(row["identifiant"]))}">'
                 f'{html.escape(row["identifiant"])}</td>']
        cells += [f"<td>{html.escape('' if v != v or v is None else str(v))}</td>"
                  for v in (row["valeur citée"], row["territoire"], row["phrase des actes"])]
        cells.append(f'<td><a href="{html.escape(provenance.passage_url(chapter, section))}">'
                     f'{html.escape(row["passage des actes"])}</a></td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return labelled(f'<table class="rtes-explorer-table" id="{EXPLORER_TABLE_ID}">'
                    f"<caption>Tous les chiffres cités par les actes</caption>"
                    f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


# --- the written pages and the package --------------------------------------------------------

SCRIPT = re.compile(r"<script\b[^>]*?(/>|>.*?</script>)\s*", re.S)
LINK_TAG = re.compile(r'<link\b[^>]*?\shref="(?P<href>[^"]*)"[^>]*>\s*')
PRELOAD = re.compile(r'<link rel="modulepreload"[^>]*>\s*')
ANCHOR = re.compile(r'<a\b(?P<before>[^>]*?)\shref="(?P<href>[^"]*)"(?P<after>[^>]*)>(?P<text>.*?)</a>',
                    re.S)
RESOURCE = re.compile(r'\s(?:src|href)="(?P<url>[^"#?]+)[^"]*"')
CSS_URL = re.compile(r"url\(\s*['\"]?(?P<url>[^'\")#?]+)")


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


def _is_local(url: str) -> bool:
    return not (urlparse(url).scheme or url.startswith(("#", "/", "mailto:", "data:")))


class RtesEpubBuilder(sphinx_internals.EpubBuilder):
    """Sphinx's EPUB 3 builder, with pages fit for an EPUB, contents with the book's
    parts, and a complete package."""

    # Sphinx's are English strings (the nav document's title, the guide's)
    guide_titles = {"toc": "Table des matières", "cover": "Couverture"}

    def contents(self) -> list[dict]:
        """The contents as the book has them in _toc.yml: parts, their chapters, the
        chapters' sections. (Sphinx's own walk of the root document finds the chapters
        only, as ``book/../notebooks/…`` addresses, since the root is in a sub-folder.)"""
        toc = yaml.safe_load((Path(self.srcdir) / self.config.external_toc_path)
                             .read_text(encoding="utf-8"))
        suffix = self.out_suffix

        def title(docname: str) -> str:
            return html.escape(self.env.titles[docname].astext())

        refnodes = []
        for part in toc["parts"]:
            chapters = [chapter["file"] for chapter in part["chapters"]]
            # A part leads to its first chapter, and that chapter to its heading: in
            # reading order, and one spine entry for the file (fragments make none).
            refnodes.append({"level": 1, "refuri": chapters[0] + suffix,
                             "text": html.escape(part["caption"])})
            for index, docname in enumerate(chapters):
                uri = docname + suffix
                if index == 0:
                    uri += "#" + next(self.env.get_doctree(docname).findall(nodes.section))["ids"][0]
                refnodes.append({"level": 2, "refuri": uri, "text": title(docname)})
                for reference in self.env.tocs[docname].findall(nodes.reference):
                    depth = sum(isinstance(a, nodes.bullet_list) for a in _ancestors(reference))
                    if depth == 2 and reference.get("anchorname"):
                        refnodes.append({"level": 3,
                                         "refuri": docname + suffix + reference["anchorname"],
                                         "text": html.escape(reference.astext())})
        return refnodes

    def before_package(self, outdir: Path) -> None:
        pages = sorted(outdir.rglob(f"*{self.out_suffix}"))
        used: set[Path] = set()
        for page in pages:
            text = self._fit_page(page, outdir)
            page.write_text(text, encoding="utf-8")
            used |= self._resources(page, text)
        cover = self.config.epub_cover[0] if self.config.epub_cover else None
        if cover:
            # the PDF's title page, rendered by tools/build_book.py
            source = os.environ.get(COVER_ENV, "")
            if not Path(source).is_file():
                raise ExtensionError(f"epub: no cover image: set {COVER_ENV} to a PNG "
                                     f"(tools/build_book.py renders the PDF's title page)")
            shutil.copyfile(source, outdir / cover)
            used.add((outdir / cover).resolve())
        for css in [p for p in used if p.suffix == ".css" and p.is_file()]:
            used |= {(css.parent / unquote(m["url"])).resolve()
                     for m in CSS_URL.finditer(css.read_text(encoding="utf-8"))
                     if _is_local(m["url"])}
        # Everything Sphinx and the site's extensions copied that no page uses (scripts,
        # base maps, data files, the site's own stylesheets) stays out of the EPUB.
        unused = [p.relative_to(outdir).as_posix() for p in outdir.rglob("*")
                  if p.is_file() and p.suffix != self.out_suffix and p.resolve() not in used]
        # (the cover page of an earlier run too: Sphinx adds it to the spine itself)
        unused.append(self.cover_page_name)
        self.config.epub_exclude_files = sorted(set(self.config.epub_exclude_files) | set(unused))

    def after_package(self, opf: Path, cover_page: Path) -> None:
        cover = self.config.epub_cover[0] if self.config.epub_cover else None
        if cover and cover_page.exists():  # written by Sphinx with the package
            cover_page.write_text(self._fit_page(cover_page, opf.parent), encoding="utf-8")
        self._complete_package(opf, cover)

    def _fit_page(self, page: Path, outdir: Path) -> str:
        text = PRELOAD.sub("", SCRIPT.sub("", page.read_text(encoding="utf-8")))
        # Stylesheets: EPUB_STYLESHEETS; the other extensions' style what the EPUB does not
        # have (buttons, toggles, notebook cells; myst-nb's uses CSS that epubcheck rejects).
        text = LINK_TAG.sub(lambda m: m.group(0) if posixpath.basename(m["href"])
                            in EPUB_STYLESHEETS else "", text)
        site = os.environ.get(SITE_URL_ENV, "").strip()
        site = site + ("" if site.endswith("/") else "/") if site else ""

        def link(match: re.Match) -> str:
            href = html.unescape(match["href"])
            if not _is_local(href):
                return match.group(0)
            path, _, fragment = href.partition("#")
            target = (page.parent / unquote(path)).resolve() if path else page
            if path.endswith(".html") and not target.exists():
                xhtml = target.with_suffix(self.out_suffix)
                if xhtml.exists():  # a link written as HTML (a notebook's output)
                    new = posixpath.splitext(path)[0] + self.out_suffix
                    new += f"#{fragment}" if fragment else ""
                    return (f'<a{match["before"]} href="{html.escape(new)}"{match["after"]}>'
                            f'{match["text"]}</a>')
            in_book = (target.suffix == self.out_suffix
                       or {outdir / "_static", outdir / "_images"} & set(target.parents))
            if target.exists() and in_book:
                return match.group(0)
            # a file of the site, not of the book (the PDF, the data downloads)
            try:
                site_path = target.relative_to(outdir.resolve()).as_posix()
            except ValueError:
                site_path = None
            if site and site_path:
                return (f'<a{match["before"]} href="{html.escape(site + site_path)}"'
                        f'{match["after"]}>{match["text"]}</a>')
            return f'<span class="rtes-site-file">{match["text"]}</span>'

        return ANCHOR.sub(link, text)

    def _resources(self, page: Path, text: str) -> set[Path]:
        return {(page.parent / unquote(m["url"])).resolve() for m in RESOURCE.finditer(text)
                if _is_local(m["url"])}

    def _complete_package(self, opf: Path, cover: str | None) -> None:
        text = opf.read_text(encoding="utf-8")
        extra = [f'    <meta property="{prop}">{html.escape(value)}</meta>'
                 for prop, value in ACCESSIBILITY]
        extra += [f"    <dc:subject>{html.escape(s)}</dc:subject>"
                  for s in self.config.rtes_epub_subjects]
        extra += [f"    <dc:rights>{html.escape(r)}</dc:rights>"
                  for r in self.config.rtes_epub_rights[1:]]
        extra.append(f'    <meta property="dcterms:temporal">{self.config.rtes_epub_temporal}</meta>')
        text = text.replace("  </metadata>", "\n".join(extra) + "\n  </metadata>", 1)
        version, released = edition(self.srcdir)
        text = text.replace('<meta property="ibooks:version"></meta>',
                            f'<meta property="ibooks:version">{html.escape(version)}</meta>')
        # the edition's date (Sphinx writes the build's; dcterms:modified keeps that)
        text = re.sub(r"<dc:date>[^<]*</dc:date>", f"<dc:date>{html.escape(released)}</dc:date>",
                      text, count=1)
        if cover:
            item = f'href="{html.escape(cover)}"'
            if text.count(item) != 1:
                raise ValueError(f"epub: the cover {cover} is not in the manifest once")
            text = re.sub(rf'(<item [^>]*{re.escape(item)}[^>]*?)\s*/>', r'\1 properties="cover-image" />',
                          text, count=1)
        opf.write_text(text, encoding="utf-8")


def _configure(app, config):
    # _config.yml can only give a list; Sphinx checks for its tuple (adapters/sphinx.py)
    config.epub_cover = tuple(config.epub_cover)
    # The first rights statement is Sphinx's dc:rights, the others are added to it.
    if config.rtes_epub_rights:
        config.epub_copyright = config.rtes_epub_rights[0]
    if getattr(config, "rtes_description", ""):
        config.epub_description = config.rtes_description


def edition(srcdir) -> tuple[str, str]:
    """(version, date of release) of the edition, from CITATION.cff, as in the PDF."""
    path = Path(srcdir) / CITATION
    citation = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return str(citation["version"]), str(citation["date-released"])
    except KeyError as exc:
        raise ExtensionError(f"epub: {path} has no {exc}") from exc


def _epub_only(app):
    """Sphinx's EPUB 3 builder wants a version; the site and the PDF show none. Set for
    its check only: the environment that the other builders share is saved without it."""
    if app.builder.name == "epub":
        app.add_css_file("rtes-epub.css")
        app.config.version = edition(app.srcdir)[0]


def _no_version_in_environment(app, env):
    if app.builder.name == "epub":
        app.config.version = ""


def setup(app):
    app.add_config_value("rtes_epub_rights", [], "epub", types=[list])
    app.add_config_value("rtes_epub_subjects", [], "epub", types=[list])
    app.add_config_value("rtes_epub_temporal", "", "epub", types=[str])
    app.add_builder(RtesEpubBuilder, override=True)
    app.add_post_transform(EpubOutputs)
    app.connect("config-inited", _configure, priority=sphinx_internals.BEFORE_CONFIG_CHECK)
    app.connect("builder-inited", _epub_only, priority=sphinx_internals.BEFORE_EPUB_CHECK)
    app.connect("env-updated", _no_version_in_environment)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
