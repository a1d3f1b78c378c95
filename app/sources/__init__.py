"""Streaming readers of clinic/EHR exports: CSV files and FHIR NDJSON, one row at a time.

Every row keeps its file name and physical line number (header = line 1); problems a reader can see
on its own (bytes that are not UTF-8, a truncated last line, an empty file, a header without rows, a
row with the wrong number of fields) come out as ``Issue``s, never with the offending value.
"""

from app.sources.csv_reader import CsvReader
from app.sources.files import open_source
from app.sources.ndjson_reader import NdjsonReader
from app.sources.rows import SourceFormat, SourceReader, SourceRow
from app.sources.unnest import unnest

__all__ = [
    "CsvReader",
    "NdjsonReader",
    "SourceFormat",
    "SourceReader",
    "SourceRow",
    "open_source",
    "unnest",
]
