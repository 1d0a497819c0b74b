"""myst-nb's internals that the book's extensions use (myst-nb pinned in requirements.txt).

Why no public API does the job:
- the execution table (``nb-exec-table``, « Exécution des carnets »): myst-nb 1.4 writes it
  with English headers and values, and has no option for them; the data it is made of
  (each notebook's ``exec_data``) is kept by its ``NbMetadataCollector``, which only
  myst-nb's own code reads. publication.FrenchExecTable turns the directive's node into
  the French table before myst-nb's post-transform would write its own.
- a notebook output's bundle: myst-nb keeps every MIME type of an output in the doctree
  (a container ``nb_element="mime_bundle"``, one child per ``mime_type``) and its
  post-transform ``SelectMimeType`` keeps one per builder (``nb_mime_priority_overrides``,
  the public part). The EPUB needs two of them at once (the chart's print image and the
  data table of its web form): epub.EpubOutputs reads the bundle before the selection.
tests/test_adapters.py fails, naming myst-nb's version, when one of these changes.
"""

from __future__ import annotations

from docutils import nodes
from myst_nb.ext.execution_tables import ExecutionStatsNode, ExecutionStatsPostTransform
from myst_nb.sphinx_ import NbMetadataCollector, SelectMimeType

# the node that the ``nb-exec-table`` directive leaves in the document, for a
# post-transform to turn into the table
EXEC_TABLE_NODE = ExecutionStatsNode
# a post-transform with this priority runs before myst-nb writes its own table
BEFORE_EXEC_TABLE = ExecutionStatsPostTransform.default_priority - 1
# a post-transform with this priority sees every MIME type of each output
BEFORE_MIME_SELECTION = SelectMimeType.default_priority - 1


def executed_notebooks(env) -> dict[str, dict]:
    """docname -> what myst-nb recorded of its execution in this build (``mtime``,
    ``method``, ``runtime``, ``succeeded``, ``error``), for the notebooks it executed or
    took from its cache."""
    return {docname: data["exec_data"]
            for docname, data in NbMetadataCollector.get_doc_data(env).items()
            if data.get("exec_data")}


def mime_bundles(document: nodes.Node):
    """The containers of the notebook outputs that carry several MIME types."""
    return document.findall(lambda n: isinstance(n, nodes.container)
                            and n.get("nb_element") == "mime_bundle")


def bundle_outputs(bundle: nodes.Element) -> dict[str, nodes.Element]:
    """MIME type -> the node of that form of the output."""
    return {child["mime_type"]: child for child in bundle.children if "mime_type" in child}
