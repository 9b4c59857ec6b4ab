"""Question answering over research papers: grounded answers with citations, or an honest abstention.

from qa import Assistant, Library
assistant = Assistant.load()                      # the default paper
answer = assistant.ask("What does Table 1 report for 2024?")
library = Library.open()                          # every paper in corpus/library.json
paper_id = library.add("path/to/paper.md")
answer = library.ask("What does Table 1 report?", paper=None)   # all papers; citations name theirs
"""

from qa.assistant import Assistant
from qa.errors import QAError
from qa.library import Library
from qa.schema import Answer

__all__ = ["Answer", "Assistant", "Library", "QAError"]
