"""The LLM curator: an editor model behind the Curator protocol, with trust rules in code."""

from pipeline.curate.llm.curator import LLMCurator, check, cost_line

__all__ = ["LLMCurator", "check", "cost_line"]
