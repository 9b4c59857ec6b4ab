"""Parsing: clean Markdown paper -> :class:`qa.schema.Document` (sections, sentences, tables, values)."""

from qa.parsing.markdown import load_document, parse_document
from qa.parsing.tables import table_values

__all__ = ["load_document", "parse_document", "table_values"]
