"""Reading, validating and loading the files in ``content/``."""

from .loader import LoadSummary, load_content
from .reader import ContentError, Problem, read_content

__all__ = ["ContentError", "LoadSummary", "Problem", "load_content", "read_content"]
