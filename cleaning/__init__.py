"""newsclean's library: pure functions over one Document type, usable without Prefect."""

from .clean import (
    CleanResult,
    clean_document,
    clean_text,
    explain_document,
    explain_removals,
    removal_counts,
    trailer_marker_patterns,
)
from .config import ConfigError, default_config, load_config
from .document import Document, Duplicate, Rejection, Removal, rebuild_original
from .extract import document_from_text, extract_item
from .ingest import InputError, RawItem, iter_inputs

__all__ = [
    "CleanResult",
    "ConfigError",
    "Document",
    "Duplicate",
    "InputError",
    "RawItem",
    "Rejection",
    "Removal",
    "clean_document",
    "clean_text",
    "default_config",
    "explain_document",
    "explain_removals",
    "removal_counts",
    "trailer_marker_patterns",
    "document_from_text",
    "extract_item",
    "iter_inputs",
    "load_config",
    "rebuild_original",
]
