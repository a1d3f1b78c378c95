"""Name normalisation for linkage tokens: one spelling per name, whatever the registry wrote.

Two registries write the same person's name differently: case (``MÜLLER``), diacritics
(``Jørgensen`` / ``Jorgensen``), hyphens and spaces (``Müller-Lüdenscheidt``), ligatures. The
normal form is: lower case; the letters that Unicode decomposition leaves alone replaced by their
usual Latin spelling (``ß``→``ss``, ``æ``→``ae``, ``œ``→``oe``, ``ø``→``o``, ``đ``→``d``, ``ł``→``l``,
``þ``→``th``); Unicode NFKD with the combining marks removed; every character that is not a
letter removed. Letters of other scripts stay letters (``Παπαδόπουλος`` → ``παπαδοπουλος``).
"""

from __future__ import annotations

import unicodedata

_SPELLED_OUT = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th"}
)


def normalise_name(name: str) -> str:
    """Return the linkage normal form of a name part (``""`` when it holds no letter)."""
    spelled = name.lower().translate(_SPELLED_OUT)
    decomposed = unicodedata.normalize("NFKD", spelled)
    # After NFKD a letter is followed by its combining marks (category M*), which are not letters:
    # keeping letters only drops the marks, the digits, the spaces and the punctuation at once.
    return "".join(char for char in decomposed if char.isalpha())
