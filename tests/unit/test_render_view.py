"""The one item view: every renderer of /why and the web page say the same labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.models import Mention, ScoreParts
from pipeline.render import (
    render_feishu_why,
    render_markdown_why,
    render_telegram_why,
    render_text_why,
)
from pipeline.render.html import render_page
from pipeline.render.view import LABELS, SCORE_PARTS, why_rows
from tests.factories import make_digest, make_item

OTHER = Mention(
    source="机器之心", feed="jiqizhixin", title="另一篇报道", link="https://www.jiqizhixin.com/a/1"
)


def test_every_why_says_every_label_of_the_view_in_its_order() -> None:
    digest = make_digest()
    item = make_item(also_reported_by=[OTHER], tags=[])
    outputs = {
        "text": render_text_why(digest, item),
        "markdown": render_markdown_why(digest, item),
        "telegram": "\n".join(render_telegram_why(digest, item)),
        "feishu": json.dumps(render_feishu_why(digest, item), ensure_ascii=False),
    }
    labels = [row.label for row in why_rows(digest, item) if row.field != "title"]
    for name, out in outputs.items():
        places = [out.find(f"{label}：") for label in labels]
        assert -1 not in places, (name, labels, places)
        assert places == sorted(places), name  # the view's order
        assert f"{LABELS['tags']}：无" in out, name  # an empty field says 无 everywhere


def test_the_web_page_uses_the_chat_labels_and_names_every_score_part() -> None:
    item = make_item(
        also_reported_by=[OTHER],
        score=ScoreParts(total=0.9, parts={"category": 0.5, "feed": 0.1, "recency": 0.3}),
    )
    digest = make_digest(1, 0)
    digest.sections.domestic[0] = item.model_copy(update={"n": 1})
    page = render_page(digest, [digest.date], None)
    for field in ("category", "reason", "also", "score"):
        assert f"<dt>{LABELS[field]}</dt>" in page
    assert "其他报道" not in page and "<dt>理由</dt>" not in page
    for part in ("category", "feed", "recency"):
        assert f"{SCORE_PARTS[part]} " in page


def test_every_score_part_a_curator_gives_reads_in_chinese_in_why() -> None:
    # The golden day's ~280 judgements hit every kind of signal the heuristic scores;
    # a Chinese reader of /why must never meet an internal name like "relevance".
    golden = Path(__file__).with_name("golden") / "pipeline.json"
    judgements = json.loads(golden.read_text(encoding="utf-8"))["judgements"]
    seen = {name for _, j in judgements for name in j["score"]["parts"]}
    assert {"relevance", "category", "names", "major"} <= seen
    assert seen <= set(SCORE_PARTS), f"no Chinese name for {sorted(seen - set(SCORE_PARTS))}"
    parts = {name: 0.1 for name in sorted(seen)}
    item = make_item(score=ScoreParts(total=0.9, parts=parts))
    digest = make_digest(1, 0)
    digest.sections.domestic[0] = item.model_copy(update={"n": 1})
    text = render_text_why(digest, digest.sections.domestic[0])
    score_line = next(line for line in text.splitlines() if line.startswith(LABELS["score"]))
    assert not re.search(r"[a-z]{3,}", score_line), score_line
