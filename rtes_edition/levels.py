"""Level of public action a figure belongs to, from the type of its subject organisation.

The data say who a figure is about (``figures.subject_id`` -> ``organisations.type``);
this module turns that type into the levels the book compares: État and national bodies,
région, département, intercommunalité, commune, initiative. A figure with no subject
keeps its own level (« Organisation non précisée ») instead of being dropped.
"""

from __future__ import annotations

import pandas as pd

from rtes_edition.charts import GREY_SAFE

NATIONAL = "État et organismes nationaux"
INITIATIVE = "Initiative"
UNKNOWN = "Organisation non précisée"

LEVELS = [NATIONAL, "Région", "Département", "Intercommunalité", "Commune", INITIATIVE, UNKNOWN]
"""Display order, from the widest territory to the single initiative."""

LEVEL_COLOURS = dict(zip(LEVELS, [GREY_SAFE[i] for i in (0, 1, 2, 3, 5, 4, 6)]))
"""The book's palette (hues apart, and lightnesses apart in grey) in the order of the
levels, the commune's yellow and the initiative's orange exchanged."""

_BY_TYPE = {
    "État": NATIONAL,
    "région": "Région",
    "département": "Département",
    "intercommunalité": "Intercommunalité",
    "commune": "Commune",
}


def level_of_organisation(org_type: str, territory: str | float) -> str:
    """A network is national when its territory is France (ARF, RTES…); any other
    organisation that is not a public authority is an initiative."""
    if org_type in _BY_TYPE:
        return _BY_TYPE[org_type]
    if org_type == "réseau" and territory == "France":
        return NATIONAL
    if isinstance(org_type, str) and org_type:
        return INITIATIVE
    return UNKNOWN


def organisation_levels(organisations: pd.DataFrame) -> pd.Series:
    """Level of each organisation, indexed by organisation id."""
    return pd.Series(
        [level_of_organisation(t, terr) for t, terr in zip(organisations["type"], organisations["territory"])],
        index=organisations["id"], name="niveau")


def with_levels(figures: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """``figures`` plus ``niveau`` (a level of :data:`LEVELS`) and ``organisation`` (name)."""
    levels = organisation_levels(organisations)
    names = organisations.set_index("id")["name"]
    out = figures.copy()
    out["niveau"] = out["subject_id"].map(levels).fillna(UNKNOWN)
    out["organisation"] = out["subject_id"].map(names)
    out["niveau"] = pd.Categorical(out["niveau"], categories=LEVELS, ordered=True)
    return out
