"""The same data in three layouts ingests to identical records: the reference CSV export, the FHIR
NDJSON export, and a vendor's own CSV layout mapped with a YAML file written here (no Python)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from app.ingest import ingest_export
from app.store import create_store_engine, upgrade_schema
from tests.ingest.support import SECRET

TABLES = (
    "patient",
    "administration",
    "dispense",
    "observation",
    "adverse_event",
    "discontinuation",
)
OSLO = ZoneInfo("Europe/Oslo")

VENDOR_MAPPING = """\
ketanet_mapping: 1
name: helsebit-ehr
description: Helsebit EHR nightly extract (semicolon CSV, local codes, Oslo local time)
timezone: Europe/Oslo
records:
  patient:
    source: {files: "pasienter*.csv", delimiter: ";"}
    fields:
      id: {column: PasientNr, deid: pseudonymise}
      birth_year: {column: Fodt, format: "%d.%m.%Y", deid: year}
      sex: {column: Kjonn, codes: {K: female, M: male, A: other, U: unknown}}
      diagnosis: {column: ICD10}
      failed_trials: {column: MislykkedeForsok}
      substance_use_history: {column: Rus, codes: {J: "yes", N: "no", "?": unknown}}
      psychosis_history: {column: Psykose, codes: {J: "yes", N: "no", "?": unknown}}
  administration:
    source: {files: "doser*.csv", delimiter: ";"}
    where:
      - {column: Status, equals: utfort}
    fields:
      id: {column: DoseNr, deid: pseudonymise}
      patient_id: {column: PasientNr, deid: pseudonymise}
      administered_at:
        column: Dato
        format: "%d.%m.%Y"
        time: {column: Klokke, format: "%H:%M"}
      drug: {column: Legemiddel, codes: {KET: ketamine, ESK: esketamine, ARK: arketamine}}
      route:
        column: Vei
        codes: {IV: iv, IM: im, SC: sc, NESE: intranasal, PO: oral, SL: sublingual}
      dose_mg: {column: Dose, unit: {column: DoseEnhet}}
      weight_kg: {column: VektPund, unit: lb}
      setting:
        column: Sted
        default: clinic
        codes: {POL: clinic, SENG: inpatient, HJEM-T: home-supervised, HJEM: home-unsupervised}
  dispense:
    source: {files: "utleveringer*.csv", delimiter: ";"}
    fields:
      id: {column: UtleveringNr, deid: pseudonymise}
      patient_id: {column: PasientNr, deid: pseudonymise}
      dispensed_at: {column: Dato, format: "%d.%m.%Y", time: {column: Klokke, format: "%H:%M"}}
      drug: {column: Legemiddel, codes: {KET: ketamine, ESK: esketamine, ARK: arketamine}}
      route:
        column: Vei
        codes: {IV: iv, IM: im, SC: sc, NESE: intranasal, PO: oral, SL: sublingual}
      quantity_mg: {column: MengdeGram, unit: g, decimal: ","}
      days_supply: {column: Dager}
  observation:
    source: {files: "maalinger*.csv", delimiter: ";"}
    fields:
      id: {column: MaalingNr, deid: pseudonymise}
      patient_id: {column: PasientNr, deid: pseudonymise}
      observed_at: {column: Tidspunkt}
      code: {column: Skala}
      value: {column: Verdi, decimal: ","}
      unit: {column: Enhet, codes: {mmHg: "mm[Hg]", slag/min: /min, "U/l": U/L}}
  adverse_event:
    source: {files: "bivirkninger*.csv", delimiter: ";"}
    fields:
      id: {column: HendelseNr, deid: pseudonymise}
      patient_id: {column: PasientNr, deid: pseudonymise}
      onset_at: {column: Debut}
      event: {column: Hendelse}
      severity: {column: Grad, codes: {"1": mild, "2": moderate, "3": severe}}
      serious: {column: Alvorlig, codes: {J: "yes", N: "no"}}
      outcome: {column: Utfall}
      administration_id: {column: DoseNr, deid: pseudonymise}
  discontinuation:
    source: {files: "avslutninger*.csv", delimiter: ";"}
    fields:
      patient_id: {column: PasientNr, deid: pseudonymise}
      stopped_at: {column: Avsluttet}
      reason: {column: Grunn}
"""

SEX = {"female": "K", "male": "M", "other": "A", "unknown": "U"}
YES_NO = {"yes": "J", "no": "N", "unknown": "?", "": ""}
DRUG = {"ketamine": "KET", "esketamine": "ESK", "arketamine": "ARK"}
ROUTE = {"iv": "IV", "im": "IM", "sc": "SC", "intranasal": "NESE", "oral": "PO", "sublingual": "SL"}
SETTING = {"clinic": "POL", "inpatient": "SENG", "home-supervised": "HJEM-T"}
SETTING["home-unsupervised"] = "HJEM"
UNIT = {"mm[Hg]": "mmHg", "/min": "slag/min", "U/L": "U/l", "": ""}
SEVERITY = {"mild": "1", "moderate": "2", "severe": "3"}
POUNDS_PER_KG = 1 / 0.45359237


def read(path: Path) -> list[dict[str, str]]:
    """Return the rows of a reference CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, rows: list[dict[str, str]]) -> None:
    """Write a semicolon CSV."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


def local_date_time(instant: str) -> tuple[str, str]:
    """Return an ISO instant as Oslo local date (dd.mm.yyyy) and time (HH:MM)."""
    local = datetime.fromisoformat(instant).astimezone(OSLO)
    return local.strftime("%d.%m.%Y"), local.strftime("%H:%M")


def write_vendor_export(reference: Path, folder: Path) -> None:
    """Rewrite a reference CSV export in the vendor's layout (the same data)."""
    folder.mkdir()
    write(folder / "pasienter_2024.csv", [
        {"PasientNr": p["patient_id"], "Navn": f"{p['given_name']} {p['family_name']}",
         "Fodselsnummer": p["national_id"],
         "Fodt": datetime.fromisoformat(p["birth_date"]).strftime("%d.%m.%Y"),
         "Kjonn": SEX[p["sex"]], "ICD10": p["diagnosis"], "MislykkedeForsok": p["failed_trials"],
         "Rus": YES_NO[p["substance_use_history"]], "Psykose": YES_NO[p["psychosis_history"]]}
        for p in read(reference / "patients.csv")
    ])  # fmt: skip
    doses = []
    for a in read(reference / "administrations.csv"):
        day, clock = local_date_time(a["administered_at"])
        weight = repr(float(a["weight_kg"]) * POUNDS_PER_KG) if a["weight_kg"] else ""
        doses.append(
            {"DoseNr": a["administration_id"], "PasientNr": a["patient_id"], "Dato": day,
             "Klokke": clock, "Legemiddel": DRUG[a["drug"]], "Vei": ROUTE[a["route"]],
             "Dose": repr(float(a["dose_mg"]) / 1000), "DoseEnhet": "g", "VektPund": weight,
             "Sted": SETTING[a["setting"]], "Status": "utfort"}
        )  # fmt: skip
    # A cancelled dose the row filter must leave out.
    doses.append({**doses[0], "DoseNr": "CANCELLED-1", "Status": "avlyst"})
    write(folder / "doser_2024.csv", doses)
    dispenses = []
    for d in read(reference / "dispenses.csv"):
        day, clock = local_date_time(d["dispensed_at"])
        grams = repr(float(d["quantity_mg"]) / 1000).replace(".", ",")
        dispenses.append(
            {"UtleveringNr": d["dispense_id"], "PasientNr": d["patient_id"], "Dato": day,
             "Klokke": clock, "Legemiddel": DRUG[d["drug"]], "Vei": ROUTE[d["route"]],
             "MengdeGram": grams, "Dager": d["days_supply"]}
        )  # fmt: skip
    write(folder / "utleveringer_2024.csv", dispenses)
    write(folder / "maalinger_2024.csv", [
        {"MaalingNr": o["observation_id"], "PasientNr": o["patient_id"],
         "Tidspunkt": o["observed_at"], "Skala": o["code"], "Verdi": o["value"].replace(".", ","),
         "Enhet": UNIT[o["unit"]]}
        for o in read(reference / "observations.csv")
    ])  # fmt: skip
    write(folder / "bivirkninger_2024.csv", [
        {"HendelseNr": e["event_id"], "PasientNr": e["patient_id"], "Debut": e["onset_at"],
         "Hendelse": e["event"], "Grad": SEVERITY[e["severity"]],
         "Alvorlig": YES_NO[e["serious"]], "Utfall": e["outcome"], "DoseNr": e["administration_id"]}
        for e in read(reference / "adverse_events.csv")
    ])  # fmt: skip
    write(folder / "avslutninger_2024.csv", [
        {"PasientNr": s["patient_id"], "Avsluttet": s["stopped_at"], "Grunn": s["reason"]}
        for s in read(reference / "discontinuations.csv")
    ])  # fmt: skip


def stored_records(database: Path, export: Path, mapping: Path | None = None) -> dict[str, list]:
    """Ingest ``export`` into a new database and return every stored row, sorted, per table."""
    engine: Engine = create_store_engine(f"sqlite:///{database}")
    upgrade_schema(engine)
    try:
        ingest_export(engine=engine, paths=[export], secret=SECRET, timezone="UTC", mapping=mapping)
        with engine.connect() as connection:
            return {
                table: sorted(
                    tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))
                )
                for table in TABLES
            }
    finally:
        engine.dispose()


def test_csv_and_fhir_exports_ingest_to_identical_records(
    tmp_path: Path, synth_export: Path
) -> None:
    from_csv = stored_records(tmp_path / "csv.db", synth_export / "csv")
    from_fhir = stored_records(tmp_path / "fhir.db", synth_export / "fhir")
    assert all(from_csv[table] for table in TABLES)
    assert from_csv == from_fhir


def test_vendor_layout_mapped_in_yaml_ingests_to_reference_records(
    tmp_path: Path, synth_export: Path
) -> None:
    vendor = tmp_path / "vendor"
    write_vendor_export(synth_export / "csv", vendor)
    mapping = tmp_path / "helsebit.yaml"
    mapping.write_text(VENDOR_MAPPING, encoding="utf-8")
    reference = stored_records(tmp_path / "reference.db", synth_export / "csv")
    from_vendor = stored_records(tmp_path / "vendor.db", vendor, mapping)
    for table in TABLES:
        assert from_vendor[table] == reference[table], table
