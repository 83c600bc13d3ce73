"""Named entities: companies and weapon systems, one mechanism.

Each kind is a gazetteer file (data/companies.toml, data/systems.toml) read
into a :class:`Gazetteer`: aliases matched over the index's analysed tokens,
ambiguous aliases confirmed by a second signal, ids stored in a facet column.
"""

from .gazetteer import BLOCKER, Entity, Gazetteer, Mention
from .keys import ending_key, joined_text, slugify
from .kinds import COMPANIES, KINDS, SYSTEMS, Kind
from .loading import default_gazetteer, load

__all__ = [
    "BLOCKER", "COMPANIES", "KINDS", "SYSTEMS", "Entity", "Gazetteer", "Kind", "Mention",
    "default_gazetteer", "ending_key", "joined_text", "load", "slugify",
]  # fmt: skip
