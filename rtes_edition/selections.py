"""What each chart shows: the rows of the data tables it selects, so that a chart puts
side by side only quantities that compare (tests/test_charts.py checks each selection)."""

from __future__ import annotations

import pandas as pd

COMBINED = "Les quatre rencontres du 12 septembre ensemble"
"""The row of the attendance chart for the figure that counts the four territorial
meetings together (« près de 400 participants »)."""


class SelectionError(ValueError):
    pass


def combined_attendance(figures: pd.DataFrame) -> pd.DataFrame:
    """The attendance figures of no single meeting: participants counted in persons,
    with no meeting nor organisation (the introduction's « près de 400 » for the four meetings of
    12 September together)."""
    return figures[(figures["category"] == "participation") & (figures["measure"] == "participants")
                   & (figures["unit"] == "personnes") & figures["meeting_id"].isna()
                   & figures["subject_id"].isna()]


def attendance(figures: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """One row per meeting (``meetings`` order: the national day, the four territorial
    meetings, the visio-conference), then one for the four territorial meetings together:
    the figure row that ``meetings.participants_figure_id`` names, as it is, or, where the
    proceedings give no figure, a row whose value is missing (« non indiqué »).

    Columns: those of ``figures`` plus ``rencontre`` (what the row is about)."""
    by_id = figures.set_index("id", drop=False)
    rows = []
    for meeting in meetings.itertuples(index=False):
        where = f"{meeting.name} ({meeting.city})" if isinstance(meeting.city, str) and meeting.city \
            else meeting.name
        figure_id = meeting.participants_figure_id
        if isinstance(figure_id, str) and figure_id:
            if figure_id not in by_id.index:
                raise SelectionError(f"data/meetings.csv, rencontre {meeting.id}, colonne "
                                     f"participants_figure_id : {figure_id} absent de data/figures.csv")
            row = by_id.loc[figure_id].copy()
        else:
            row = pd.Series({column: None for column in figures.columns})
            row["meeting_id"], row["unit"], row["value"] = meeting.id, "personnes", float("nan")
            row["chapter"] = meeting.chapter  # the chart's table leads to the chapter
        row["rencontre"] = where
        rows.append(row)
    combined = combined_attendance(figures)
    if len(combined) > 1:
        raise SelectionError("data/figures.csv : plusieurs chiffres de participants sans rencontre "
                             f"({', '.join(combined['id'])}) ; un seul est attendu pour les quatre "
                             "rencontres ensemble")
    for _, row in combined.iterrows():
        rows.append(pd.concat([row, pd.Series({"rencontre": COMBINED})]))
    out = pd.DataFrame(rows).reset_index(drop=True)
    out["value"] = out["value"].astype(float)
    return out


def counts(figures: pd.DataFrame, category: str) -> pd.DataFrame:
    """The figures of ``category`` that count something: every unit but per cent."""
    return figures[(figures["category"] == category) & (figures["unit"] != "pourcent")]


def shares(figures: pd.DataFrame, category: str) -> pd.DataFrame:
    """The shares in per cent given about ``category``: they do not compare with counts."""
    return figures[(figures["category"] == category) & (figures["unit"] == "pourcent")]


def rtes_membership(figures: pd.DataFrame) -> pd.DataFrame:
    """How many collectivités are members of the RTES, territory by territory."""
    return figures[(figures["measure"] == "adhérents") & (figures["subject_id"] == "rtes")]


def other_participation(figures: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """The participation counts that are not a meeting's attendance: local schemes, the
    public of the initiatives, in whatever unit (not the shares in per cent)."""
    taken = set(attendance(figures, meetings)["id"].dropna())
    participation = figures[figures["category"] == "participation"]
    return participation[(participation["unit"] != "pourcent") & ~participation["id"].isin(taken)]


# The groups of the cooperation network: the introduction and the acknowledgements (the
# national partners) make one, first; then each meeting's chapter, in the meetings' order.
NATIONAL_GROUP = "Introduction et remerciements"
NATIONAL_CHAPTERS = ("introduction", "remerciements")


def chapter_group(chapter: str) -> str:
    """The group of the network a chapter's links belong to: its title (« Rencontre du
    Sud-Est (Grenoble) »)."""
    from rtes_edition import provenance

    if chapter in NATIONAL_CHAPTERS:
        return NATIONAL_GROUP
    return provenance.chapter_title(chapter)


def cooperation_groups(links: pd.DataFrame, meetings: pd.DataFrame) -> tuple[list[str], pd.Series]:
    """The groups of the cooperation network (the national one, then one per meeting
    chapter, in the order of ``meetings``) and the group of each organisation linked: that
    of the chapter citing most of its links (on a tie, the earlier chapter)."""
    order = list(NATIONAL_CHAPTERS) + [c for c in meetings["chapter"].dropna() if c not in NATIONAL_CHAPTERS]
    unknown = sorted(set(links["chapter"]) - set(order))
    if unknown:
        raise SelectionError(f"data/cooperations.csv, colonne chapter : chapitre inattendu {unknown}")
    chapters = [c for c in order if c in set(links["chapter"])]
    groups = list(dict.fromkeys(chapter_group(c) for c in chapters))
    counts: dict[str, dict[str, int]] = {}
    for s, t, chapter in zip(links["source_id"], links["target_id"], links["chapter"]):
        for node in (s, t):
            counts.setdefault(node, {}).setdefault(chapter_group(chapter), 0)
            counts[node][chapter_group(chapter)] += 1
    of_node = {node: max(groups, key=lambda g: (c.get(g, 0), -groups.index(g)))
               for node, c in counts.items()}
    return groups, pd.Series(of_node, name="rencontre").sort_index()
