"""What a story says, as facts an editor would name, and the words built only from them.

`facts_of` reads one entry (title first, then the summary's first sentence) for:
who (a named company, person or regulator; failing that, the title's subject
before its verb: "逐际动力完成…", "Tessellate raises…"), what happened (融资,
收购, 发布, 征求意见 … from `EVENTS`), how much (the first sum of money, and
whether it is a valuation), notable qualifiers (首次盈利, 9项第一, record) and
the topics (`TOPICS`: 具身智能, 大模型, 算力 …).

From those facts only, nothing else:
- `lead_in`: a short Chinese lead for an English-only headline ("Waymo 融资
  160亿美元"); None when the facts are too thin to say anything true;
- `reason_of`: one or two Chinese sentences: how many outlets, who did what and
  how big, and why that matters for its kind of news;
- `tags_of`: topics from the vocabulary plus the named companies, never a verb
  or filler word (`FILLER`);
- `majors`: the editor's reasons to call a story major (a big deal, a leading
  lab's launch, binding regulation, record earnings, three or more outlets).

The scorer's internals (weights, keyword hits, score parts) never appear here:
they stay in `/why`'s score parts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.keywords import compile_keywords, fold
from pipeline.models import Entry
from pipeline.text import (
    Money,
    first_sentence,
    is_chinese,
    money,
    nfkc,
    strip_title_prefix,
    strip_zh_lead,
    trim_end_punct,
)

# Companies, people and regulators, in the name a Chinese reader knows them by.
ORGS: tuple[str, ...] = (
    "openai=OpenAI", "chatgpt=OpenAI", "anthropic=Anthropic", "google=谷歌", "谷歌", "alphabet=Alphabet",
    "deepmind=DeepMind", "microsoft=微软", "微软", "meta=Meta", "apple=苹果", "苹果",
    "amazon=亚马逊", "亚马逊", "nvidia=英伟达", "英伟达", "xai=xAI", "spacex=SpaceX",
    "elon musk=马斯克", "musk=马斯克", "马斯克", "tesla=特斯拉", "特斯拉", "waymo=Waymo",
    "mistral=Mistral", "deepseek=DeepSeek", "深度求索=DeepSeek", "intel=英特尔", "英特尔", "amd=AMD",
    "tsmc=台积电", "台积电", "samsung=三星", "三星", "oracle=甲骨文", "甲骨文", "softbank=软银",
    "软银", "qualcomm=高通", "高通", "palantir=Palantir", "perplexity=Perplexity",
    "hugging face=Hugging Face", "cohere=Cohere", "ibm=IBM", "salesforce=Salesforce",
    "snowflake=Snowflake", "figure=Figure", "sk hynix=SK海力士", "海力士=SK海力士",
    "micron=美光", "美光", "foxconn=富士康", "hon hai=富士康", "鸿海=富士康", "富士康",
    "可灵", "kling=可灵", "文远知行", "weride=文远知行", "小马智行", "pony.ai=小马智行", "萝卜快跑",
    "coreweave=CoreWeave", "上汽", "saic=上汽", "广汽", "gac=广汽", "吉利", "geely=吉利",
    # A flagship product names its maker: "Claude can now…" is Anthropic's news.
    "claude=Anthropic", "gemini=谷歌", "llama=Meta", "grok=xAI", "copilot=微软",
    "huawei=华为", "华为云=华为云", "华为", "昇腾=华为", "alibaba=阿里", "阿里巴巴=阿里", "阿里",
    "qwen=千问", "千问", "通义=千问", "tencent=腾讯", "腾讯", "混元=腾讯", "bytedance=字节跳动",
    "字节跳动", "字节=字节跳动", "豆包=字节跳动", "baidu=百度", "百度", "文心=百度", "智谱",
    "zhipu=智谱", "月之暗面", "moonshot=月之暗面", "kimi=月之暗面", "minimax=MiniMax", "商汤",
    "sensetime=商汤", "科大讯飞=讯飞", "讯飞", "iflytek=讯飞", "xiaomi=小米", "小米", "寒武纪",
    "cambricon=寒武纪", "中科曙光", "曙光=中科曙光", "宇树", "unitree=宇树", "优必选", "ubtech=优必选",
    "智元", "小鹏", "xpeng=小鹏", "理想汽车", "蔚来", "nio=蔚来", "比亚迪", "byd=比亚迪", "蚂蚁",
    "ant group=蚂蚁", "美团", "meituan=美团", "京东", "快手", "kuaishou=快手", "荣耀", "联想",
    "lenovo=联想", "阶跃星辰", "stepfun=阶跃星辰", "摩尔线程", "地平线", "宁德时代", "catl=宁德时代", "海光", "壁仞",
    "沐曦", "百川智能", "零一万物", "面壁智能", "银河通用", "中芯国际", "smic=中芯国际",
    # Regulators and governments: what they decide binds the field.
    "european commission=欧盟委员会", "欧盟委员会", "commission=欧盟委员会", "欧盟", "eu=欧盟",
    "european ai office=欧盟AI办公室", "eu ai office=欧盟AI办公室", "ai office=欧盟AI办公室",
    "white house=白宫", "白宫", "ftc=美国FTC", "doj=美国司法部", "justice department=美国司法部",
    "congress=美国国会", "国务院", "工信部", "网信办", "发改委", "市场监管总局", "国家市场监督管理总局=市场监管总局", "国家标准委", "美国商务部",
    "commerce department=美国商务部", "证监会", "china=中国", "chinese government=中国", "美国=美国", "黄仁勋", "jensen huang=黄仁勋",
)  # fmt: skip
REGULATORS = frozenset(
    ("欧盟委员会", "欧盟AI办公室", "欧盟", "白宫", "美国FTC", "美国司法部", "美国国会", "国务院", "工信部", "网信办",
     "发改委", "美国商务部", "证监会", "美国", "市场监管总局", "国家标准委", "中国")
)  # fmt: skip
# A part names its whole too: a report of "欧盟委员会" is a report of "欧盟".
PARENT = {"欧盟委员会": "欧盟", "欧盟AI办公室": "欧盟", "华为云": "华为", "美国商务部": "美国", "美国FTC": "美国",
          "美国司法部": "美国", "美国国会": "美国", "白宫": "美国", "黄仁勋": "英伟达",
          "马斯克": "xAI", "DeepMind": "谷歌", "千问": "阿里", "可灵": "快手", "萝卜快跑": "百度",
          "市场监管总局": "中国", "国家标准委": "中国", "工信部": "中国", "网信办": "中国",
          "国务院": "中国", "发改委": "中国", "证监会": "中国"}  # fmt: skip
# Leading labs and companies: their flagship launches are the day's news.
LEADERS = frozenset(
    ("OpenAI", "Anthropic", "谷歌", "DeepMind", "微软", "Meta", "苹果", "亚马逊", "英伟达", "xAI",
     "DeepSeek", "华为", "华为云", "阿里", "千问", "腾讯", "字节跳动", "百度", "中科曙光", "寒武纪",
     "台积电", "Mistral")
)  # fmt: skip

# Events, most telling first: of those a text gives, the first in this order names what
# happened. Keywords as in `pipeline.keywords` ("word", "stem*", Chinese substrings), and
# a few patterns for what a word alone would get wrong ("业绩" but not "业绩会").
EVENTS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("合并", ("合并", "并入", "merg*", "combine", "combines", "combining"), None),
    ("收购", ("收购", "并购", "acquir*", "acquisition*", "buyout", "deal for", "to buy", "buys"),
     None),
    # An investor joining or leading someone else's round: the subject did not raise it.
    ("参投", (),
     r"\b(?:joins?|joined|joining|leads|co-leads|participates in|backs)\s+(?:an?\s+|the\s+|its\s+)?"
     r"(?:[$€£¥][\d.,]+\s*(?:billion|million|bn|mn|b|m)?\s+)?(?:[\w-]+\s+){0,3}?round\b"),
    ("融资", ("融资", "融了", "融到", "获投", "战略投资", "raise", "raises", "raised", "raising",
            "funding", "series a", "series b", "series c", "series d", "series e"),
     r"获[^，。；]{0,12}投资"),
    ("IPO", ("ipo", "赴港上市", "拟上市", "上市辅导", "递表", "招股", "上市首日", "首日高开", "敲钟",
             "挂牌上市", "上市了", "go public", "goes public", "going public", "hong kong debut",
             "trading debut", "market debut"), None),
    ("业绩", ("财报", "营收", "盈利", "净利", "利润", "earnings", "revenue", "revenues", "profit*",
            "quarterly sales"),
     r"业绩(?!会|说明会|交流会)|(?:年化|年度|季度)?收入(?:突破|增长|达到?|超过?|同比|环比)|"
     r"\bsales (?:rose|fell|jump\w*|gr[eo]w\w*|top\w*|beat\w*|miss\w*)|"
     r"\bforecasts? (?:sales|revenue|profit)"),
    ("征求意见", ("征求意见", "consult*", "seeks feedback", "seek feedback", "call for evidence"),
     None),
    ("监管", ("法案", "条例", "管理办法", "监管", "禁令", "管制", "新规", "出口限制", "国家标准", "国标",
            "强制性标准", "mandatory", "loophole", "loopholes", "crack down", "cracks down", "curb",
            "curbs", "regulat*", "guideline", "guidelines", "ban", "bans",
            "executive order", "bill", "law", "rule", "rules"),
     # "act" alone is a verb as often as a law ("agents that act on the page").
     r"\b(?:ai|data|chips?|markets|services|resilience|safety|protection|implementing|delegated|"
     r"accessibility|governance) act\b"),
    ("诉讼", ("起诉", "诉讼", "指控", "判决", "lawsuit*", "sue", "sues", "sued", "court", "accus*",
            "depose"), None),
    ("调查", ("立案调查", "展开调查", "启动调查", "inquiry", "investigation", "investigates",
            "investigating", "probe", "probes", "probing"), None),
    ("开源", ("开源", "open-source*", "open source*", "open-weight*", "open weight*", "open model",
            "open models"), None),
    ("落地", ("投入使用", "试运行", "投入运营", "正式商用", "deploy*", "goes live"),
     r"进入[^，。；]{0,24}(?:应用|商用|运营)阶段|开启[^，。；]{0,16}(?:商业化?运营|试运营|收费运营)|"
     r"\b(?:starts?|started|begins?|began)\s+(?:[\w-]+\s+){0,2}(?:rides|service|operations|shifts)\b"),
    ("发布", ("发布", "推出", "上线", "亮相", "首发", "公测", "升级", "预售", "launch*", "releas*",
            "unveil*", "introduc*", "debut*", "rolls out", "roll out", "publish*", "announc*"),
     None),
    ("人事", ("出任", "加盟", "任命", "离职", "hire", "hires", "joins", "appoint*", "poach*",
            "steps down"), None),
    ("裁员", ("裁员", "layoff", "layoffs"), r"\bcut\w* (?:\w+ ){0,2}jobs\b"),
    # A signed deal with a counterpart and, often, a sum: "X Signs $6 Billion Deal With Y".
    ("签约", (),
     r"\bsign(?:s|ed|ing)?\b[^,.;:]{0,40}?\b(?:agreements?|deals?|contracts?|pacts?)\b"),
    ("合作", ("合作", "签约", "牵手", "partner*", "teams up"),
     r"\bsign(?:s|ed|ing)?\b[^,.;:]{0,40}?\b(?:arrangements?|partnerships?|memorand\w+|mou)\b"),
    # Won an order, not orders growing ("订单预计同比增长三成").
    ("订单", ("中标",), r"(?:获|拿下|斩获|签下|赢得|收获)[^，。；]{0,12}(?:订单|大单)"),
    ("交易", ("交易", "deal"), None),
    ("投入", ("投入", "投向", "建厂", "资本开支", "spends", "spending", "spent", "invest", "invests",
            "investing",
            "investment", "capex", "ai factory", "ai factories", "gigafactory", "gigafactories"),
     # "spend" is a noun as often ("manage spend, seats…"): a verb with its sum, or "to spend".
     r"\bspend\s+(?:up to\s+|about\s+|over\s+|more than\s+)?[$€£¥][\d.]|"
     r"\b(?:to|will|would)\s+spend\b|"
     # A plant is spending when it is built or priced ("$15 billion chip plant"), not where
     # robots work ("start shifts at BMW's plant").
     r"新建[^，。；]{0,8}(?:工厂|产线|基地)|(?:\bbuild\w*|\bnew|\bconstruct\w*|\bopen\w*|"
     r"[$€£¥][\d.,]+\s*(?:billion|million|bn|mn|b|m)?)\s+(?:[\w-]+\s+){0,2}(?:plant|factory|fab)\b"),
    ("研究", ("论文", "提出", "paper", "study", "propos*", "benchmark*"), None),
)  # fmt: skip
_EVENT_RANK = {name: rank for rank, (name, _, _) in enumerate(EVENTS)}
_EVENT_TABLE = compile_keywords([f"{w}={name}" for name, words, _ in EVENTS for w in words])
# Each pattern is tried only on a text holding one of its words: every alternative of the
# pattern spells one of them out (checked by a test), and `in` costs far less than a search.
_PATTERN_WORDS = {
    "参投": ("round",), "融资": ("获",), "业绩": ("业绩", "收入", "sales", "forecast"),
    "监管": (" act",), "裁员": ("jobs",), "落地": ("进入", "开启", "start", "begin", "began"),
    "签约": ("sign",), "合作": ("sign",), "订单": ("订单", "大单"), "投入": ("spend", "新建", "plant", "factory", "fab"),
}  # fmt: skip
_EVENT_PATTERNS = tuple(
    (_EVENT_RANK[name], re.compile(pattern, re.IGNORECASE), _PATTERN_WORDS[name])
    for name, _, pattern in EVENTS
    if pattern
)
DEAL_EVENTS = frozenset(("合并", "收购", "参投", "融资", "IPO", "交易", "签约", "订单"))
MONEY_EVENTS = DEAL_EVENTS | {"业绩", "投入"}  # events whose sum is worth saying
PEOPLE = frozenset(("马斯克", "奥特曼", "扎克伯格", "黄仁勋"))
LAUNCH_EVENTS = frozenset(("发布", "开源", "落地"))
WITH_WHOM = frozenset(("签约", "合作", "交易"))  # said with the counterpart, or not at all
RULE_EVENTS = frozenset(("征求意见", "监管", "调查"))

# Topics a reader follows, in either script. "word=话题": the word gives that topic.
TOPICS: tuple[str, ...] = (
    "具身智能", "具身=具身智能", "人形机器人=具身智能", "humanoid*=具身智能", "embodied=具身智能",
    "优必选=具身智能", "宇树=具身智能", "智元=具身智能", "figure=具身智能", "机器人=机器人",
    "robot*=机器人", "大模型", "llm*=大模型", "language model*=大模型", "foundation model*=大模型",
    "基础模型=大模型", "推理模型=大模型", "reasoning model*=大模型", "gpt*=大模型", "智能体",
    "agent=智能体", "agents=智能体", "agentic=智能体", "算力", "万卡=算力", "超节点=算力",
    "智算=算力", "超算=算力", "集群=算力", "supercomput*=算力", "数据中心", "data center*=数据中心",
    "datacenter*=数据中心", "芯片", "chip*=芯片", "semiconductor*=芯片", "半导体=芯片", "gpu*=芯片",
    "流片=芯片", "hbm=芯片", "寒武纪=芯片", "摩尔线程=芯片", "英伟达=芯片", "nvidia=芯片",
    "自动驾驶", "无人驾驶=自动驾驶", "智驾=自动驾驶", "robotaxi*=自动驾驶", "self-driving=自动驾驶",
    "waymo=自动驾驶", "智能座舱=智能汽车", "车载=智能汽车", "汽车=智能汽车", "automotive=智能汽车", "融资", "战略投资=融资",
    "funding=融资", "raises=融资", "raised=融资", "series a=融资", "series b=融资", "series c=融资",
    "估值", "valuation*=估值", "收购=并购", "并购", "合并=并购", "并入=并购", "acquir*=并购",
    "acquisition*=并购", "merg*=并购", "ipo=IPO", "赴港上市=IPO", "上市辅导=IPO", "开源",
    "open-source*=开源", "open source*=开源", "open-weight*=开源", "监管", "法案=监管",
    "征求意见=监管", "regulat*=监管", "consultation=监管", "seeks feedback=监管",
    "guideline*=监管", "data act=数据法案", "数据法案", "ai act=人工智能法案", "ai law=人工智能法案", "人工智能法=人工智能法案", "digital markets act=数字市场法",
    "反垄断", "antitrust=反垄断", "诉讼", "起诉=诉讼", "lawsuit*=诉讼", "court=诉讼", "sue=诉讼",
    "sues=诉讼", "AI安全", "越狱=AI安全", "safety=AI安全", "misalign*=AI安全", "jailbreak*=AI安全",
    "对齐=AI安全", "隐私", "privacy=隐私", "人脸识别=隐私", "facial recognition=隐私",
    "face recognition=隐私", "surveillance=隐私", "深度伪造", "deepfake*=深度伪造",
    "nonconsensual=深度伪造", "医疗=AI+医疗", "病理=AI+医疗", "医院=AI+医疗", "诊断=AI+医疗",
    "health*=AI+医疗", "medical=AI+医疗", "hospital*=AI+医疗", "clinical=AI+医疗", "药物=AI+医疗",
    "金融=AI+金融", "银行=AI+金融", "bank*=AI+金融", "insur*=AI+金融", "教育=AI+教育",
    "education=AI+教育", "编程=AI编程", "coding=AI编程", "codex=AI编程", "多模态",
    "multimodal=多模态", "vision-language=多模态", "视频生成", "video generat*=视频生成",
    "世界模型", "world model*=世界模型", "anthropic=大模型", "mistral=大模型", "deepseek=大模型",
    "智谱=大模型", "月之暗面=大模型", "kimi=大模型", "minimax=大模型", "混元=大模型", "千问=AI应用",
    "qwen=大模型", "通义=大模型", "语音=语音AI", "speech=语音AI", "voice=语音AI",
    "财报", "营收=财报", "盈利=财报", "业绩=财报", "earnings=财报", "revenue*=财报",
    "首席科学家=人才", "首席研究科学家=人才", "出任=人才", "加盟=人才", "poach*=人才",
    "hire*=人才", "裁员", "layoff*=裁员", "推理=推理", "chain-of-thought=推理", "思维链=推理",
    "生成式AI", "generative=生成式AI", "aigc=生成式AI", "聊天机器人", "chatbot*=聊天机器人",
    "数据=数据", "生成合成内容标识=AI内容标识", "内容标识=AI内容标识", "ai-generated content=AI内容标识",
    "ai labels=AI内容标识", "亮明身份=AI内容标识", "标识方法=AI内容标识", "labeling rules=AI内容标识", "出口管制", "export control*=出口管制", "出口限制=出口管制", "chip curbs=出口管制",
    "curbs on ai chip*=出口管制", "curbs on chip*=出口管制", "chip export*=出口管制",
)  # fmt: skip
# Laws and rules: a story about one is told apart from a story about another by them.
LAWS = frozenset(("数据法案", "人工智能法案", "数字市场法", "出口管制", "反垄断", "AI内容标识"))
_TOPIC_TABLE = compile_keywords(TOPICS)
_LAW_TABLE = compile_keywords([t for t in TOPICS if t.partition("=")[2] in LAWS or t in LAWS])
_ORG_TABLE = compile_keywords(ORGS)
# Words that are never a tag: verbs, stock words and what every item of an AI digest is.
FILLER = frozenset(
    ("推出", "发布", "上线", "引入", "出任", "公测", "交易", "AI", "模型", "上市", "升级", "开放",
     "宣布", "完成", "投资", "研究", "产品发布", "新方法", "数据", "智能", "人工智能", "国内", "国际",
     "其他", "新品", "消息")
)  # fmt: skip

_QUALIFIER_RES = (
    # Not "首次公开发行" (an IPO's legal name, not a first of anything).
    re.compile(r"(?:首次(?!公开发行)|首个|首款|首家)[^，,。；：:、|｜]{1,10}"),
    re.compile(r"\d+项[^，。；：:、]{0,4}(?:第一|SOTA)"),
    re.compile(r"(?:史上|历史)最[^，。；：:、]{1,8}"),
    re.compile(r"创(?:纪录|新高|历史新高)"),
    re.compile(r"\d+至\d+倍|\d+到\d+倍"),
)
_RECORD_RE = re.compile(
    r"首次[^，。；]{0,6}盈利|扭亏|创纪录|创新高|历史新高|\brecord\b", re.IGNORECASE
)
# English: "Anthropic in Talks to Raise…", "Elon Musk Said to Be Merging…" — the modality
# the lead-in keeps ("拟", "据悉"), so that talks are never reported as done.
_TALKS_RE = re.compile(
    r"\b(?:in talks|nears|near (?:a |an )?deal|plans|plan to|planning|"
    r"to (?:acquire|buy|raise|merge|sell)|considering|weighs|"
    r"seeks? to|set to|poised to|aims? to)\b",
    re.IGNORECASE,
)
_REPORTED_RE = re.compile(
    r"\b(?:said to|reportedly|according to)\b|据悉|据报道|被曝|传闻", re.IGNORECASE
)
_VALUATION_RE = re.compile(r"估值|valu(?:ation|ed|es)", re.IGNORECASE)
# Chinese: the subject is what stands before the first verb ("逐际动力完成…", "天顿数据获…").
_ZH_SUBJECT_RE = re.compile(
    r"^([\u4e00-\u9fffA-Za-z0-9·]{2,10}?)(?:宣布|完成|获得?|发布|推出|开源|上线|启动|成立|拟|将|"
    r"正式|预计|再获|斩获|引入|投入|连续|当选|牵手|签约|联合|起诉|回应|公布|称|表示)"
)
_EN_VERB_RE = re.compile(
    r"\s(?:in talks|nears?|plans?|says?|said|to|is|are|will|raises?|raised|launch\w*|releas\w*|"
    r"unveil\w*|acquir\w*|buys?|sues?|accus\w*|debut\w*|introduc\w*|opens?|adds?|files?|wins?|"
    r"rolls?|forecasts?|reports?|posts?|cuts?|hires?|targets?|unveils?|seeks?|gets?|lands?|"
    r"secures?|closes?|announces?|publishes|signs?|signed|joins?|invests?|spends?)\b",
    re.IGNORECASE,
)
_EN_NAME_WORD_RE = re.compile(r"^[A-Z][\w.&'’-]*$|^[a-z]+[A-Z][\w'’-]*$")
_REPOST_RE = re.compile(r"[（(](?:转载|来源|转自|本文来自|via)[^）)]*[）)]\s*$")


# Events that are one kind of news: two reports of one event may name it differently
# ("开源" / "发布" for a model that was released with open weights).
EVENT_KIND = {
    "合并": "deal", "收购": "deal", "交易": "deal", "签约": "deal", "订单": "deal", "参投": "funding",
    "融资": "funding", "IPO": "ipo", "调查": "rule",
    "业绩": "earnings", "征求意见": "rule", "监管": "rule", "诉讼": "court", "开源": "launch",
    "发布": "launch", "落地": "launch", "人事": "people", "裁员": "layoff", "合作": "partner",
    "投入": "spend",
}  # fmt: skip


@dataclass(frozen=True)
class Gist:
    """What a story's weight and score need of its facts: who, what happened, how much, a
    record or not (`gist_of`; `Facts` adds what its reason and tags say). The same values
    as the entry's `Facts` give, read at a third of the cost."""

    subject: str | None
    names: list[str]
    event: str | None
    money: Money | None
    record: bool

    @property
    def kind(self) -> str | None:
        """The kind of event ("launch", "funding" …); None when no telling event was found."""
        return EVENT_KIND.get(self.event or "")

    @property
    def leader(self) -> bool:
        return any(name in LEADERS for name in self.names[:3])

    @property
    def regulator(self) -> bool:
        return any(name in REGULATORS for name in self.names)

    @property
    def official(self) -> bool:
        """The story's actor is a regulator or government ("Commission publishes…")."""
        return self.subject in REGULATORS


@dataclass(frozen=True)
class Facts(Gist):
    """What one entry says: who, what happened, how much; see the module docstring."""

    objects: list[str]  # names after the event's word: what was bought, merged, sued
    mentioned: list[str]  # names in the summary's first sentence
    valuation: bool
    talks: bool  # "in talks", "plans to": not done yet
    reported: bool  # "said to", "据悉": not confirmed
    qualifiers: list[str]
    topics: list[str]
    backers: list[str]  # names in a clause that says they invest ("京东参投", "led by Sequoia")

    @property
    def laws(self) -> frozenset[str]:
        return frozenset(t for t in self.topics if t in LAWS)


def _event(title: str, opening: str) -> tuple[str | None, list[str]]:
    """The most telling event (title first), and the names after it: what it was done to."""
    found = _event_at(title, opening)
    if found is None:
        return None, []
    event, text, at = found
    return event, find_names(text[at:])


def _event_at(title: str, opening: str) -> tuple[str, str, int] | None:
    """The most telling event (title first), the folded text it is in, and where."""
    for text in (fold(title), fold(opening)):
        hits = [(_EVENT_RANK[name], at) for at, name in _EVENT_TABLE.spans(text)]
        for rank, rx, words in _EVENT_PATTERNS:
            for word in words:  # a loop, not any(): this runs ~20 times an entry
                if word in text:
                    if m := rx.search(text):
                        hits.append((rank, m.start()))
                    break
        if hits:  # the most telling event of the text, not merely the first word
            rank, at = min(hits)
            return EVENTS[rank][0], text, at
    return None


def _money(title: str, opening: str) -> tuple[Money | None, bool]:
    """The first sum of money (title first) and whether it is a valuation."""
    for text in (title, opening):
        for m in money(text):
            if not m.currency:
                continue
            return m, _is_valuation(text, m)
    return None, False


def _first_money(title: str, opening: str) -> Money | None:
    """`_money`'s sum, without asking whether it is a valuation."""
    for text in (title, opening):
        for m in money(text):
            if m.currency:
                return m
    return None


def _is_valuation(text: str, m: Money) -> bool:
    """A valuation says so right before or after the sum ("估值1.25万亿", "at a $126B valuation")."""
    folded = nfkc(text).replace(",", "")
    digits = f"{m.value:g}"
    for hit in _VALUATION_RE.finditer(folded):
        near = folded[max(0, hit.start() - 24) : hit.end() + 24]
        if any(ch.isdigit() for ch in near) and len(money(near)) == 1 and digits:
            return money(near)[0] == m
    return False


def is_repost(title: str) -> bool:
    """A title that says it reposts another outlet's report: "…（转载自36氪）", "… (via Reuters)"."""
    return title.rstrip()[-1:] in "）)" and _REPOST_RE.search(title) is not None


def find_names(text: str) -> list[str]:
    """The companies, people and regulators a text names, in order ("Qwen3.5" names 千问)."""
    return list(_names(text))


@lru_cache(maxsize=1 << 16)
def _names(text: str) -> tuple[str, ...]:
    return tuple(_ORG_TABLE.find(_DIGIT_AFTER_LETTER_RE.sub(" ", fold(text))))


_DIGIT_AFTER_LETTER_RE = re.compile(r"(?<=[a-z])(?=[0-9])")


def _subject(title: str, names: Sequence[str]) -> str | None:
    """Who the story is about: a known name at the head of the title, else the words
    before its first verb ("逐际动力完成…", "AI coding startup Tessellate raises…")."""
    if not is_chinese(title):
        # "Data Act: Commission seeks…" is labelled by its topic; "Elon Musk's SpaceX
        # acquires…" is about SpaceX, not its owner.
        title = _POSSESSIVE_RE.sub("", _EN_LABEL_RE.sub("", title, count=1), count=1)
        # "Nvidia Supplier Foxconn Posts…" is about Foxconn, "OpenAI Rival Anthropic…" about
        # Anthropic.
        title = _DESCRIBED_RE.sub("", title, count=1)
    head = _HEAD_SPLIT_RE.split(title, maxsplit=1)[0]
    owned = _ZH_OWNED_RE.match(head) if is_chinese(head) else None
    if owned:  # "商汤具身智能公司“大晓机器人”完成…" is 大晓机器人's news, not 商汤's
        named = owned.group(2) or owned.group(4)
        return named or f"{owned.group(1)}旗下公司"
    whose = _ZH_POSSESSIVE_RE.match(head) if is_chinese(head) else None
    if whose and find_names(head[whose.end() : whose.end() + 12]):
        head = head[whose.end() :]  # "马斯克的xAI完成…" is xAI's news, as in English
    words = head.split()
    known = find_names(" ".join(words[:4]) if len(words) > 1 else head[:12])
    if known and not _ARTICLE_RE.match(title):
        return known[0]
    run = _zh_subject(title) if is_chinese(title) else _en_subject(title)
    if run is None:
        return None
    known = find_names(run)
    if known:
        return known[0]
    if is_chinese(run):
        return _company_only(run)
    # "Deepfake Robocalls Target Voters": capitals of a title-case headline, not a name.
    return None if _TOPIC_TABLE.find(fold(run)) else run


def _zh_subject(title: str) -> str | None:
    """The words before a Chinese title's first verb; failing that, a known name after a
    short label ("GTC 2026现场：黄仁勋发布…"), or the name after a description
    ("清华系具身智能公司千诀科技完成…")."""
    m = _ZH_SUBJECT_RE.match(title)
    if m:
        return None if _ZH_NOT_SUBJECT_RE.match(m.group(1)) else m.group(1)
    label = _ZH_LABEL_RE.match(title)
    m = _ZH_SUBJECT_RE.match(title[label.end() :]) if label else None
    if m and find_names(m.group(1)):  # "要闻：2026年春运今日启动" names no one
        return m.group(1)
    described = _ZH_DESCRIBED_RE.match(title)
    m = _ZH_SUBJECT_RE.match(title[described.end() :]) if described else None
    return m.group(1) if m and not _ZH_NOT_SUBJECT_RE.match(m.group(1)) else None


# A company named through its owner: "商汤旗下具身智能公司完成…", "商汤具身智能公司“大晓”…".
_ZH_OWNED_RE = re.compile(
    r"^([\u4e00-\u9fffA-Za-z0-9]{2,8}?)(?:旗下|孵化的?|投资的)[\u4e00-\u9fffA-Za-z]{0,8}?(?:公司|企业|初创)"
    r"(?:[“\"「]([^”\"」]{2,12})[”\"」])?|"
    r"^([\u4e00-\u9fffA-Za-z0-9]{2,8}?)[\u4e00-\u9fffA-Za-z]{0,8}?(?:公司|企业|初创)[“\"「]([^”\"」]{2,12})[”\"」]"
)
_ZH_POSSESSIVE_RE = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,6}的")
_ZH_LABEL_RE = re.compile(r"^[^：:｜|，。]{1,12}[：:｜|]\s*")
_ZH_DESCRIBED_RE = re.compile(
    r"^[\u4e00-\u9fffA-Za-z0-9·]{2,12}?(?:公司|企业|初创|厂商|独角兽)(?=[\u4e00-\u9fffA-Za-z])"
)
# A date or a count before the verb is no one: "2026年将…", "超30家公司完成…".
_ZH_NOT_SUBJECT_RE = re.compile(r"^(?:\d{4}年|\d{1,2}月|今年|明年|去年|超?\d+家)")


def _company_only(run: str) -> str:
    """A Chinese subject cut after its company word: "推想医疗肺结节AI获…" is 推想医疗's news."""
    if len(run) <= 6:
        return run
    m = _ZH_COMPANY_RE.match(run)
    return m.group(1) if m else run


_ZH_COMPANY_RE = re.compile(
    r"^([\u4e00-\u9fff]{2,6}?(?:科技|医疗|智能|集团|股份|机器人|汽车|动力|数据|控股|半导体|生物))"
    r"(?!公司|企业|有限|集团|科技|股份)(?=[\u4e00-\u9fffA-Za-z0-9]{2,})"
)
_EN_LABEL_RE = re.compile(r"^[^:]{1,30}:\s+(?=[A-Z])")
_DESCRIBED_RE = re.compile(
    r"^(?:[A-Z][\w.&-]*\s){0,2}?[A-Z][\w.&-]*[\s-](?:[Ss]upplier|[Pp]artner|[Rr]ival|[Bb]acker|"
    r"[Ii]nvestor|[Cc]ustomer|[Bb]acked|[Oo]wned|[Ff]unded)\s+(?=[A-Z])"
)
_POSSESSIVE_RE = re.compile(r"^(?:[A-Z][\w.&-]*\s){0,2}[A-Z][\w.&-]*['’]s\s+(?=[A-Z])")
_HEAD_SPLIT_RE = re.compile(r"[：:，,|｜丨！!？?；;]")
_ARTICLE_RE = re.compile(r"(?:a|an|the)\s", re.IGNORECASE)


def _en_subject(title: str) -> str | None:
    """The last run of names before the first verb: "AI coding startup Tessellate raises…".

    A headline that opens with an article ("A New Lawsuit Says…") opens with a noun
    phrase, not a name: its capitals say nothing.
    """
    m = _EN_VERB_RE.search(title)
    if m is None or _ARTICLE_RE.match(title):
        return None
    words = title[: m.start()].split()
    run: list[str] = []
    for word in reversed(words[-3:]):
        if not _EN_NAME_WORD_RE.match(word) or word in ("AI", "The", "A", "An"):
            break
        run.insert(0, re.sub(r"['’]s$", "", word))
    # Only descriptors may stand before the name ("AI coding startup Tessellate"): a capital
    # word there means the verb found is not the headline's ("US Tightens Curbs on AI Chip…").
    before = words[: len(words) - len(run)]
    if not run or any(w[:1].isupper() and w != "AI" for w in before):
        return None
    return " ".join(run)


def _qualifiers(text: str) -> list[str]:
    found: list[str] = []
    for rx in _QUALIFIER_RES:
        found += [m.group() for m in rx.finditer(text) if m.group() not in found and _whole(m)]
    return found[:2]


def _whole(m: re.Match[str]) -> bool:
    """A qualifier that ends where its clause ends, not cut mid-word at its length limit
    ("首款配送机器人将在深圳试" of "…试运营")."""
    return _QUALIFIER_CUT_RE.match(m.string, m.end()) is None


_QUALIFIER_CUT_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def facts_of(entry: Entry) -> Facts:
    """The facts of one entry, from its title first and its summary's first sentence."""
    return facts_from(entry.title, entry.summary)


# Facts read this run, by (title, summary): reading costs ~0.4 ms an entry, and dedupe,
# the judge and 重点关注 all ask. A plain dict (not lru_cache) so that the judge can hand
# what dedupe already read to its worker processes (`known_facts`, `remember`).
_READ: dict[tuple[str, str], Facts] = {}
READ_MAX = 1 << 16  # a few times a big day's entries; then it starts again


def facts_from(title: str, summary: str = "") -> Facts:
    """The facts of a title and a summary (see `facts_of`); read once per run."""
    key = (title, summary)
    found = _READ.get(key)
    if found is None:
        if len(_READ) >= READ_MAX:
            _READ.clear()
        found = _READ[key] = _read(title, summary)
    return found


def known_facts(entries: Iterable[Entry]) -> dict[tuple[str, str], Facts]:
    """The facts already read of these entries (none is read here)."""
    keys = ((e.title, e.summary) for e in entries)
    return {key: found for key in keys if (found := _READ.get(key)) is not None}


def remember(known: Mapping[tuple[str, str], Facts]) -> None:
    """Take facts read elsewhere (in the parent process) as read here."""
    if len(_READ) + len(known) > READ_MAX:
        _READ.clear()
    _READ.update(known)


def forget() -> None:
    """Drop the facts and names read so far: a worker process between slices of a day,
    and a run when it ends (a day's texts are not read again; a long-lived `aidaily serve`
    would keep up to 65,536 of them, and its garbage collector walk them)."""
    _READ.clear()
    _names.cache_clear()


def gist_of(title: str, summary: str = "") -> Gist:
    """The `Gist` of a title and a summary: what their `Facts` would say of it (not cached:
    the parse workers read it once of each entry, `curate.heuristic.read_lead`)."""
    title, opening = _texts(title, summary)
    names = find_names(title) or find_names(opening)[:2]
    found = _event_at(title, opening)
    subject = _subject(title, names)
    return Gist(
        subject=subject,
        names=names,
        event=_actual(None if found is None else found[0], subject),
        money=_first_money(title, opening),
        record=_record(title, opening),
    )


def _texts(title: str, summary: str) -> tuple[str, str]:
    """The title and the summary's opening, as facts are read from them."""
    title = _REPOST_RE.sub("", strip_title_prefix(nfkc(title))).strip()
    return title, first_sentence(strip_zh_lead(nfkc(summary)), limit=240)


def _actual(event: str | None, subject: str | None) -> str | None:
    """The event as it can be told of its subject: an inquiry is a regulator's; a
    newsroom's "investigation" (or one by no one named) is no event at all."""
    return None if event == "调查" and subject not in REGULATORS else event


def _record(title: str, opening: str) -> bool:
    return _RECORD_RE.search(f"{title} {opening}") is not None


def _read(title: str, summary: str) -> Facts:
    title, opening = _texts(title, summary)
    in_opening = find_names(opening)[:3]
    names = find_names(title) or in_opening[:2]
    found_money, valuation = _money(title, opening)
    event, objects = _event(title, opening)
    subject = _subject(title, names)
    return Facts(
        subject=subject,
        names=names,
        event=_actual(event, subject),
        objects=objects,
        mentioned=in_opening,
        money=found_money,
        valuation=valuation,
        talks=_TALKS_RE.search(title) is not None,
        reported=_REPORTED_RE.search(title) is not None,
        qualifiers=_qualifiers(title) or _qualifiers(opening),
        record=_record(title, opening),
        topics=[t for t in _TOPIC_TABLE.find(fold(f"{title} {opening}")) if t not in FILLER],
        backers=_backers_in(f"{title}。{opening}"),
    )


# Words that say the names in their clause invest: "京东、上汽等参投", "led by Sequoia",
# "Raises $16 Billion From Alphabet".
_BACKER_RE = re.compile(r"领投|参投|跟投|联合投资|入局|\bled by\b|\bbacked by\b|\bfrom\b", re.I)
_CLAUSE_END = "，,。；;"


def _backers_in(text: str) -> list[str]:
    found: list[str] = []
    for hit in _BACKER_RE.finditer(text):
        start = max(text.rfind(ch, 0, hit.start()) for ch in _CLAUSE_END + "：:") + 1
        ends = [at for ch in _CLAUSE_END if (at := text.find(ch, hit.end())) >= 0]
        clause = text[start : min(ends, default=len(text))]
        found += [n for n in find_names(clause) if n not in found]
    return found


BIG_DEAL_USD = 5e8 / 7.2  # ¥5亿, about $70M ($100M is well above it)
RULE_WEIGHT = 2.0  # in a story's weight: a regulator's rule weighs like two more outlets
# A leading lab's launch and a record result weigh like one more outlet each.
LEADER_LAUNCH_WEIGHT = 1.0
RECORD_WEIGHT = 1.0


def big_deal(facts: Gist, *, spend: bool = False) -> bool:
    """A deal or funding (with `spend`, also a spending) of at least ¥5亿."""
    events = DEAL_EVENTS | {"投入"} if spend else DEAL_EVENTS
    usd = facts.money.usd if facts.money else None
    return facts.event in events and usd is not None and usd >= BIG_DEAL_USD * 0.999


def story_weight(facts: Gist, outlets: int) -> float:
    """How much a story weighs on the day, in outlets: the outlets that reported it, plus one
    per tenfold of a big deal above ¥5亿 ($16B weighs like three more outlets), plus
    `RULE_WEIGHT` for a regulator's rule (it binds everyone), plus one for a leading lab's
    launch or a record result. Ranks the day's 🔥 items and its 重点关注."""
    return weighed(outlets, weight_extras(facts))


def weight_extras(facts: Gist) -> tuple[float, ...]:
    """What a story's facts add to its outlets for its weight (`story_weight`), in order."""
    extras: list[float] = []
    if big_deal(facts, spend=True) and facts.money is not None and facts.money.usd:
        extras.append(math.log10(facts.money.usd / BIG_DEAL_USD))
    if facts.regulator and facts.event in RULE_EVENTS:
        extras.append(RULE_WEIGHT)
    if facts.leader and facts.event in LAUNCH_EVENTS:
        extras.append(LEADER_LAUNCH_WEIGHT)
    if facts.record and facts.event in ("业绩", "IPO"):
        extras.append(RECORD_WEIGHT)
    return tuple(extras)


def weighed(outlets: int, extras: tuple[float, ...]) -> float:
    """A story's weight from its outlets and its facts' `weight_extras`."""
    weight = float(outlets)
    for extra in extras:  # added one by one, in order: the same float every time
        weight += extra
    return weight


def majors(facts: Gist, outlets: int, *, ai: bool) -> list[str]:
    """Why an editor would call the story major; empty when nothing says so."""
    said: list[str] = []
    if outlets >= 3:
        said.append("多家媒体报道")
    if not ai:  # a big buyback of a non-AI company is not the AI digest's major news
        return said
    if big_deal(facts, spend=True):
        said.append("大额交易")
    if facts.leader and facts.event in LAUNCH_EVENTS and outlets >= 2:
        said.append("头部公司重要发布")
    if facts.regulator and facts.event in RULE_EVENTS:
        said.append("监管规则")
    if facts.event == "业绩" and facts.record:
        said.append("业绩拐点")
    return said


def _modal(facts: Facts) -> str:
    return "据悉" if facts.reported else "拟" if facts.talks else ""


def _amount_phrase(facts: Facts) -> str:
    if facts.money is None:
        return ""
    return ("估值" if facts.valuation else "") + facts.money.zh()


def lead_in(facts: Facts) -> str | None:
    """A short Chinese lead from the facts ("Waymo 融资 160亿美元"); None when too thin."""
    who_did = _who_did(facts)
    if who_did is None or facts.subject is None:
        return None
    if facts.event in WITH_WHOM and not _others(facts):
        return None  # "Figure 交易" before a headline says nothing of what was agreed
    lead = facts.subject + " " + who_did.removeprefix(facts.subject).lstrip()
    if facts.money is not None and facts.event in MONEY_EVENTS:
        lead += " " + _amount_phrase(facts) + ("融资" if facts.event == "参投" else "")
    return lead


def _topic(facts: Facts, domestic: bool) -> str:
    # An investor's own field is not the round's: Nvidia (芯片) joining a robotics round.
    own = set(_TOPIC_TABLE.find(fold(facts.subject or ""))) if facts.event == "参投" else set()
    topic = next((t for t in facts.topics if t not in _NOT_FIELDS and t not in own), "AI")
    return "国产" + topic if domestic and topic in ("芯片", "算力") else topic


# Topics that name an event, not a field; "赛道" and "领域" need a field.
_NOT_FIELDS = frozenset(
    ("融资", "估值", "并购", "IPO", "监管", "诉讼", "财报", "人才", "裁员", "开源")
)


def laws_in(text: str) -> list[str]:
    """The laws and rules a text names ("数据法案", "出口管制" …), as `Facts.laws`."""
    return _LAW_TABLE.find(fold(text))


def _others(facts: Facts) -> list[str]:
    """Up to two names besides the subject: what the event was done to, else any named."""
    after = [n for n in facts.objects if n != facts.subject]
    return (after or [n for n in facts.names if n != facts.subject])[:2]


def _who_did(facts: Facts) -> str | None:
    """ "逐际动力融资", "xAI与SpaceX合并", "马斯克据悉合并SpaceX与xAI", "欧盟委员会就数据法案征求意见"."""
    subject, event, modal = facts.subject, facts.event, _modal(facts)
    if subject is None or event is None:
        return None
    others = _others(facts)
    law = next((t for t in facts.topics if t in LAWS), None)
    if event == "合并" and others:
        if subject in PEOPLE and len(others) == 2:
            return f"{subject}{modal}合并{others[0]}与{others[1]}"
        return f"{subject}与{others[0]}{modal}合并"
    if event == "收购" and others:
        return f"{subject}{modal}收购{others[0]}"
    if event == "诉讼" and others:
        return f"{subject}与{others[0]}的诉讼纠纷"
    if event in WITH_WHOM and others:
        return f"{subject}与{others[0]}{modal}{event}"
    if event == "调查":  # a regulator's, by `_actual`
        return f"{subject}{modal}启动调查"
    if event == "征求意见":
        return f"{subject}就{law}征求意见" if law else f"{subject}征求意见"
    if event == "监管":
        return f"{subject}{law or ''}监管新动向"
    return _spaced(f"{subject}{modal}", _EVENT_PHRASE.get(event, event))


def _spaced(head: str, tail: str) -> str:
    """Two parts joined as a Chinese reader writes them: "MiniMax IPO", "MiniMax融资"."""
    if head[-1:].isascii() and head[-1:].isalnum() and tail[:1].isascii() and tail[:1].isalnum():
        return f"{head} {tail}"
    return head + tail


_EVENT_PHRASE = {
    "订单": "获订单",
    "业绩": "公布业绩",
    "人事": "人事变动",
    "落地": "推进落地",
    "研究": "发表研究",
}


def _fact_clause(facts: Facts) -> str | None:
    """Who did what, how big: "逐际动力融资2亿美元", "寒武纪公布业绩，首次年度盈利"."""
    clause = _who_did(facts)
    if clause is None:
        return None
    if facts.money is not None and facts.event in MONEY_EVENTS:
        amount = facts.money.zh()
        if facts.valuation:
            clause += f"，估值{amount}"
        elif facts.event in ("融资", "投入"):
            clause += amount
        elif facts.event == "参投":
            clause += f"{amount}融资"
        else:
            clause += f"，涉及{amount}"
    if facts.qualifiers:
        clause += "，" + "、".join(facts.qualifiers)
    return clause


def _significance(facts: Facts, category: str, domestic: bool) -> str:
    """Why this kind of news matters, in the story's field, from what its facts say."""
    topic = _topic(facts, domestic)
    # A regulator's signed agreement is policy ("Commission signs AI Factory agreements").
    if facts.official and (facts.kind not in ("rule", "court", "deal", "funding") or
                           facts.event == "签约"):  # fmt: skip
        law = "、".join(sorted(facts.laws))
        return (
            f"官方举措，{law}规则的执行值得相关企业关注"
            if law
            else "官方举措，影响AI产业的政策环境"
        )
    if facts.kind == "launch":
        return _launch_why(facts, topic, domestic)
    said = _KIND_SIGNIFICANCE.get(facts.kind or "")
    if said is not None:
        return said(facts, topic)
    if facts.event == "诉讼":
        return "头部公司之间的法律纠纷可能影响行业竞争格局" if facts.leader else "围绕AI的法律纠纷"
    industry = _industry(facts)
    if category == "行业应用" and industry is None:
        return "AI在产业中的落地进展"  # not "AI在行业场景": no industry was named
    template = _CATEGORY_SIGNIFICANCE.get(category, "{topic}领域的新动态")
    return template.format(topic=topic, industry=industry)


def _industry(facts: Facts) -> str | None:
    """The industry AI is applied in, as a reader says it ("医疗", not "AI+医疗")."""
    found = next((t for t in facts.topics if t in INDUSTRIES), None)
    return found.removeprefix("AI+") if found else None


HUGE_USD = 1e9  # a deal of a billion dollars or more is rare even for AI: "巨额"


def _huge(facts: Facts) -> bool:
    return facts.money is not None and (facts.money.usd or 0) >= HUGE_USD * 0.999


def _backers(facts: Facts) -> list[str]:
    """Known companies named beside the subject: the investors or partners of a deal."""
    subject = facts.subject or ""
    skip = {subject, PARENT.get(subject), *REGULATORS}
    return [name for name in facts.backers if name not in skip][:2]


def _funding_why(facts: Facts, topic: str) -> str:
    backers = _backers(facts)
    if facts.talks:
        return f"融资尚未完成，{topic}领域的资金需求仍在扩大"
    if facts.valuation and _huge(facts):
        return f"估值达{facts.money.zh() if facts.money else ''}，{topic}头部公司的身价继续抬升"
    if _huge(facts):
        return f"巨额融资抬高了{topic}赛道的竞争门槛"
    if backers:
        return f"{'、'.join(backers)}等产业资本入局，看好{topic}赛道"
    if big_deal(facts):
        return f"大额融资显示资本对{topic}赛道的信心"
    return f"{topic}赛道的早期资本动向"


def _deal_why(facts: Facts, topic: str) -> str:
    if facts.event in ("签约", "订单"):  # an order or a supply deal, not a merger
        if _huge(facts):
            return f"巨额订单显示{topic}需求依然旺盛"
        if facts.money or facts.event == "订单":
            return f"{topic}的商业化订单落地"
        return f"合作推动{topic}的落地与商业化"
    if _huge(facts):
        return f"巨额交易将重塑{topic}领域的竞争格局"
    if facts.leader:
        return f"头部公司以并购补强{topic}能力"
    if big_deal(facts):
        return f"大额交易将改变{topic}领域的竞争格局"
    return f"{topic}领域的整合动向"


def _launch_why(facts: Facts, topic: str, domestic: bool) -> str:
    if facts.event == "开源":
        return (f"头部企业向开发者开放能力，{topic}开源阵营再添重量级选手" if facts.leader
                else f"开发者可直接复用，降低了{topic}的使用门槛")  # fmt: skip
    if facts.event == "落地":
        industry = _industry(facts)
        return f"AI在{industry}场景从研发走向应用" if industry else f"{topic}从研发走向实际应用"
    if facts.qualifiers:
        return f"{topic}领域出现新的标杆产品"
    field = _LAUNCH_FIELD.get(topic.removeprefix("国产"))
    if facts.leader:
        who = "国内头部企业" if domestic else "海外头部企业"
        return f"{who}加码{topic}，" + (field or "同类产品面临直接竞争")
    return field or f"{topic}领域又添新产品，竞争更趋激烈"


# What a launch in a field means for that field (the field is a fact: a topic it names).
_LAUNCH_FIELD = {
    "芯片": "算力供给再添新选择",
    "算力": "算力供给再添新选择",
    "智能体": "AI从对话走向替用户执行任务",
    "具身智能": "具身智能从演示走向产品",
    "机器人": "机器人从演示走向产品",
    "视频生成": "视频生成的时长与质量门槛继续抬高",
    "AI编程": "AI编程工具的竞争进一步升温",
    "多模态": "多模态正成为模型的标配能力",
    "自动驾驶": "智能驾驶能力加速上车",
    "智能汽车": "AI能力加速上车",
    "AI+医疗": "AI在医疗场景的应用再进一步",
    "AI+教育": "AI在教育场景的应用再进一步",
    "AI+金融": "AI在金融场景的应用再进一步",
    "世界模型": "世界模型成为继大模型之后的新赛道",
    "语音AI": "语音交互能力继续提升",
}


def _earnings_why(facts: Facts, topic: str) -> str:
    if facts.record:
        return f"{topic}企业业绩迎来拐点，AI需求正在兑现为收入"
    return f"业绩反映{topic}的商业化进展"


def _spend_why(facts: Facts, topic: str) -> str:
    if _huge(facts) and facts.leader:
        return f"头部企业大手笔押注{topic}，基础设施竞赛升级"
    if big_deal(facts, spend=True):
        return f"大额投入显示{topic}竞争加剧"
    return f"{topic}领域的投入"


def _rule_why(facts: Facts, topic: str) -> str:
    if facts.event == "征求意见":
        return "规则尚在公开征求意见，定稿后将约束相关企业"
    if facts.event == "调查":
        return "监管调查可能带来处罚或整改要求，相关企业需关注合规风险"
    if facts.laws:
        return f"{'、'.join(sorted(facts.laws))}相关规则直接影响AI企业的合规与经营"
    return "监管规则直接影响AI企业的合规与经营"


_KIND_SIGNIFICANCE: dict[str, Callable[[Facts, str], str]] = {
    "funding": _funding_why,
    "deal": _deal_why,
    "earnings": _earnings_why,
    "spend": _spend_why,
    "rule": _rule_why,
    "ipo": lambda facts, topic: f"又一家{topic}企业登陆资本市场",
    "people": lambda facts, topic: f"{topic}领域的人才争夺仍在升温",
    "layoff": lambda facts, topic: f"{topic}企业收缩人员，调整投入方向",
    "partner": lambda facts, topic: f"合作推动{topic}的落地与商业化",
}


# Topics that are an industry AI is applied in ("AI在自动驾驶场景的落地").
INDUSTRIES = frozenset(
    ("自动驾驶", "智能汽车", "AI+医疗", "AI+金融", "AI+教育", "机器人", "具身智能", "AI编程")
)


_CATEGORY_SIGNIFICANCE = {
    "安全与伦理": "AI安全与伦理风险引发关注",
    "行业应用": "AI在{industry}场景的落地进展",
    "重大学术突破": "{topic}方向的前沿研究",
    "重大商业动态": "{topic}领域的商业动向",
    "重大产品发布": "{topic}领域的新产品",
    "重大政策与法规": "政策动向影响AI产业",
}


def reason_of(facts: Facts, *, outlets: int, category: str, domestic: bool, source: str) -> str:
    """One or two Chinese sentences from the facts: outlets, who did what how big, why it matters.

    A story whose facts say nothing (no subject, event or topic) is only said to be
    reported: "据36氪报道。".
    """
    said = [f"{outlets}家媒体报道"] if outlets >= 2 else []
    clause = _fact_clause(facts)
    if clause is None and not facts.topics:
        return "；".join(said) + "。" if said else f"据{source}报道。"
    significance = _significance(facts, category, domestic)
    said.append(f"{clause}，{significance}" if clause else significance)
    return "；".join(said) + "。"


def tags_of(facts: Facts, *, limit: int = 4) -> list[str]:
    """Who (the subject, then one more named company) and topics; never a verb or filler word."""
    # "商汤旗下公司" says who did it, but as a tag only its owner (a name) is one.
    names = [facts.subject] if facts.subject and "旗下" not in facts.subject else []
    names += [n for n in facts.names if n not in names]
    tags: list[str] = []
    for tag in (*names[:2], *facts.topics):
        if tag not in tags and tag not in FILLER and len(tags) < limit:
            tags.append(tag)
    return tags


def headline_phrase(title: str) -> str | None:
    """A 重点关注 phrase from a headline: a Chinese report's own words, else the facts' lead-in."""
    text = trim_end_punct(_REPOST_RE.sub("", strip_title_prefix(" ".join(title.split()))).strip())
    if is_chinese(text):
        return text or None
    return lead_in(facts_from(title))


def english_headline(entry: Entry, *, paper: bool) -> str:
    """An English-only story as shown: its headline, after a Chinese lead-in built from its facts."""
    title = " ".join(strip_title_prefix(entry.title).split())
    lead = lead_in(facts_of(entry)) or ("研究论文" if paper else None)
    return f"{lead}：{title}" if lead else title
