"""Curators: one protocol, two implementations (heuristic.py, llm.py)."""

from pipeline.curate.base import Conclusion, Curator, Verdicts

__all__ = ["Conclusion", "Curator", "Verdicts"]
