"""Invented identities: names, national identifiers and postal codes in each country's usual format.

Every value is fake. National identifiers follow the shape (and check digits) of the real schemes
but are marked synthetic where the scheme allows it (Norwegian test numbers add 80 to the month)
and, for the schemes that carry no birth date, are a bijection of the patient's index, hence
unique.
"""

from __future__ import annotations

import random
from datetime import date

# Name parts as text (split on whitespace): female given names | male given names, and family
# name roots | endings (Portuguese: first | second surname).
_GIVEN_TEXT = {
    "nordic": """Ingrid Solveig Marit Sigrid Ragnhild Åshild Tone Hilde Linnea Kjersti Birgitte
        Synnøve Torunn Gunnhild Maren Astrid Gudrid Eirin | Håkon Torstein Eirik Bjørn Sindre
        Øystein Halvard Gaute Rune Steinar Trygve Vegard Arnfinn Kjetil Lars Magnus Ørjan Audun""",
    "german": """Annegret Birgit Charlotte Dörte Elke Franziska Gudrun Hannelore Ilse Jutta Katrin
        Lieselotte Marlene Renate Sabine Ursula Wiebke | Bernd Dietmar Eckhard Friedhelm Günther
        Hartmut Jürgen Klaus Lothar Matthias Norbert Rüdiger Siegfried Thorsten Volker Wolfram""",
    "portuguese": """Beatriz Conceição Fernanda Graça Inês Joana Leonor Margarida Rosário Teresa
        Lurdes Filipa Matilde Catarina Alzira Fátima | Afonso Bernardo Duarte Gonçalo Henrique
        João Rodrigo Sebastião Tiago Vasco Joaquim Martim Simão Rogério Nuno Amândio""",
    "generic": """Adelina Beatrix Celestine Dorotea Evangeline Florentina Genoveva Hermione Isadora
        Juliana Leocadia Marisol Ottilie Rosalind | Anselm Benedikt Casimir Demetrios Eustace
        Fabian Gideon Horatio Ignatius Leopold Mortimer Octavian Peregrine Tiberius""",
}
_FAMILY_TEXT = {
    "nordic": """Bjørk Fjell Grønn Haug Lien Mykle Nord Ramm Sol Storm Tveit Vest Aas Brekke Dahl
        Eike Furu Hage Kvam Lund Skog Strand Tangen Vik Åker Holm Rønning Engel Kløve Sæter |
        bakken berget dalen gård heim hagen land lien lund moen nes rud stad vik øy sæter bø haug
        myr vold""",
    "german": """Ach Bau Brand Eich Feld Fisch Hahn Hart Hof Kirch Kling Linden Mühl Nieder Ober
        Ried Rosen Schön Stein Sonn Wald Weiß Wies Grün Hohen Kalten Alten Neu Lauter Breit |
        bach berger brunner dorfer felder hagen hausen hofer inger kamp mann meier müller reuter
        schmidt stätter thaler wald""",
    "portuguese": """Almeida Barros Carvalho Figueiredo Gonçalves Henriques Loureiro Magalhães
        Nogueira Pinheiro Quintela Rebelo Simões Teixeira Valente Azevedo Brandão Cordeiro Fontes
        Guimarães Meireles | Amaral Baptista Cerqueira Domingues Esteves Falcão Gouveia Lacerda
        Monteiro Negrão Patrício Queirós Sequeira Tavares Vieira""",
    "generic": """Al Bre Cor Dal Em Fen Gar Hol Ist Jor Kel Lom Mar Nor Os Pel Quin Ros Sal Tor Ul
        Ver Wyn Zel | avelle brook dane ferris grove hallow ington kirk lowe mere norton quist
        ridge stead thorne wick worth yard""",
}


def _halves(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    first, second = text.split("|")
    return tuple(first.split()), tuple(second.split())


_GIVEN = {style: _halves(text) for style, text in _GIVEN_TEXT.items()}
_FAMILY_PARTS = {style: _halves(text) for style, text in _FAMILY_TEXT.items()}
_DE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def person_name(rng: random.Random, style: str, sex: str) -> tuple[str, str | None]:
    """Return an invented (family name, given name); the given name is occasionally absent."""
    female, male = _GIVEN[style]
    names = female if sex == "female" or (sex != "male" and rng.random() < 0.5) else male
    given = rng.choice(names) if rng.random() > 0.01 else None
    first, second = _FAMILY_PARTS[style]
    if style == "portuguese":
        return f"{rng.choice(first)} {rng.choice(second)}", given
    family = rng.choice(first) + rng.choice(second)
    if rng.random() < 0.08:
        family = f"{family}-{rng.choice(first)}{rng.choice(second)}"
    return family, given


def postal_code(rng: random.Random, style: str) -> str | None:
    """Return a postal code in the country's format, occasionally absent."""
    if rng.random() < 0.04:
        return None
    if style == "nordic":
        return f"{rng.randint(10, 9990):04d}"
    if style == "german":
        return f"{rng.randint(1067, 99998):05d}"
    if style == "portuguese":
        return f"{rng.randint(1000, 9980)}-{rng.randint(1, 999):03d}"
    return f"{rng.randint(10000, 99999)}"


def national_id(
    rng: random.Random, style: str, *, index: int, salt: int, birth: date, sex: str
) -> str | None:
    """Return a synthetic national identifier, occasionally absent."""
    if rng.random() < 0.02:
        return None
    serial = (index * 48271 + salt) % 100_000_000  # a bijection of the index below 10**8
    if style == "nordic":
        return _norwegian_test_number(birth, sex, serial)
    if style == "german":
        letter = rng.randrange(26)  # KVNR: the letter counts as its two-digit alphabet position
        check = _weighted_digit_sum(f"{letter + 1:02d}{serial:08d}") % 10
        return f"{_DE_LETTERS[letter]}{serial:08d}{check}"
    if style == "portuguese":
        return f"{100_000_000 + serial}"
    body = f"{serial:09d}"
    return body + str((10 - _weighted_digit_sum(body[::-1], start=2) % 10) % 10)


def _weighted_digit_sum(digits: str, start: int = 1) -> int:
    """Sum of digits weighted 1,2,1,2… (or 2,1,…), products reduced to their digit sum."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (start if position % 2 == 0 else 3 - start)
        total += product // 10 + product % 10
    return total


def _norwegian_test_number(birth: date, sex: str, serial: int) -> str | None:
    """An 11-digit fødselsnummer with month + 80 (the synthetic test-number convention)."""
    base = 500 if birth.year >= 2000 else 0
    individual = serial % 500
    for _ in range(500):
        if (individual % 2 == 1) != (sex == "male"):
            individual ^= 1
        digits = [int(c) for c in f"{birth.day:02d}{birth.month + 80}{birth.year % 100:02d}"]
        digits += [int(c) for c in f"{base + individual:03d}"]
        k1 = 11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        k2 = (
            11
            - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), [*digits, k1], strict=True))
            % 11
        )
        k2 = 0 if k2 == 11 else k2
        if k1 < 10 and k2 < 10:
            return "".join(map(str, digits)) + f"{k1}{k2}"
        individual = (individual + 2) % 500
    return None
