"""The mapping language: declarative YAML that turns an export's rows into registry field values.

``load_mapping_document`` reads and schema-checks a mapping file, ``compile_mapping`` checks it
against the registry's fields, and ``RecordMapping.bind`` gives the ``RowMapper`` of one file.
Identifiers leave this stage in clear: the de-identification stage pseudonymises them.
"""

from app.mapping.document import MappingDocument, load_mapping_document, parse_mapping_text
from app.mapping.fields import TargetField
from app.mapping.formats import SourceFormat, format_of_name
from app.mapping.model import ExportMapping, RecordMapping, SourceSpec, compile_mapping
from app.mapping.rows import JoinIndex, RowMapper
from app.mapping.values import ValueProblem

__all__ = [
    "ExportMapping",
    "JoinIndex",
    "MappingDocument",
    "RecordMapping",
    "RowMapper",
    "SourceFormat",
    "SourceSpec",
    "TargetField",
    "ValueProblem",
    "compile_mapping",
    "format_of_name",
    "load_mapping_document",
    "parse_mapping_text",
]
