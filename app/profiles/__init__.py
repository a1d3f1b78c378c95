"""The registry profile: minimum dataset, codes, validation, and canonical record ⇄ FHIR R4 resources.

Only this package imports ``fhir.resources`` (in ``fhir_models``, for validation); resources are
built as plain dicts so that serving them stays fast.
"""

from app.profiles.codes import VALUE_SETS, in_value_set
from app.profiles.dataset import RECORD_FIELDS, RECORD_KINDS, FieldDef, field_def
from app.profiles.fhir_models import validate_resource
from app.profiles.prem import PREM_ITEMS, prem_questionnaire
from app.profiles.record_resources import RESOURCE_TYPES, fhir_instant, record_to_resource
from app.profiles.structures import conformance_resources, structure_definitions
from app.profiles.terminology import code_systems, value_sets
from app.profiles.validation import RecordValidator, to_store_row

__all__ = [
    "PREM_ITEMS",
    "RECORD_FIELDS",
    "RECORD_KINDS",
    "RESOURCE_TYPES",
    "VALUE_SETS",
    "FieldDef",
    "RecordValidator",
    "code_systems",
    "conformance_resources",
    "fhir_instant",
    "field_def",
    "in_value_set",
    "prem_questionnaire",
    "record_to_resource",
    "structure_definitions",
    "to_store_row",
    "validate_resource",
    "value_sets",
]
