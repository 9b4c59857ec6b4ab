"""Exceptions with messages a person can act on.

Every expected mistake (bad question, missing corpus, stale index, bad question file) raises a subclass of
:class:`QAError`. The CLI prints ``str(error)`` and exits with ``error.exit_code``; the UI shows the
message in the chat. Nothing here should ever surface as a traceback.
"""

from __future__ import annotations


class QAError(Exception):
    """Base class for errors whose message is meant for the user."""

    exit_code = 1


class InvalidQuestionError(QAError, ValueError):
    """The question is empty, too long, or otherwise unusable."""

    exit_code = 2


class CorpusError(QAError):
    """The paper file is missing, unreadable or not in the expected Markdown form."""

    exit_code = 2


class IndexStateError(QAError):
    """The index is missing, stale or damaged and rebuilding was not allowed."""

    exit_code = 3


class InvalidOptionError(QAError, ValueError):
    """An option name (retriever mode, question type, ...) is not one of the valid ones."""

    exit_code = 2


class FeedbackError(QAError):
    """A feedback record could not be stored."""

    exit_code = 1


class BenchmarkDataError(QAError):
    """A benchmark's data folder or file is missing or not in the documented format."""

    exit_code = 2


class ConfigurationError(QAError, ValueError):
    """A setting (a ``QA_*`` environment variable) has a value that cannot be used."""

    exit_code = 2


class ModelError(QAError):
    """The embedding model package is missing or is not a package of model weights."""

    exit_code = 2
