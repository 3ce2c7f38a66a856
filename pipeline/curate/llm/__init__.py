"""The LLM curator: an editor model behind the Curator protocol, with trust rules in code.

curator.py   orchestration: cache, same-story groups, batches, deadline, fallbacks
trust.py     the rules applied to every answer (pure, unit-tested without I/O)
client.py    openai calls, request and token counting, budget, errors as one line
prompt.py    what is sent and what is accepted back: prompts, bounded schemas
articles.py  the article text behind the top candidates (fetched, extracted, cached)
"""

from pipeline.curate.llm.client import cost_line
from pipeline.curate.llm.curator import LLMCurator, check

__all__ = ["LLMCurator", "check", "cost_line"]
