"""The kinds of entity defnews tags articles with, each a gazetteer file.

A kind is all that differs between companies and weapon systems: where its
file is, what its TOML tables and cue lists are called, which index field
holds its tags. A third kind is a data file and one more :class:`Kind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "data"


@dataclass(frozen=True)
class Kind:
    name: str  # "company": the facet's and the query prefix's name
    table: str  # the TOML array of tables: [[company]]
    field: str  # the index field (and facet column) of its ids
    default_path: Path
    path_env: str  # the environment variable naming another file
    adjacent_cues: str  # [cues] list: words that confirm an ambiguous alias beside it
    strong_cues: str = ""  # [cues] list: words that confirm even a phrase alias
    # A phrase alias ("Ukrainian Defense Industry") beside an adjacent cue is
    # still just a phrase ("defense industry companies"): only a strong cue
    # confirms it. A weapon's two-word name beside its class word is the
    # weapon ("Baba Yaga heavy drones").
    phrase_needs_strong_cue: bool = True
    # Ambiguous Cyrillic aliases match their surface form only: "Південне"
    # the design bureau is not "Південна залізниця". Weapon names inflect
    # ("з Леопардами") and a class word usually stands beside them.
    ambiguous_by_surface: bool = False
    # Positions before and after a mention a cue may stand at: a system's
    # class word often follows its adjectives ("Neptune anti-ship missile",
    # "Puma infantry fighting vehicles"); a company's legal form is adjacent.
    cue_window: tuple[int, int] = (1, 1)
    # An ambiguous name in quotes («Гепардів», «Бобер») is confirmed by any
    # other confirmed entity of the kind in the article (quotes mark product
    # names in Ukrainian; a ballet «Корсар» stands alone).
    quoted_confirmed_by_others: bool = False
    # An unquoted ambiguous name is confirmed by this many other confirmed
    # entities in the article (0: never): "Strykers" in a report that names
    # HIMARS and the M777 is the vehicle.
    bare_confirmed_by_others: int = 0
    # [cues] list of words that show what a passage
    # is about (troops, shelling, екіпаж): its topic score is how many
    # distinct ones it holds. A bare ambiguous name is confirmed by
    #   one other confirmed entity at a score of ``topic_with_other``,
    #   a plural ("Caesars", "the Bradleys") at ``topic_plural``,
    #   nothing else at ``topic_alone`` (0: never),
    # unless it is part of a longer proper name ("Omar Bradley", "Golden
    # State Warriors") or stands for a named sibling ("Leopard 1A5 ... the
    # Leopards").
    topic_cues: str = ""
    topic_window: int = 40  # token positions either side of the name
    topic_with_other: int = 0
    topic_plural: int = 0
    topic_alone: int = 0
    # A count right before an ambiguous name confirms it ("96 Apaches").
    counted_confirms: bool = False
    # Ambiguous names of one class listed together confirm each other
    # ("з «Градів» та «Ураганів»").
    listed_alike_confirm: bool = False


COMPANIES = Kind(
    name="company",
    table="company",
    field="companies",
    default_path=DATA / "companies.toml",
    path_env="DEFNEWS_COMPANIES",
    adjacent_cues="company_words",
    strong_cues="legal_forms",
    ambiguous_by_surface=True,
)

SYSTEMS = Kind(
    name="system",
    table="system",
    field="systems",
    default_path=DATA / "systems.toml",
    path_env="DEFNEWS_SYSTEMS",
    adjacent_cues="class_words",
    phrase_needs_strong_cue=False,
    cue_window=(2, 3),
    quoted_confirmed_by_others=True,
    bare_confirmed_by_others=2,
    topic_cues="war_words",
    topic_with_other=2,
    topic_plural=1,
    topic_alone=4,
    counted_confirms=True,
    listed_alike_confirm=True,
)

KINDS = (COMPANIES, SYSTEMS)
