"""Feed files of our own making for the acceptance checks, and what they should give.

Report date D = 2026-03-10 (Asia/Shanghai, cut-off 08:00, 24 h): the window is
(2026-03-09T08:00+08:00, 2026-03-10T08:00+08:00]. D0 = 2026-03-09 is the day before.
Planted: a duplicate link with different tracking parameters in two feeds, one
story told by two English feeds, HTML in titles, a `<` and `&` in a plain title, a
javascript: link, entries exactly on both window edges, out-of-window entries, a
truncated feed and a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

D = "2026-03-10"
D0 = "2026-03-09"

CN_A = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>国内甲</title><link>https://cn-a.example.com/</link><description>国内甲</description>
<item><title>智谱发布GLM-5大模型，性能对标GPT-5</title>
  <link>https://cn-a.example.com/p/1001?utm_source=rss&amp;utm_medium=feed&amp;id=7</link>
  <description>智谱今日发布新一代GLM-5大模型，推理与代码能力大幅提升，并宣布开源部分权重。</description>
  <pubDate>Mon, 09 Mar 2026 10:00:00 +0800</pubDate></item>
<item><title>&lt;b&gt;月之暗面&lt;/b&gt;完成新一轮融资，估值超百亿美元</title>
  <link>https://cn-a.example.com/p/1002</link>
  <description>&lt;p&gt;月之暗面完成新一轮&lt;strong&gt;融资&lt;/strong&gt;，估值超过100亿美元，Kimi大模型用户快速增长。&lt;/p&gt;</description>
  <pubDate>Mon, 09 Mar 2026 15:00:00 +0800</pubDate></item>
<item><title>百度文心大模型5.0正式发布</title>
  <link>javascript:alert(document.cookie)</link>
  <guid isPermaLink="false">cn-a-1003</guid>
  <description>百度发布文心大模型5.0。</description>
  <pubDate>Mon, 09 Mar 2026 16:00:00 +0800</pubDate></item>
<item><title>字节跳动发布豆包视频生成新模型</title>
  <link>https://cn-a.example.com/p/1004</link>
  <description>字节跳动发布豆包视频生成大模型新版本，AI视频生成质量提升。</description>
  <pubDate>Sun, 08 Mar 2026 12:00:00 +0800</pubDate></item>
<item><title>阿里通义千问开源新一代推理模型</title>
  <link>https://cn-a.example.com/p/1005</link>
  <description>阿里巴巴通义千问开源新一代推理大模型。</description>
  <pubDate>Mon, 09 Mar 2026 08:00:00 +0800</pubDate></item>
<item><title>腾讯混元发布企业级AI智能体平台</title>
  <link>https://cn-a.example.com/p/1006</link>
  <description>腾讯混元大模型发布企业级AI智能体开发平台。</description>
  <pubDate>Tue, 10 Mar 2026 08:00:00 +0800</pubDate></item>
<item><title>华为昇腾新一代AI芯片开始量产</title>
  <link>https://cn-a.example.com/p/1007?spm=a1.b2</link>
  <description>华为昇腾新一代AI芯片开始量产，算力大幅提升。</description>
  <pubDate>Mon, 09 Mar 2026 20:00:00 +0800</pubDate></item>
</channel></rss>
"""

CN_B = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>国内乙</title><id>urn:cn-b</id><updated>2026-03-10T01:00:00Z</updated>
<entry><title>华为昇腾新一代AI芯片开始量产</title><id>urn:cn-b:1</id>
  <link href="https://cn-a.example.com/p/1007?utm_campaign=weekly"/>
  <updated>2026-03-09T13:00:00Z</updated><summary>华为昇腾AI芯片量产。</summary></entry>
<entry><title>商汤科技发布日日新6.0多模态大模型</title><id>urn:cn-b:2</id>
  <link href="https://cn-b.example.com/a/2"/>
  <updated>2026-03-09T05:00:00Z</updated><summary>商汤发布日日新6.0多模态大模型。</summary></entry>
<entry><title>小米发布自研AI大模型MiMo新版本</title><id>urn:cn-b:3</id>
  <link href="https://cn-b.example.com/a/3"/>
  <updated>2026-03-10T01:00:00Z</updated><summary>小米发布MiMo大模型新版本。</summary></entry>
</feed>
"""

EN_A = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Intl Wire</title><link>https://en-a.example.com/</link><description>wire</description>
<item><title>OpenAI launches GPT-6 with new reasoning model</title>
  <link>https://en-a.example.com/2026/03/09/openai-gpt-6?utm_source=twitter&amp;utm_campaign=launch</link>
  <description>OpenAI launched GPT-6, a new reasoning model for developers and ChatGPT users.</description>
  <pubDate>Mon, 09 Mar 2026 14:00:00 GMT</pubDate></item>
<item><title>Anthropic raises $30 billion at a $400 billion valuation</title>
  <link>https://en-a.example.com/2026/03/09/anthropic-funding</link>
  <description>Anthropic raised $30 billion in new funding for its Claude AI models.</description>
  <pubDate>Mon, 09 Mar 2026 03:00:00 GMT</pubDate></item>
<item><title>Nvidia unveils Rubin AI chips at GTC</title>
  <link>https://en-a.example.com/2026/03/07/nvidia-rubin</link>
  <description>Nvidia unveiled Rubin AI chips.</description>
  <pubDate>Sat, 07 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Meta AI model scores &lt;90% on new benchmark &amp; beats rivals</title>
  <link>https://en-a.example.com/2026/03/09/meta-benchmark</link>
  <description>Meta's new AI model scored &lt;90% on a new reasoning benchmark &amp; beat rivals.</description>
  <pubDate>Mon, 09 Mar 2026 18:00:00 GMT</pubDate></item>
<item><title><![CDATA[<em>Google</em> DeepMind unveils Gemini 4 <script>alert('x')</script>]]></title>
  <link>https://en-a.example.com/2026/03/09/gemini-4</link>
  <description>Google DeepMind unveiled Gemini 4, its new AI model.</description>
  <pubDate>Mon, 09 Mar 2026 09:00:00 GMT</pubDate></item>
</channel></rss>
"""

EN_B = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Intl Daily</title><id>urn:en-b</id><updated>2026-03-09T15:30:00Z</updated>
<entry><title>OpenAI launches GPT-6 with a new reasoning model</title><id>urn:en-b:1</id>
  <link href="https://en-b.example.com/news/openai-gpt-6"/>
  <updated>2026-03-09T15:30:00Z</updated>
  <summary>OpenAI launched GPT-6, a new reasoning model, for developers and ChatGPT users.</summary></entry>
<entry><title>EU begins enforcing AI Act rules for general-purpose AI models</title><id>urn:en-b:2</id>
  <link href="https://en-b.example.com/news/eu-ai-act"/>
  <updated>2026-03-09T11:00:00Z</updated><summary>The EU AI Act rules for general-purpose AI models are now enforced.</summary></entry>
<entry><title>Mistral AI releases open-weight Mistral Large 3 model</title><id>urn:en-b:3</id>
  <link href="https://en-b.example.com/news/mistral-large-3"/>
  <updated>2026-03-08T10:00:00Z</updated><summary>Mistral AI released Mistral Large 3 with open weights.</summary></entry>
</feed>
"""

BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>坏的</title>
<item><title>截断的条目"""

UNDATED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>无日期</title><link>https://nd.example.com/</link><description>x</description>
<item><title>月之暗面发布Kimi新一代AI大模型</title><link>https://nd.example.com/kimi</link>
  <description>没有日期的条目。</description></item>
</channel></rss>
"""

FEEDS = {
    "cn_a": ("国内甲", "domestic", CN_A),
    "cn_b": ("国内乙", "domestic", CN_B),
    "en_a": ("Intl Wire", "international", EN_A),
    "en_b": ("Intl Daily", "international", EN_B),
    "broken": ("坏源", "domestic", BROKEN),
}
MISSING = ("missing", "不存在", "international")

# Canonical link -> the feeds that carry it (the only links a digest may contain).
LINKS: dict[str, set[str]] = {
    "https://cn-a.example.com/p/1001?id=7": {"cn_a"},
    "https://cn-a.example.com/p/1002": {"cn_a"},
    "https://cn-a.example.com/p/1004": {"cn_a"},
    "https://cn-a.example.com/p/1005": {"cn_a"},
    "https://cn-a.example.com/p/1006": {"cn_a"},
    "https://cn-a.example.com/p/1007": {"cn_a", "cn_b"},
    "https://cn-b.example.com/a/2": {"cn_b"},
    "https://cn-b.example.com/a/3": {"cn_b"},
    "https://en-a.example.com/2026/03/09/openai-gpt-6": {"en_a"},
    "https://en-a.example.com/2026/03/09/anthropic-funding": {"en_a"},
    "https://en-a.example.com/2026/03/07/nvidia-rubin": {"en_a"},
    "https://en-a.example.com/2026/03/09/meta-benchmark": {"en_a"},
    "https://en-a.example.com/2026/03/09/gemini-4": {"en_a"},
    "https://en-b.example.com/news/openai-gpt-6": {"en_b"},
    "https://en-b.example.com/news/eu-ai-act": {"en_b"},
    "https://en-b.example.com/news/mistral-large-3": {"en_b"},
}
NAMES = {fid: name for fid, (name, _r, _x) in FEEDS.items()}

# In-window entries per feed for D (the javascript: entry has no usable link).
IN_WINDOW_D = {"cn_a": 4, "cn_b": 2, "en_a": 4, "en_b": 2, "broken": 0, "missing": 0}
IN_WINDOW_D0 = {"cn_a": 2, "cn_b": 0, "en_a": 0, "en_b": 1, "broken": 0, "missing": 0}
IN_D = {
    "https://cn-a.example.com/p/1001?id=7",
    "https://cn-a.example.com/p/1002",
    "https://cn-a.example.com/p/1006",
    "https://cn-a.example.com/p/1007",
    "https://cn-b.example.com/a/2",
    "https://en-a.example.com/2026/03/09/anthropic-funding",
    "https://en-a.example.com/2026/03/09/meta-benchmark",
    "https://en-a.example.com/2026/03/09/gemini-4",
    "https://en-b.example.com/news/eu-ai-act",
}
GPT6 = {
    "https://en-a.example.com/2026/03/09/openai-gpt-6",
    "https://en-b.example.com/news/openai-gpt-6",
}
OUT_OF_D = {
    "https://cn-a.example.com/p/1004",
    "https://cn-a.example.com/p/1005",
    "https://cn-b.example.com/a/3",
    "https://en-a.example.com/2026/03/07/nvidia-rubin",
    "https://en-b.example.com/news/mistral-large-3",
}


@dataclass
class World:
    """A folder with the feeds and a config.yaml that reads them."""

    root: Path
    config: Path
    data: dict[str, Any] = field(default_factory=dict)

    def variant(self, name: str, **changes: Any) -> Path:
        """A sibling config with top-level keys changed (feeds stay the same files)."""
        data = {**self.data, **changes}
        path = self.root / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path


def feed_entry(fid: str, name: str, region: str, url: str) -> dict[str, Any]:
    return {"id": fid, "name": name, "url": url, "region": region, "weight": 1.0}


def write_world(root: Path, **overrides: Any) -> World:
    """Write the feeds and a config into `root`; `overrides` replace top-level config keys."""
    feeds_dir = root / "feeds"
    feeds_dir.mkdir(parents=True, exist_ok=True)
    feeds = []
    for fid, (name, region, text) in FEEDS.items():
        path = feeds_dir / f"{fid}.xml"
        path.write_text(text, encoding="utf-8")
        feeds.append(feed_entry(fid, name, region, path.as_uri()))
    fid, name, region = MISSING
    feeds.append(feed_entry(fid, name, region, (feeds_dir / "nope.xml").as_uri()))
    data: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "digest": {
            "time": "08:00",
            "window_hours": 24,
            "domestic": 14,
            "international": 13,
            "brief": 2,
        },
        "fetch": {"timeout_s": 10, "max_bytes": 5000000, "concurrency": 4},
        "feeds": feeds,
        "redis": {"data_dir": str(root / "data")},
        # Our dates are fixed; the clock is not: keep them all, whatever today is.
        "store": {"keep_days": 3650},
        "server": {"host": "127.0.0.1", "port": 8080},
    }
    data.update(overrides)
    world = World(root=root, config=root / "config.yaml", data=data)
    world.config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return world
