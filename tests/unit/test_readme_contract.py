"""The README is the contract users get: nothing in the repository points at a file it lacks."""

from __future__ import annotations

import re

from tests.conftest import ROOT

SOURCES = ["config.yaml", "deploy/config.docker.yaml", "README.md"]


def shipped_texts() -> dict[str, str]:
    files = [ROOT / p for p in SOURCES]
    files += sorted((ROOT / "pipeline").rglob("*.py")) + sorted((ROOT / "bot").rglob("*.py"))
    return {str(f.relative_to(ROOT)): f.read_text(encoding="utf-8") for f in files}


def test_no_shipped_file_points_at_a_contract_file_that_is_not_there() -> None:
    pointing = [name for name, text in shipped_texts().items() if "CONTRACT.md" in text]
    assert pointing == [], "point at README.md instead (the README is the contract)"


def test_the_readme_documents_what_users_rely_on() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section in ("## Commands", "## Chat commands", "## Configuration", "## The digest JSON"):
        assert section in readme
    for field in ('"also_reported_by"', '"raw_count"', '"curator"', "keep_digests_days"):
        assert field in readme, field
    for variable in re.findall(r"\b[A-Z][A-Z_]{5,}\b", (ROOT / ".env.example").read_text()):
        if variable.startswith(("OPENAI", "TELEGRAM", "FEISHU", "REDIS", "AIDAILY_HTTP")):
            assert variable in readme, variable
