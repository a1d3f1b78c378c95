"""Name normalisation: the spellings registries use for one name collapse to one normal form."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.linkage import normalise_name

# Latin letters registries write, with and without diacritics, the seven spelled-out letters in
# both cases, and the separators found inside names.
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüåéèêëáàâãçíìîïñóòôõúùûýÿčšžřěůśźżćńąęőű" + "ßæœøđłþ"
_SEPARATORS = " -'’."
names = st.text(alphabet=_LETTERS + _LETTERS.upper() + _SEPARATORS, min_size=0, max_size=30)


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("Jørgensen", "jorgensen"),
        ("Jorgensen", "jorgensen"),
        ("JØRGENSEN", "jorgensen"),
        ("Strauß", "strauss"),
        ("STRAUSS", "strauss"),
        ("Müller-Lüdenscheidt", "mullerludenscheidt"),
        ("Æbeltoft", "aebeltoft"),
        ("Œuvray", "oeuvray"),
        ("Đorđević", "dordevic"),
        ("Łukasiewicz", "lukasiewicz"),
        ("Þórsdóttir", "thorsdottir"),
        ("O'Brien", "obrien"),
        ("da Conceição", "daconceicao"),
        ("Anne-Marie 2nd", "annemariend"),
        ("Παπαδόπουλος", "παπαδοπουλος"),
        ("ﬁnn", "finn"),
        ("", ""),
        ("-- 42 --", ""),
    ],
)
def test_normal_form_of_written_names(written: str, normal: str) -> None:
    assert normalise_name(written) == normal


@given(names)
def test_normal_form_is_letters_only_and_idempotent(name: str) -> None:
    normal = normalise_name(name)
    assert all(char.isalpha() for char in normal)
    assert normalise_name(normal) == normal


@given(names)
def test_case_and_unicode_composition_do_not_matter(name: str) -> None:
    normal = normalise_name(name)
    assert normalise_name(name.lower()) == normal
    assert normalise_name(name.upper()) == normal
    assert normalise_name(unicodedata.normalize("NFD", name)) == normal
    assert normalise_name(unicodedata.normalize("NFC", name)) == normal


@given(names, st.data())
def test_diacritics_and_separators_do_not_matter(name: str, data: st.DataObject) -> None:
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)
    )
    cut = data.draw(st.integers(min_value=0, max_value=len(name)))
    separator = data.draw(st.sampled_from(_SEPARATORS))
    assert normalise_name(stripped) == normalise_name(name)
    assert normalise_name(name[:cut] + separator + name[cut:]) == normalise_name(name)


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1), st.text(alphabet="xyz", min_size=1)
)
def test_different_plain_names_stay_different(first: str, suffix: str) -> None:
    assert normalise_name(first) != normalise_name(first + suffix)
