"""itables' internals that the explorer's table uses (itables pinned in requirements.txt).

Why no public API does the job: itables' public ``to_html_datatable`` writes, in
itables 2.9, a static preview of the table ahead of the live one (a second copy of every
row, so every row anchor of the « [données] » links twice, with an English notice that
links to itables.org) and a module script that sets the table up as soon as the page is
parsed, from a module file (which a page opened from disk may not import). Its own steps
(``check_table_id``, ``get_itable_arguments``, ``html_table_from_template``, in
``itables.javascript``, outside ``itables.__all__``) make the table without the preview;
its template's script is then changed to set the table up when the page is idle, from a
classic script. tests/test_adapters.py fails, naming itables' version, when one of these
changes.
"""

from __future__ import annotations

from importlib.metadata import version

import pandas as pd


def datatable_html(df: pd.DataFrame, caption: str, table_id: str, options: dict, *, loading: str,
                   source_url: str, source_global: str) -> str:
    """``to_html_datatable(df, caption, table_id=…, **options)`` without its static
    preview, with ``loading`` (escaped HTML) shown until the table is set up, set up once
    the page is idle from the bundle's text at ``source_url`` (a classic script that sets
    ``window.<source_global>``)."""
    from itables import javascript as itables_js

    options = dict(options)
    options["table_id"] = itables_js.check_table_id(table_id, options, df=df)
    dt_args = itables_js.get_itable_arguments(df, caption, **options)
    dt_url = dt_args.pop("dt_url")
    page = itables_js.html_table_from_template(
        table_id=options["table_id"], dt_url=dt_url,
        connected=dt_args.pop("connected"), display_logo_when_loading=False,
        kwargs=dt_args, fallback_html="")
    # itables' placeholder is English and links to its site: ours instead
    start, end = page.find("<tbody>"), page.find("</tbody>")
    if start == -1 or end == -1:
        raise ValueError(f"itables {version('itables')}: its table template has no <tbody> "
                         "placeholder (rtes_edition/itables_adapter.py)")
    page = page[:start] + f"<tbody><tr><td>{loading}</td></tr>" + page[end:]
    return _set_up_when_idle(page, dt_url, source_url, source_global)


def _set_up_when_idle(page: str, dt_url: str, source_url: str, source_global: str) -> str:
    """itables' module script, changed to set the table up once the page has loaded, from
    a classic script.

    As itables writes it, the bundle is imported and DataTables set up as soon as the page
    is parsed: one long task (evaluating the bundle, then measuring every column) that
    held back the drawing of the chart above it (tools/benchmark.py, chart_times). Here
    the bundle is still fetched with the page (preload), but evaluated and the table set
    up after the page's load event, when the browser is idle (the chart was drawn while
    the page was parsed). rtes-explorer.js scrolls to a #donnee-… row once it exists.

    A page opened from disk (file://) may not import a module from a file: the site serves
    the bundle's text inside a classic script (``source_url``, written by
    book/_ext/offline_assets.py), and the page imports it from memory (a blob: address)."""
    imports = f"import {{ ITable, jQuery as $ }} from '{dt_url}';"
    body, end = page.find(imports), page.rfind("</script>")
    if page.count(imports) != 1 or end < body:
        raise ValueError(f"itables {version('itables')}: its table template changed "
                         "(rtes_edition/itables_adapter.py)")
    schedule = f"""    }};
    // the bundle's text, from a classic script that also loads from disk
    const loadSource = () => window.{source_global} ? Promise.resolve() : new Promise((resolve, reject) => {{
        const script = document.createElement("script");
        script.src = '{source_url}';
        script.onload = resolve;
        script.onerror = () => reject(new Error("cannot load " + script.src));
        document.head.appendChild(script);
    }});
    const importBundle = () => {{
        const url = URL.createObjectURL(new Blob([window.{source_global}], {{type: "text/javascript"}}));
        return import(url).finally(() => URL.revokeObjectURL(url));
    }};
    // after the load event, when idle: not while the chart above is being drawn
    const setUp = () => loadSource().then(importBundle).then(setUpTable);
    const whenIdle = () => window.requestIdleCallback
        ? window.requestIdleCallback(setUp, {{timeout: 1000}}) : window.setTimeout(setUp, 0);
    if (document.readyState === "complete") whenIdle();
    else window.addEventListener("load", whenIdle, {{once: true}});
"""
    page = (page[:body] + "const setUpTable = ({ ITable, jQuery: $ }) => {"
            + page[body + len(imports):end] + schedule + page[end:])
    return page.replace('<script type="module">',
                        f'<link rel="preload" href="{source_url}" as="script">\n<script type="module">', 1)
