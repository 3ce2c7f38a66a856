"""What is not news is recognised, in both scripts, and news is not mistaken for it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.kinds import (
    JOB,
    LIST,
    MARKET,
    OPINION,
    PAPER,
    PROMOTION,
    REVIEW,
    ROUNDUP,
    SURVEY,
    entry_kind,
    piece_kind,
)
from pipeline.models import Entry


@pytest.mark.parametrize(
    ("title", "summary", "kind"),
    [
        # opinion, essays, features
        ("Waymo's Big Raise Won't Solve Its Hardest Problem", "Robotaxis need trust.", OPINION),
        ("Nvidia's Real Risk Isn't Competition. It's Its Customers", "", OPINION),
        ("The Market Is Wrong About AI Capex", "", OPINION),
        ("Inside the Race to Build Robots That Can Fold Your Laundry", "", OPINION),
        ("观点｜大模型价格战还能打多久", "", OPINION),
        ("深度｜大模型推理成本一年降了多少？我们算了一笔账", "", OPINION),
        ("AI & 安全：大模型“越狱”攻防进入自动化时代", "", OPINION),
        ("具身智能数据荒：UMI采集方案为何成为新宠？", "", OPINION),
        ("豆包大模型2.0技术报告解读：强化学习用量是1.5的10倍", "", OPINION),
        ("对话月之暗面杨植麟：20亿美元之后，Kimi要做最好用的智能体", "", OPINION),
        ("大模型的下一站", "本文梳理了三条技术路线的分歧。", OPINION),
        ("The Robotaxi Boom Is Really About Insurance", "", OPINION),
        (
            "Europe's Compute Gap",
            "Renting GPUs is not a strategy. (Reuters Breakingviews Opinion)",
            OPINION,
        ),  # a column signed as one
        # hands-on reviews
        ("Kimi深度研究智能体实测：一篇行业研报写了20分钟", "", REVIEW),
        ("豆包当上美术馆讲解员", "我们去现场体验了一圈：识别准确。", REVIEW),
        ("I used Gemini as my only assistant for a week", "", REVIEW),
        # event and ticket promotion, job posts
        ("GAIR Live｜具身智能的数据飞轮怎么转起来？报名通道开启", "", PROMOTION),
        ("WAIC 2026早鸟票今日开售", "", PROMOTION),
        ("Last chance to save $300 on TechCrunch Sessions: AI passes", "", PROMOTION),
        ("Deep-dive workshop on artificial intelligence in mobility", "", PROMOTION),
        ("Apply AI Alliance: call for members of the new working groups", "", PROMOTION),
        ("招聘｜机器之心SOTA!模型平台招聘算法工程师", "", JOB),
        ("Anthropic is hiring research engineers in London", "", JOB),
        # gift guides, best-of lists, rankings
        ("The Best AI Note-Taking Apps for Meetings", "", LIST),
        ("The AI startups that raised the most money in January", "", LIST),
        ("2026全球AI独角兽榜单发布：中国企业占四成", "", LIST),
        ("年终盘点：2025年最值得关注的十个大模型", "", LIST),
        ("Everything Nvidia announced at GTC 2026", "", LIST),
        # roundups, surveys, share-price wraps
        ("8点1氪｜xAI并入SpaceX；Waymo完成160亿美元融资；寒武纪扭亏", "", ROUNDUP),
        ("This Week in AI: DeepSeek strikes again", "", ROUNDUP),
        ("A Survey of Agentic Reinforcement Learning for Large Language Models", "", SURVEY),
        ("综述｜视频生成模型的物理一致性", "", SURVEY),
        ("SoftBank Shares Swing as Investors Weigh OpenAI Exposure", "", MARKET),
    ],
)
def test_pieces_that_are_not_news_are_named_by_kind(title: str, summary: str, kind: str) -> None:
    assert piece_kind(title, summary) == kind


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("逐际动力完成2亿美元B轮融资，京东、上汽等产业资本入局", ""),
        ("DeepSeek新模型悄悄上线，网友实测数学能力大涨", "DeepSeek更新开源推理模型。"),
        ("腾讯元宝&微信红包：春节AI红包封面可一句话生成", ""),
        ("OpenAI's Codex App Turns Your Mac Into an AI Coding Workshop", ""),
        ("AI生成春晚节目单？央视回应：部分节目使用AI辅助创作", ""),
        ("千寻智能开源具身模型Spirit v1.5，RobotChallenge榜单超越国际标杆", ""),
        ("Waymo Raises $16 Billion From Alphabet, Others to Expand Service", ""),
        ("Data Act: Commission seeks feedback on draft guidelines", ""),
        ("人民日报：人工智能赋能千行百业", ""),
    ],
)
def test_news_reports_are_news(title: str, summary: str) -> None:
    assert piece_kind(title, summary) is None


def test_a_research_paper_is_research_not_the_days_news() -> None:
    def at(link: str) -> Entry:
        return Entry(
            id="x", feed="f", source="s", region="international", title="PolarMem: A Memory",
            link=link, published_at=datetime(2026, 2, 3, tzinfo=UTC),
        )  # fmt: skip

    assert entry_kind(at("https://arxiv.org/abs/2602.00574")) == PAPER
    assert entry_kind(at("https://www.qbitai.com/2026/02/1.html")) is None
