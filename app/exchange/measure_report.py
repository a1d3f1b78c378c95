"""``MeasureAnswer`` ⇄ FHIR R4 ``MeasureReport`` (plain dicts; ``docs/measures.md``, ``docs/disclosure.md``).

One ``group`` per population. Every count that disclosure control touched carries the
``cell-disclosure`` extension (one per reason) on the primitive's ``_count``; a masked count has no
value and the standard ``data-absent-reason`` = ``masked``. The node's policy, its country and
node id, the data time, per-stratifier overlap flags and per-population noise half-widths travel as
KetaNet extensions. ``from_measure_report`` reads a node's report back for the hub and refuses a
malformed one with ``InputError`` (the hub then marks the node ``invalid-report``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, cast, get_args

from app.errors import InputError, Issue
from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer, PopulationResult, Reason
from app.exchange.query import MEASURE_BASE

SD = "https://ketanet.org/fhir/StructureDefinition/"
POLICY_URL = SD + "disclosure-policy"
CELL_URL = SD + "cell-disclosure"
OVERLAP_URL = SD + "strata-overlap"
NOISE_URL = SD + "noise-scale"
NODE_URL = SD + "reporting-node"
DATA_AS_OF_URL = SD + "data-as-of"
DATA_ABSENT_URL = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
POPULATION_SYSTEM = "https://ketanet.org/fhir/CodeSystem/measure-population"
STRATIFIER_SYSTEM = "https://ketanet.org/fhir/CodeSystem/measure-stratifier"
REASONS: frozenset[str] = frozenset(get_args(Reason))


def to_measure_report(answer: MeasureAnswer) -> dict[str, Any]:
    """Return ``answer`` as a FHIR ``MeasureReport`` (type ``summary``), dated ``generated_at``."""
    policy = answer.policy
    extensions: list[dict[str, Any]] = [
        {
            "url": POLICY_URL,
            "extension": [
                {"url": "min-cell", "valueInteger": policy.min_cell},
                {"url": "mask-zero", "valueBoolean": policy.mask_zero},
                {"url": "rounding", "valueInteger": policy.rounding},
                {"url": "epsilon", "valueDecimal": policy.epsilon},
                # Written only when on, so reports of other policies keep their old bytes.
                *(
                    [
                        {"url": "perturbation", "valueCode": policy.perturbation},
                        {"url": "ckm-max", "valueInteger": policy.ckm_max},
                    ]
                    if policy.perturbation != "none"
                    else []
                ),
            ],
        }
    ]
    if answer.node_id is not None:
        extensions.append({"url": NODE_URL, "valueString": answer.node_id})
    if answer.data_as_of is not None:
        extensions.append({"url": DATA_AS_OF_URL, "valueDateTime": answer.data_as_of})
    report: dict[str, Any] = {
        "resourceType": "MeasureReport",
        "extension": extensions,
        "status": "complete",
        "type": "summary",
        "measure": f"{MEASURE_BASE}{answer.measure}|{answer.version}",
    }
    if answer.generated_at is not None:
        # The node's clock set it: the builder reads no clock, so the same answer gives the
        # same bytes (and a report without a time has no ``date``, which FHIR allows).
        report["date"] = answer.generated_at
    report["period"] = {
        "start": answer.period_start.isoformat(),
        "end": answer.period_end.isoformat(),
    }
    if answer.country is not None:
        report["reporter"] = {"display": answer.country}
    report["group"] = [_group(result, answer) for result in answer.populations]
    return report


def _group(result: PopulationResult, answer: MeasureAnswer) -> dict[str, Any]:
    code = _population_code(result.population)
    group: dict[str, Any] = {}
    if result.population in answer.noise_scale:
        group["extension"] = [
            {"url": NOISE_URL, "valueDecimal": answer.noise_scale[result.population]}
        ]
    group["code"] = code
    group["population"] = [{"code": code, **_count(result.total)}]
    if result.strata:
        group["stratifier"] = [
            _stratifier(key, table, code, key in result.overlapping)
            for key, table in result.strata.items()
        ]
    return group


def _stratifier(
    key: str, table: dict[str, Cell], code: dict[str, Any], overlap: bool
) -> dict[str, Any]:
    stratifier: dict[str, Any] = {
        "extension": [{"url": OVERLAP_URL, "valueBoolean": overlap}],
        "code": [{"coding": [{"system": STRATIFIER_SYSTEM, "code": key}], "text": key}],
    }
    if table:
        stratifier["stratum"] = [
            {"value": {"text": value}, "population": [{"code": code, **_count(cell)}]}
            for value, cell in table.items()
        ]
    return stratifier


def _population_code(population: str) -> dict[str, Any]:
    return {"coding": [{"system": POPULATION_SYSTEM, "code": population}], "text": population}


def _count(cell: Cell) -> dict[str, Any]:
    """Return the ``count`` / ``_count`` members of a population entry for ``cell``."""
    members: dict[str, Any] = {}
    extensions = [{"url": CELL_URL, "valueCode": reason} for reason in cell.reasons]
    if cell.count is None:
        extensions.insert(0, {"url": DATA_ABSENT_URL, "valueCode": "masked"})
    else:
        members["count"] = cell.count
    if extensions:
        members["_count"] = {"extension": extensions}
    return members


def from_measure_report(doc: Any) -> MeasureAnswer:
    """Return the answer a node's ``MeasureReport`` holds; raises ``InputError`` when malformed."""
    _check(
        isinstance(doc, dict) and doc.get("resourceType") == "MeasureReport",
        "resourceType",
        "must be a MeasureReport",
    )
    _check(
        doc.get("status") == "complete" and doc.get("type") == "summary",
        "status",
        "must be a complete summary report",
    )
    canonical = doc.get("measure")
    _check(
        isinstance(canonical, str) and canonical.startswith(MEASURE_BASE) and "|" in canonical,
        "measure",
        f"must be {MEASURE_BASE}<id>|<version>",
    )
    measure, _, version = canonical.removeprefix(MEASURE_BASE).partition("|")
    _check(bool(measure) and bool(version), "measure", "measure id and version required")
    period = doc.get("period")
    _check(isinstance(period, dict), "period", "required")
    extensions = _list(doc, "extension", "MeasureReport")
    policy = _policy(_find(extensions, POLICY_URL, "MeasureReport.extension"))
    reporter = doc.get("reporter")
    country = reporter.get("display") if isinstance(reporter, dict) else None
    noise_scale: dict[str, float] = {}
    strata_overlap: dict[str, bool] = {}
    populations = []
    for number, group in enumerate(_list(doc, "group", "MeasureReport")):
        where = f"group[{number}]"
        result, overlap = _population_result(group, where)
        populations.append(result)
        for key, flag in overlap.items():
            strata_overlap[key] = strata_overlap.get(key, False) or flag
        noise = _optional(_list(group, "extension", where), NOISE_URL, "valueDecimal", where)
        if noise is not None:
            _check(_is_number(noise) and noise >= 0, where, "noise scale must be a number >= 0")
            noise_scale[result.population] = float(noise)
    _check(
        len({p.population for p in populations}) == len(populations),
        "group",
        "a population is reported twice",
    )
    generated = doc.get("date")
    return MeasureAnswer(
        measure=measure,
        version=version,
        period_start=_date(period.get("start"), "period.start"),
        period_end=_date(period.get("end"), "period.end"),
        populations=populations,
        policy=policy,
        country=country if isinstance(country, str) else None,
        node_id=_optional(extensions, NODE_URL, "valueString", "MeasureReport"),
        data_as_of=_optional(extensions, DATA_AS_OF_URL, "valueDateTime", "MeasureReport"),
        strata_overlap=strata_overlap,
        noise_scale=noise_scale,
        generated_at=generated if isinstance(generated, str) else None,
    )


def _population_result(group: Any, where: str) -> tuple[PopulationResult, dict[str, bool]]:
    _check(isinstance(group, dict), where, "must be an object")
    entries = _list(group, "population", where)
    _check(len(entries) == 1, f"{where}.population", "exactly one population per group")
    population = _code_of(group.get("code") or entries[0].get("code"), f"{where}.code")
    strata: dict[str, dict[str, Cell]] = {}
    overlap: dict[str, bool] = {}
    for number, stratifier in enumerate(_list(group, "stratifier", where)):
        at = f"{where}.stratifier[{number}]"
        _check(isinstance(stratifier, dict), at, "must be an object")
        codes = _list(stratifier, "code", at)
        _check(len(codes) == 1, f"{at}.code", "exactly one stratifier code")
        key = _code_of(codes[0], f"{at}.code")
        _check(key not in strata, at, "stratifier reported twice in one group")
        flag = _optional(_list(stratifier, "extension", at), OVERLAP_URL, "valueBoolean", at)
        overlap[key] = bool(flag)
        table: dict[str, Cell] = {}
        for index, stratum in enumerate(_list(stratifier, "stratum", at)):
            here = f"{at}.stratum[{index}]"
            _check(isinstance(stratum, dict), here, "must be an object")
            value = stratum.get("value")
            text = value.get("text") if isinstance(value, dict) else None
            _check(isinstance(text, str) and bool(text), f"{here}.value", "text required")
            _check(text not in table, here, "stratum reported twice")
            counts = _list(stratum, "population", here)
            _check(len(counts) == 1, f"{here}.population", "exactly one population per stratum")
            table[cast(str, text)] = _cell(counts[0], f"{here}.population[0]")
        strata[key] = table
    overlapping = frozenset(key for key, flag in overlap.items() if flag)
    return PopulationResult(
        population, _cell(entries[0], f"{where}.population[0]"), strata, overlapping
    ), overlap


def _cell(entry: Any, where: str) -> Cell:
    _check(isinstance(entry, dict), where, "must be an object")
    count = entry.get("count")
    meta = entry.get("_count", {})
    _check(isinstance(meta, dict), f"{where}._count", "must be an object")
    extensions = _list(meta, "extension", f"{where}._count")
    reasons: list[str] = []
    absent = False
    for extension in extensions:
        _check(isinstance(extension, dict), f"{where}._count", "extension must be an object")
        if extension.get("url") == CELL_URL:
            reason = extension.get("valueCode")
            _check(reason in REASONS, f"{where}._count", "unknown cell-disclosure reason")
            reasons.append(reason)
        elif extension.get("url") == DATA_ABSENT_URL:
            absent = extension.get("valueCode") == "masked"
    if count is None:
        _check(absent, where, "a count without value needs data-absent-reason masked")
        _check(bool(reasons), where, "a masked count needs its cell-disclosure reason")
    else:
        _check(not absent, where, "a count with a value cannot be marked absent")
        _check(
            isinstance(count, int) and not isinstance(count, bool) and count >= 0,
            where,
            "count must be a non-negative integer",
        )
    return Cell(count, tuple(cast(list[Reason], reasons)))


def _policy(extension: dict[str, Any]) -> DisclosurePolicy:
    where = "disclosure-policy"
    parts = _list(extension, "extension", where)
    min_cell = _optional(parts, "min-cell", "valueInteger", where)
    mask_zero = _optional(parts, "mask-zero", "valueBoolean", where)
    rounding = _optional(parts, "rounding", "valueInteger", where)
    epsilon = _optional(parts, "epsilon", "valueDecimal", where)
    _check(
        isinstance(min_cell, int) and not isinstance(min_cell, bool) and min_cell >= 1,
        where,
        "min-cell must be a positive integer",
    )
    _check(isinstance(mask_zero, bool), where, "mask-zero must be a boolean")
    _check(
        isinstance(rounding, int) and not isinstance(rounding, bool) and rounding >= 0,
        where,
        "rounding must be an integer >= 0",
    )
    _check(_is_number(epsilon) and epsilon >= 0, where, "epsilon must be a number >= 0")
    perturbation = _optional(parts, "perturbation", "valueCode", where) or "none"
    ckm_max = _optional(parts, "ckm-max", "valueInteger", where) or 0
    _check(perturbation in ("none", "cell-key"), where, "perturbation must be cell-key or none")
    _check(
        isinstance(ckm_max, int)
        and not isinstance(ckm_max, bool)
        and (ckm_max >= 1 if perturbation == "cell-key" else ckm_max == 0),
        where,
        "ckm-max must be an integer >= 1 with cell-key perturbation (and absent without)",
    )
    return DisclosurePolicy(
        min_cell=min_cell,
        mask_zero=mask_zero,
        rounding=rounding,
        epsilon=float(epsilon),
        perturbation=cast(Literal["cell-key", "none"], perturbation),
        ckm_max=ckm_max,
    )


def _code_of(concept: Any, where: str) -> str:
    _check(isinstance(concept, dict), where, "must be a CodeableConcept")
    codings = concept.get("coding") or []
    code = codings[0].get("code") if codings and isinstance(codings[0], dict) else None
    code = code or concept.get("text")
    _check(isinstance(code, str) and bool(code), where, "needs a coding code or text")
    return cast(str, code)


def _list(container: Any, key: str, where: str) -> list[Any]:
    value = container.get(key, []) if isinstance(container, dict) else None
    _check(isinstance(value, list), f"{where}.{key}", "must be a list")
    return cast(list[Any], value)


def _find(extensions: list[Any], url: str, where: str) -> dict[str, Any]:
    found = [e for e in extensions if isinstance(e, dict) and e.get("url") == url]
    _check(len(found) == 1, where, f"exactly one extension {url} required")
    return cast(dict[str, Any], found[0])


def _optional(extensions: list[Any], url: str, kind: str, where: str) -> Any:
    found = [e for e in extensions if isinstance(e, dict) and e.get("url") == url]
    _check(len(found) <= 1, where, f"extension {url} given more than once")
    return found[0].get(kind) if found else None


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _invalid(where, "must be a date YYYY-MM-DD") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(condition: bool, where: str, rule: str) -> None:
    if not condition:
        raise _invalid(where, rule)


def _invalid(where: str, rule: str) -> InputError:
    issue = Issue(
        rule=rule,
        field=f"MeasureReport.{where}".replace("MeasureReport.MeasureReport", "MeasureReport"),
    )
    return InputError(f"invalid MeasureReport: {issue}", issues=[issue])
