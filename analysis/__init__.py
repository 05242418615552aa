"""Code analysis for changes: changed functions, test focus and failure slices.

Tree-sitter grammars come from the per-language wheels; nothing is fetched at run time.
This package never imports Textual, AutoGen or the packages above it.
"""

from analysis.changes import changed_functions_for_diff, compare_versions
from analysis.definitions import extract_definitions
from analysis.failures import FailedTest, ParsedTestOutput, failure_slices, parse_junit_xml
from analysis.focus import focus_tests
from analysis.git_changes import (
    AnalysisError,
    ChangeReport,
    FileNote,
    analyse_revisions,
    changed_functions_between,
)
from analysis.languages import LANGUAGES, language_for_path
from analysis.model import Definition, Extraction, FunctionChange

__all__ = [
    "LANGUAGES",
    "AnalysisError",
    "ChangeReport",
    "Definition",
    "Extraction",
    "FailedTest",
    "FileNote",
    "FunctionChange",
    "ParsedTestOutput",
    "analyse_revisions",
    "changed_functions_between",
    "changed_functions_for_diff",
    "compare_versions",
    "extract_definitions",
    "failure_slices",
    "focus_tests",
    "language_for_path",
    "parse_junit_xml",
]
