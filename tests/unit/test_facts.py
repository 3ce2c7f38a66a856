"""Facts read from an entry, and the reader's words built only from them."""

from __future__ import annotations

import pytest

from pipeline.facts import FILLER, TOPICS, facts_from, gist_of, lead_in, majors, reason_of, tags_of
from pipeline.text import amounts, amounts_match, money


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("Waymo Raises $16 Billion From Alphabet, Others to Expand Service", "Waymo 融资 160亿美元"),
        ("Anthropic in Talks to Raise Funds at $350 Billion Valuation", "Anthropic 拟融资 估值3500亿美元"),
        ("Oracle Plans to Raise Up to $20 Billion to Fund AI Data Centers", "甲骨文 拟融资 200亿美元"),
        ("AI coding startup Tessellate raises $120M Series B", "Tessellate 融资 1.2亿美元"),
        ("Data Act: Commission seeks feedback on draft guidelines", "欧盟委员会 就数据法案征求意见"),
        ("Elon Musk's SpaceX acquires xAI", "SpaceX 收购xAI"),
        ("Zhipu Soars in Hong Kong Debut as Investors Pile Into AI", "智谱 IPO"),
        ("MiniMax Soars in Hong Kong Debut", "MiniMax IPO"),
        # An investor joining a round did not raise it; a signed deal says with whom.
        ("Google Joins $300 Million Round for London Robotics Startup", "谷歌 参投 3亿美元融资"),
        ("Oracle Signs $30 Billion Cloud Deal With OpenAI", "甲骨文 与OpenAI签约 300亿美元"),
        # A noun "plan" is not a plan to do something; a plant is spending only when built.
        ("Perplexity launches a $20 per month Pro plan for students", "Perplexity 发布"),
        ("Samsung Plans $20 Billion Chip Plant in Texas", "三星 拟投入 200亿美元"),
        ("Figure's robots start shifts at a Mercedes plant", "Figure 推进落地"),
        ("Waymo Starts Driverless Service in Denver", "Waymo 推进落地"),
        # "act" is a law only as one ("the AI Act"), never the verb.
        ("Google is putting Gemini in Chrome so it can act on any page", None),
        ("Commission publishes guidelines on the AI Act", "欧盟委员会 人工智能法案监管新动向"),
        # The name after "Rival"/"Supplier" is the subject; the AI Office is the EU's.
        ("OpenAI Rival Anthropic Raises $5 Billion", "Anthropic 融资 50亿美元"),
        ("Apple Supplier Foxconn Posts Record Revenue on AI Servers", "富士康 公布业绩"),
        ("AI Office opens consultation on general-purpose AI rules", "欧盟AI办公室 征求意见"),
        # A regulator opens an inquiry; a newsroom's "investigation" is not one.
        ("FTC Opens Probe Into Chatbot Makers", "美国FTC 启动调查"),
        ("A Reuters investigation finds chatbots give bad tax advice", None),
        # Too little to say without inventing: no lead-in at all.
        ("A New Lawsuit Says an AI Chatbot Encouraged a Teen's Self-Harm", None),
        ("Inside a quiet week", None),
        ("US Tightens Curbs on AI Chip Sales to China, Closing Loopholes", None),
    ],
)  # fmt: skip
def test_the_chinese_lead_in_says_only_what_the_headline_says(title: str, lead: str | None) -> None:
    assert lead_in(facts_from(title)) == lead


def test_a_deal_without_its_counterpart_gets_no_lead_in() -> None:
    # "UPS has signed a deal…": UPS is no name we know, and "Figure 签约" alone says nothing.
    facts = facts_from(
        "Figure's robots are coming to warehouses",
        "UPS has signed a deal to pilot Figure's humanoid robots.",
    )
    assert facts.event == "签约"
    assert lead_in(facts) is None


@pytest.mark.parametrize(
    ("title", "subject"),
    [
        ("数坤科技冠脉AI获FDA认证", "数坤科技"),  # the company, not its product
        ("某头部具身智能公司启动赴港上市", "某头部具身智能公司"),
        ("小米汽车发布YU9", "小米"),
        ("WAIC 2026现场：黄仁勋发布新一代机器人芯片", "黄仁勋"),  # after a short label
        ("北大系具身智能公司灵初科技完成数亿元融资", "灵初科技"),  # after a description
        # A company named through its owner is not its owner.
        ("百度具身智能公司“小度机器人”完成5亿元融资", "小度机器人"),
        ("Claude 6来了：Opus 6刷新编程榜", "Anthropic"),  # a flagship names its maker
        ("黄仁勋的英伟达完成新一轮回购", "英伟达"),  # "X的Y" is Y's news
        ("要闻：2026年春运今日启动", None),  # a label, then no one
        ("具身智能：超30家公司完成融资", None),  # a count is no one
        ("Deepfake Scams Target Retirees Ahead of Tax Season", None),  # title case, no name
        ("Nvidia-backed CoreWeave Raises $2 Billion", "CoreWeave"),
    ],
)  # fmt: skip
def test_the_subject_is_who_acted_never_a_product_or_a_capitalised_noun(
    title: str, subject: str | None
) -> None:
    facts = facts_from(title)
    assert facts.subject == subject
    tags = tags_of(facts)
    if subject is None:  # its topics only: no "Deepfake Scams", "超30家公司"
        assert all(tag in {t.partition("=")[2] or t for t in TOPICS} for tag in tags)
    else:
        assert tags[0] == subject


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # A supply contract is an order, not a merger reshaping the field.
        ("Oracle Signs $30 Billion Cloud Deal With OpenAI",
         "甲骨文与OpenAI签约，涉及300亿美元，巨额订单显示AI需求依然旺盛。"),
        # A regulator's agreement is policy, not a deal.
        ("Commission signs AI Factory agreements with five Member States",
         "欧盟委员会签约，官方举措，影响AI产业的政策环境。"),
        ("Google Joins $300 Million Round for London Robotics Startup",
         "谷歌参投3亿美元融资，大额融资显示资本对机器人赛道的信心。"),
        # The round's field, not the investor's own (Nvidia is 芯片).
        ("Nvidia Joins $90 Million Round for Berlin Robotics Startup",
         "英伟达参投9000万美元融资，大额融资显示资本对机器人赛道的信心。"),
        # "首次公开发行" is what an IPO is called, not a first worth saying.
        ("壁仞科创板IPO获同意注册，首次公开发行股票拟募资30亿元",
         "壁仞IPO，涉及30亿元，又一家AI企业登陆资本市场。"),
    ],
)  # fmt: skip
def test_a_signed_deal_and_a_joined_round_are_explained_as_what_they_are(
    title: str, expected: str
) -> None:
    facts = facts_from(title)
    reason = reason_of(facts, outlets=1, category="重大商业动态", domestic=False, source="X")
    assert reason == expected


def test_a_newsrooms_investigation_is_no_regulators_inquiry() -> None:
    probe = facts_from("A Reuters investigation finds chatbots give bad tax advice")
    assert probe.event is None and probe.kind is None  # not "rule", not 重大政策与法规
    reason = reason_of(probe, outlets=1, category="安全与伦理", domestic=False, source="X")
    assert "监管" not in reason
    assert gist_of("A Reuters investigation finds chatbots give bad tax advice").event is None
    assert facts_from("FTC Opens Probe Into Chatbot Makers").event == "调查"


def test_nouns_that_look_like_events_are_not_events() -> None:
    # "manage spend" is no spending; orders growing are no order won.
    console = facts_from("Acme's bot gets an admin console", "Admins can manage spend and seats.")
    assert console.event is None
    assert facts_from("美团闪购春节不打烊，订单预计同比增长三成").event is None
    assert facts_from("Microsoft to spend $80 billion on AI data centers").event == "投入"


def test_a_latin_name_and_a_latin_word_are_spaced_in_a_reason() -> None:
    facts = facts_from("MiniMax港股上市首日大涨")
    reason = reason_of(facts, outlets=1, category="重大商业动态", domestic=True, source="36氪")
    assert reason.startswith("MiniMax IPO，")


def test_an_order_is_news_of_its_winner() -> None:
    facts = facts_from("智元机器人获物流企业1000台订单")
    assert (facts.subject, facts.event) == ("智元", "订单")
    reason = reason_of(facts, outlets=1, category="行业应用", domestic=True, source="36氪")
    assert reason == "智元获订单，具身智能的商业化订单落地。"
    # "腾讯旗下公司" says who raised; as a tag, its owner is the name.
    owned = facts_from("腾讯旗下自动驾驶公司完成数亿元融资")
    assert owned.subject == "腾讯旗下公司"
    assert tags_of(owned)[0] == "腾讯"


def test_a_qualifier_is_said_whole_or_not_at_all() -> None:
    # Cut at its length limit, "首款配送机器人将在杭州试运营" would read "…将在杭州试".
    cut = facts_from("京东发布具身智能战略，首款配送机器人将在杭州试运营")
    assert cut.qualifiers == []
    assert "首次年度盈利" in facts_from("寒武纪业绩预告：预计实现首次年度盈利").qualifiers


def test_talks_are_never_reported_as_done_and_rumours_say_so() -> None:
    assert "拟" in (lead_in(facts_from("Anthropic in Talks to Raise Funds")) or "")
    assert "据悉" in (lead_in(facts_from("Elon Musk Said to Be Merging SpaceX and xAI")) or "")


@pytest.mark.parametrize(
    ("title", "summary", "outlets", "expected"),
    [
        (
            "寒武纪业绩预告：预计2025年实现上市以来首次年度盈利",
            "",
            3,
            "3家媒体报道；寒武纪公布业绩，首次年度盈利，国产芯片企业业绩迎来拐点，AI需求正在兑现为收入。",
        ),
        (
            "36氪首发｜逐际动力完成2亿美元B轮融资，京东、上汽等产业资本入局",
            "",
            2,
            "2家媒体报道；逐际动力融资2亿美元，京东、上汽等产业资本入局，看好AI赛道。",
        ),
    ],
)
def test_the_reason_is_who_did_what_how_big_and_why_it_matters(
    title: str, summary: str, outlets: int, expected: str
) -> None:
    facts = facts_from(title, summary)
    reason = reason_of(
        facts, outlets=outlets, category="重大商业动态", domestic=True, source="36氪"
    )

    assert reason == expected


@pytest.mark.parametrize(
    "title",
    [
        "寒武纪业绩预告：预计2025年实现上市以来首次年度盈利",
        "华为云“行业AI梦工厂”智慧医疗专区开放公测，推出业界首个智慧病理端云协同方案",
        "腾讯混元引入知名AI学者庞天宇，出任首席研究科学家",
        "OpenAI launches a Codex app for macOS",
        "SK Hynix Plans $15 Billion Chip Plant in Indiana",
        "字节Seed发布端到端语音大模型，中英混说延迟低于300毫秒",
    ],
)
def test_tags_are_topics_and_companies_never_verbs_or_filler(title: str) -> None:
    tags = tags_of(facts_from(title))

    assert tags and not set(tags) & FILLER
    assert not {"推出", "发布", "上线", "引入", "出任", "公测", "交易", "上市", "AI", "模型"} & set(
        tags
    )


def test_listed_since_is_not_a_listing() -> None:
    facts = facts_from("寒武纪业绩预告：预计2025年实现上市以来首次年度盈利")

    assert facts.event == "业绩" and "IPO" not in tags_of(facts) and "上市" not in tags_of(facts)
    assert tags_of(facts) == ["寒武纪", "芯片", "财报"]


@pytest.mark.parametrize(
    ("title", "outlets", "why"),
    [
        ("逐际动力完成2亿美元B轮融资", 1, "大额交易"),
        ("星动纪元完成5亿元B轮融资，加速人形机器人量产", 1, "大额交易"),  # ¥5亿: the bar
        ("Data Act: Commission seeks feedback on draft guidelines", 1, "监管规则"),
        ("寒武纪预计实现10年来首次年度盈利", 1, "业绩拐点"),
        ("华为云智慧医疗专区开放公测", 2, "头部公司重要发布"),
        ("某公司发布新品", 3, "多家媒体报道"),
    ],
)
def test_what_an_editor_calls_major(title: str, outlets: int, why: str) -> None:
    assert why in majors(facts_from(title), outlets, ai=True)


def test_small_deals_and_lone_launches_are_not_major() -> None:
    assert majors(facts_from("千诀科技完成数千万元融资"), 1, ai=True) == []
    assert majors(facts_from("阶跃星辰完成3亿元融资"), 1, ai=True) == []
    assert majors(facts_from("字节Seed发布端到端语音大模型"), 1, ai=True) == []


def test_sums_meet_across_currencies() -> None:
    # ¥3bn is about $417M: the same campaign in 36氪 and in Bloomberg.
    assert amounts_match(amounts("千问APP投入30亿元"), amounts("Qwen to Spend $420 Million"))
    assert not amounts_match(amounts("投入30亿元"), amounts("Spend $3 Billion on chips"))
    assert [m.zh() for m in money("估值1.25万亿美元；$16B；HK$100 billion")] == [
        "1.25万亿美元",
        "160亿美元",
        "1000亿港元",
    ]


def test_a_currency_symbol_counts_right_before_a_sum_or_one_space_before_it() -> None:
    def said(text: str) -> list[tuple[float, str]]:
        return [(m.value, m.currency) for m in money(text)]

    assert said("raises $ 5 billion") == [(5e9, "USD")]
    assert said("raises $  5 billion") == [(5e9, "")]  # two spaces: not its symbol
    assert said("S$5 billion; €2m; ¥ 30亿") == [(5e9, ""), (2e6, "EUR"), (3e9, "CNY")]
    assert said("$5亿美元 then 10 bn") == [(5e8, "USD"), (1e10, "")]
    assert said("v12.3 billion-dollar") == [(12.3e9, "")]
    assert said("no sums here: 2026年, 3-nanometer") == []


def test_a_launch_says_what_it_means_for_its_field_and_who_leads_it() -> None:
    def why(title: str, *, domestic: bool) -> str:
        facts = facts_from(title)
        return reason_of(facts, outlets=1, category="重大产品发布", domestic=domestic, source="x")

    assert "具身智能从演示走向产品" in why("宇树发布新款人形机器人H3", domestic=True)
    assert why("谷歌发布新一代世界模型", domestic=False).startswith(
        "谷歌发布，海外头部企业加码世界模型"
    )
    assert "国内头部企业加码" in why("字节跳动发布豆包大模型2.0", domestic=True)
    # A field with no phrase of its own says only that the field got another product.
    assert why("钉钉发布AI表格2.0", domestic=True).endswith("领域又添新产品，竞争更趋激烈。")


# One example of every alternative of every event pattern, as `fold` gives texts.
_PATTERN_EXAMPLES = [
    "nvidia joins $80 million round", "sequoia leads the round", "获红杉中国投资",
    "业绩增长", "sales rose 20%", "forecasts revenue above estimates", "under the ai act",
    "cuts 200 jobs", "进入规模化商用阶段", "starts robotaxi rides", "began operations",
    "begins service", "signs $6 billion compute deal", "signed an agreement",
    "sign administrative arrangement", "signs a partnership", "新建智算工厂",
    "$15 billion chip plant", "builds a new factory", "opens its first fab",
    "spend $10 billion on", "plans to spend more", "获汽车工厂500台订单", "拿下千台大单",
    "年化收入突破2亿美元", "开启无安全员robotaxi商业运营",
]  # fmt: skip


def test_an_event_pattern_is_skipped_only_where_it_cannot_match() -> None:
    # `_event_at` tries a pattern only on texts holding one of its words: whatever a pattern
    # matches, in these examples and in every labelled day's feeds, holds one of them.
    from pathlib import Path

    from pipeline.facts import _EVENT_PATTERNS
    from pipeline.keywords import fold

    root = Path(__file__).resolve().parents[2]
    texts = [*_PATTERN_EXAMPLES]
    for path in [*root.glob("bench/days/*/feeds/*.xml"), *root.glob("examples/feeds/*.xml")]:
        texts += fold(path.read_text(encoding="utf-8", errors="replace")).split("\n")
    matched = 0
    for rank, rx, words in _EVENT_PATTERNS:
        for text in texts:
            m = rx.search(text)
            if m:
                matched += 1
                assert any(w in m.group() for w in words), (rank, m.group())
    assert all(any(rx.search(e) for _, rx, _ in _EVENT_PATTERNS) for e in _PATTERN_EXAMPLES)
    assert matched >= len(_PATTERN_EXAMPLES)
