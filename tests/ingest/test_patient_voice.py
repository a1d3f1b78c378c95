"""PREM answers and consent records at ingest: stored from both built-in mappings, and bad ones
refused with a located rule that never quotes the value, leaving the store unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from app.errors import InputError
from app.package_data import data_path
from app.store import create_store_engine, upgrade_schema
from app.store.models import ConsentRecord, ExperienceRecord
from tests.ingest.support import (
    database_files,
    ingest,
    run_cli,
    write_csv,
    write_tiny_export,
)

EXAMPLES = data_path("mappings/examples")
ANSWERS = [
    {"response_id": "QX-1", "patient_id": "PX-0001", "completed_at": "2024-04-01T12:00:00Z",
     "item": "expectations-met", "answer": "4"},
    {"response_id": "QX-1", "patient_id": "PX-0001", "completed_at": "2024-04-01T12:00:00Z",
     "item": "would-continue", "answer": "unsure"},
    {"response_id": "QX-2", "patient_id": "PX-0002", "completed_at": "2024-04-02T12:00:00Z",
     "item": "most-troubling-effect", "answer": "none"},
]  # fmt: skip
CONSENTS = [
    {"consent_id": "CX-1", "patient_id": "PX-0001", "recorded_at": "2024-02-20", "kind": "written-consent"},
    {"consent_id": "CX-2", "patient_id": "PX-0002", "recorded_at": "2024-03-01", "kind": "information-sheet"},
]  # fmt: skip


def voice_export(
    folder: Path, answers: list[dict[str, str]], consents: list[dict[str, str]]
) -> Path:
    """Write the tiny export with an experience and a consents file."""
    write_tiny_export(folder)
    write_csv(folder / "experience.csv", answers, columns=list(ANSWERS[0]))
    write_csv(folder / "consents.csv", consents, columns=list(CONSENTS[0]))
    return folder


def refused(node_config: Path, export: Path, expected: str, hidden: str) -> None:
    """Ingest a good export, then ``export``: assert refusal, the located rule, no value, no change."""
    good = voice_export(node_config.parent / "good", ANSWERS, CONSENTS)
    assert run_cli("ingest", "--config", node_config, good).exit_code == 0
    database = node_config.parent / "node.db"
    before = database_files(database)
    result = run_cli("ingest", "--config", node_config, export)
    assert result.exit_code == InputError.exit_code, result.output
    assert expected in result.stderr.splitlines(), result.stderr
    assert hidden not in result.stdout + result.stderr
    assert database_files(database) == before


def test_answers_and_consents_stored_once_and_reingest_changes_nothing(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade_schema(engine)
    export = voice_export(tmp_path / "export", ANSWERS, CONSENTS)
    ingest(engine, export)
    ingest(engine, export)
    with engine.connect() as connection:
        answers = connection.execute(select(ExperienceRecord.__table__)).mappings().all()  # type: ignore[attr-defined]
        consents = connection.execute(select(func.count()).select_from(ConsentRecord)).scalar()
    engine.dispose()
    assert len(answers) == 3 and consents == 2
    assert {row["item"]: row["answer"] for row in answers}["would-continue"] == "unsure"
    # The response id is pseudonymised: two rows of one response share it, the source id is gone.
    assert len({row["response_id"] for row in answers}) == 2
    assert not {"QX-1", "QX-2"} & {row["response_id"] for row in answers}


def test_unknown_item_refused(tmp_path: Path, node_config: Path) -> None:
    answers = [*ANSWERS[:2], {**ANSWERS[2], "item": "favourite-colour"}]
    export = voice_export(tmp_path / "bad", answers, CONSENTS)
    expected = "experience.csv:4:item: code not in value set prem-item"
    refused(node_config, export, expected, "favourite-colour")


def test_answer_outside_the_items_value_set_refused(tmp_path: Path, node_config: Path) -> None:
    # "yes" is a valid answer to would-continue, not to a Likert item.
    answers = [{**ANSWERS[0], "answer": "yes"}, *ANSWERS[1:]]
    export = voice_export(tmp_path / "bad", answers, CONSENTS)
    expected = "experience.csv:2:answer: answer not in value set prem-extent of this item"
    refused(node_config, export, expected, "yes")


def test_response_for_unknown_patient_refused(tmp_path: Path, node_config: Path) -> None:
    answers = [*ANSWERS[:2], {**ANSWERS[2], "patient_id": "PX-9999"}]
    export = voice_export(tmp_path / "bad", answers, CONSENTS)
    refused(
        node_config, export, "experience.csv:4:patient_id: unknown patient reference", "PX-9999"
    )


def test_consent_for_unknown_patient_or_kind_refused(tmp_path: Path, node_config: Path) -> None:
    consents = [{**CONSENTS[0], "patient_id": "PX-7777"}, {**CONSENTS[1], "kind": "verbal-ok"}]
    export = voice_export(tmp_path / "bad", ANSWERS, consents)
    refused(node_config, export, "consents.csv:2:patient_id: unknown patient reference", "PX-7777")
    result = run_cli("ingest", "--config", node_config, export)
    assert "consents.csv:3:kind: code not in value set consent-kind" in result.stderr


def test_bulk_questionnaire_response_with_bad_answer_is_located(tmp_path: Path) -> None:
    export = tmp_path / "bulk"
    shutil.copytree(EXAMPLES / "fhir-r4-bulk", export)
    lines = (export / "QuestionnaireResponse.ndjson").read_text("utf-8").splitlines()
    response = json.loads(lines[1])
    response["item"][0]["answer"][0]["valueCoding"]["code"] = "7"
    lines[1] = json.dumps(response)
    (export / "QuestionnaireResponse.ndjson").write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli("check", export)
    assert result.exit_code == InputError.exit_code
    expected = (
        "QuestionnaireResponse.ndjson:2:item.answer.valueCoding.code: "
        "answer not in value set prem-extent of this item"
    )
    assert expected in result.stderr.splitlines(), result.stderr


def test_example_exports_store_the_same_answers_and_consents(tmp_path: Path) -> None:
    stored = []
    for example in ("reference-csv", "fhir-r4-bulk"):
        engine = create_store_engine(f"sqlite:///{tmp_path / example}.db")
        upgrade_schema(engine)
        ingest(engine, EXAMPLES / example)
        with engine.connect() as connection:
            answers = connection.execute(
                select(ExperienceRecord.id, ExperienceRecord.item, ExperienceRecord.answer)  # type: ignore[call-overload]
            ).all()
            consents = connection.execute(select(ConsentRecord.id, ConsentRecord.kind)).all()  # type: ignore[call-overload]
        engine.dispose()
        stored.append((sorted(answers), sorted(consents)))
    assert stored[0] == stored[1]
    assert len(stored[0][0]) == 6 and len(stored[0][1]) == 4
