"""Question answering over one research paper: grounded answers with citations, or an honest abstention.

from qa import Assistant
assistant = Assistant.load()
answer = assistant.ask("What does Table 1 report for 2024?")
"""

from qa.assistant import Assistant
from qa.errors import QAError
from qa.schema import Answer

__all__ = ["Answer", "Assistant", "QAError"]
