"""The PREM questionnaire and the consent kinds of the registry profile (DESIGN section 12).

``PREM_ITEMS`` is the contract the rest of the path reads: which items exist, the value set of
their answers and, for Likert and yes/no items, the answers that count as *top box*. The node
publishes the questionnaire itself (``prem_questionnaire``) so that clinics can render it.
Plain data, no FHIR library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.profiles.codes import CODE_SYSTEMS, KETANET_CS, KETANET_VS

PREM_QUESTIONNAIRE = "https://ketanet.org/fhir/Questionnaire/prem-ketamine"
PREM_VERSION = "1"
PREM_CANONICAL = f"{PREM_QUESTIONNAIRE}|{PREM_VERSION}"

LIKERT = ("1", "2", "3", "4", "5")
CONTINUE = ("yes", "no", "unsure")
NONE = "none"
TOP_BOX = frozenset({"4", "5", "yes"})
CONSENT_KINDS = tuple(CODE_SYSTEMS["consent-kind"][1])


@dataclass(frozen=True, slots=True)
class PremItem:
    """One PREM item: its question, the value set of its answers and those answers."""

    code: str
    text: str
    answer_value_set: str
    answers: tuple[str, ...]

    @property
    def has_top_box(self) -> bool:
        """Return True for Likert and yes/no items (coded items have no top box)."""
        return bool(TOP_BOX.intersection(self.answers))


def _coded(system: str) -> tuple[str, ...]:
    return (*CODE_SYSTEMS[system][1], NONE)


_LIKERT_ITEMS = (
    ("expectations-met", "How far did the treatment meet your expectations?", "prem-extent"),
    ("informed-benefits", "I was told enough about the possible benefits.", "prem-agreement"),
    (
        "informed-side-effects",
        "I was told enough about the possible side effects.",
        "prem-agreement",
    ),
    (
        "informed-alternatives",
        "I was told about the other licensed treatments I could have had.",
        "prem-agreement",
    ),
    (
        "experience-acceptable",
        "The experience of the treatment sessions was acceptable to me.",
        "prem-agreement",
    ),
    ("felt-safe", "I felt safe during and after the treatment sessions.", "prem-agreement"),
    ("side-effect-burden", "How much did side effects bother you?", "prem-extent"),
)

PREM_ITEMS: dict[str, PremItem] = {
    **{code: PremItem(code, text, vs, LIKERT) for code, text, vs in _LIKERT_ITEMS},
    "would-continue": PremItem(
        "would-continue",
        "Would you continue this treatment, or choose it again?",
        "prem-would-continue",
        CONTINUE,
    ),
    "most-troubling-effect": PremItem(
        "most-troubling-effect",
        "Which side effect troubled you most?",
        "prem-troubling-effect",
        _coded("adverse-event"),
    ),
    "reason-considered-stopping": PremItem(
        "reason-considered-stopping",
        "If you ever considered stopping, what was the main reason?",
        "prem-stopping-reason",
        _coded("discontinuation-reason"),
    ),
}
"""The ten PREM items in questionnaire order."""

ANSWER_DISPLAYS = {
    "prem-extent": ("Not at all", "A little", "Somewhat", "Mostly", "Completely / very much"),
    "prem-agreement": ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"),
}


def answer_rule(item: str, answer: str) -> str | None:
    """Return the broken rule when ``answer`` is outside ``item``'s value set, else ``None``."""
    definition = PREM_ITEMS.get(item)
    if definition is None or answer in definition.answers:
        return None
    return f"answer not in value set {definition.answer_value_set} of this item"


def answer_system(answer: str) -> str:
    """Return the KetaNet code system of a PREM answer code."""
    for system in ("adverse-event", "discontinuation-reason"):
        if answer in CODE_SYSTEMS[system][1]:
            return system
    return "prem-answer"


def prem_questionnaire() -> dict[str, Any]:
    """Return the PREM ``Questionnaire`` (R4) the node publishes, with answer value sets bound."""
    items = [
        {
            "linkId": item.code,
            "code": [{"system": KETANET_CS + "prem-item", "code": item.code}],
            "text": item.text,
            "type": "choice",
            "required": False,
            "repeats": False,
            "answerValueSet": KETANET_VS + item.answer_value_set,
        }
        for item in PREM_ITEMS.values()
    ]
    return {
        "resourceType": "Questionnaire",
        "id": "prem-ketamine",
        "url": PREM_QUESTIONNAIRE,
        "version": PREM_VERSION,
        "name": "KetaNetPremKetamine",
        "title": "KetaNet patient-reported experience of ketamine treatment",
        "status": "active",
        "publisher": "KetaNet",
        "subjectType": ["Patient"],
        "description": (
            "Ten items on expectations, information, experience, safety, side effects and "
            "continuation. Likert answers 1..5 (5 = completely / strongly agree / very much)."
        ),
        "item": items,
    }
