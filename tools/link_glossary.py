"""Link the first use of each glossary acronym in each chapter to the glossary.

Editors mark terms by hand with {term}`KEY`; this pass adds the role where a chapter uses
an acronym without any link to it (the first plain occurrence in body text: not in a
heading, a label, a footnote definition, a role, a link or an admonition title).
Run: python tools/link_glossary.py  (idempotent; tests/test_edition.py checks the result).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rtes_edition import toc  # noqa: E402
from rtes_edition.text import glossary_keys, term_pattern  # noqa: E402

SKIP_LINE = re.compile(r"^\s*(#|\(|\[\^|:::|```|:[a-z]+:|%)")


def link_first_uses(markdown: str, keys: list[str]) -> tuple[str, list[str]]:
    lines = markdown.split("\n")
    added = []
    for key in keys:
        if re.search(r"\{term\}`(?:[^`<]*<)?" + re.escape(key) + r">?`", markdown):
            continue
        plain = term_pattern(key)
        for i, line in enumerate(lines):
            if SKIP_LINE.match(line):
                continue
            for m in plain.finditer(line):
                before = line[: m.start()]
                # outside inline code/roles (even backticks) and outside link text/targets
                if before.count("`") % 2 or before.count("[") > before.count("]") \
                        or before.count("(") > before.count(")") and "](" in before:
                    continue
                lines[i] = before + "{term}`" + m.group(0) + "`" + line[m.end():]
                added.append(key)
                break
            else:
                continue
            break
        markdown = "\n".join(lines)
        if key not in added:
            markdown, moved = _index_role_to_term(markdown, key)
            if moved:
                added.append(key)
                lines = markdown.split("\n")
    return markdown, added


def _index_role_to_term(markdown: str, key: str) -> tuple[str, bool]:
    """Where the acronym's only use is the text of an index role ({index}`IDEE <single:
    …>`), the role becomes a glossary link and the index entry moves to an index
    directive just before the paragraph, so that neither link is lost."""
    role = re.compile(r"\{index\}`" + re.escape(key) + r" <([^>`]+)>`")
    match = role.search(markdown)
    if not match:
        return markdown, False
    start = markdown.rfind("\n\n", 0, match.start()) + 2
    if start == 1:
        start = 0
    directive = "```{index} " + match.group(1) + "\n```\n"
    markdown = (markdown[:start] + directive + markdown[start:match.start()]
                + "{term}`" + key + "`" + markdown[match.end():])
    return markdown, True


def main() -> None:
    keys = glossary_keys(ROOT / "book" / "glossaire.md")
    for stem in toc.chapters(ROOT):
        path = ROOT / "book" / f"{stem}.md"
        text, added = link_first_uses(path.read_text(encoding="utf-8"), keys)
        if added:
            path.write_text(text, encoding="utf-8")
            print(f"{stem}: {', '.join(added)}")


if __name__ == "__main__":
    main()
