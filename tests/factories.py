"""Realistic Digest and Item objects for tests, taken from the 2026-02-03 reference report.

`make_item(**overrides)` builds one Item (the report's first 国内动态 item unless
told otherwise); `make_digest(n_domestic=14, n_international=13, **overrides)`
builds a whole day, numbered 1..N domestic first. Links and sources belong to
the story they describe (the reference report's 国际动态 half had them swapped).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.models import (
    SECTIONS,
    CuratorStats,
    Digest,
    FeedStatus,
    Item,
    Mention,
    PoolItem,
    Region,
    ScoreParts,
    Sections,
    Window,
)

DAY = "2026-02-03"
TIMEZONE = "Asia/Shanghai"
# 08:00 in Shanghai is 00:00 UTC.
WINDOW_END = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
GENERATED_AT = datetime(2026, 2, 3, 0, 45, 53, tzinfo=UTC)

FEEDS: dict[str, tuple[str, Region]] = {
    "kr36": ("36氪", "domestic"),
    "leiphone": ("AI科技评论", "domestic"),
    "jiqizhixin": ("机器之心", "domestic"),
    "qbitai": ("量子位", "domestic"),
    "techcrunch": ("TechCrunch AI", "international"),
    "bloomberg": ("Bloomberg Technology", "international"),
    "wired": ("Wired AI", "international"),
    "eu_ai": ("EU AI Policy", "international"),
    "arxiv_ai": ("arXiv AI", "international"),
}

# (feed, link, importance, category, title, summary, reason, tags)
Story = tuple[str, str, str, str, str, str, str, list[str]]

DOMESTIC: list[Story] = [
    (
        "kr36",
        "https://36kr.com/p/3667233081221763",
        "high",
        "重大产品发布",
        "中科曙光scaleX万卡超集群进入国内重大工程应用阶段",
        "2月3日消息，中科曙光宣布其scaleX万卡超集群已进入国内AI大模型及行业智能化重大工程的应用阶段，"
        "相关项目将于近期上线试运行，标志着国产算力基础设施在支撑国家级AI战略上取得关键进展。",
        "涉及中国核心算力企业（中科曙光）的关键基础设施（万卡超集群）进入国家级重大工程应用，"
        "属于国内AI产业基础能力建设的重要动态。",
        ["算力基础设施", "重大工程", "国产化"],
    ),
    (
        "kr36",
        "https://36kr.com/p/3666200370143873",
        "high",
        "重大产品发布",
        "华为云智慧医疗专区开放公测，加速 AI 普惠基层医疗",
        "2月3日消息，华为云正式发布并开放公测“行业AI梦工厂”智慧医疗专区，该专区融合了瑞金医院等顶级医疗机构的"
        "临床经验，推出业界首个智慧病理端云协同解决方案，旨在加速AI技术在基层医疗的普惠应用。",
        "中国科技巨头华为在关键垂直行业（医疗）发布重要AI产品与解决方案，并与国内顶级医疗机构深度合作，"
        "具有显著的产业落地和示范效应。",
        ["行业大模型", "AI+医疗", "产业落地"],
    ),
    (
        "leiphone",
        "https://www.leiphone.com/category/zaobao/HEnTXDsNSvALTBhx.html",
        "high",
        "重大学术突破",
        "开源炸场！优必选具身智能大模型Thinker再次狂揽9项全球第一！",
        "2月3日消息，优必选宣布对其具身智能大模型Thinker进行“小参数、高性能、全开源”架构升级，升级后的模型在"
        "多项基准测试中斩获9项全球第一，旨在为工业人形机器人提供快速反应与精准空间感知的下一代智能大脑。",
        "中国领先的机器人公司优必选在具身智能核心模型上取得突破性进展（9项SOTA），并采取全开源策略，"
        "对国内具身智能生态发展有重大影响。",
        ["具身智能大模型", "开源", "SOTA性能"],
    ),
    (
        "kr36",
        "https://36kr.com/p/3666915646218885",
        "high",
        "重大商业动态",
        "逐际动力完成2亿美元B轮融资",
        "2月3日消息，深圳具身智能机器人公司逐际动力宣布完成2亿美元B轮融资，由阿联酋磊石资本、东方富海、京东、"
        "上汽集团等多家国内外知名机构与产业资本投资，资金将用于加大全栈技术研发和市场投入。",
        "中国具身智能领域头部公司获得巨额融资（2亿美元），涉及国内外知名投资机构和重量级产业资本（如京东、上汽），"
        "是行业发展的风向标。",
        ["巨额融资", "具身智能", "产业资本"],
    ),
    (
        "kr36",
        "https://36kr.com/p/3667222616056709",
        "high",
        "重大商业动态",
        "天顿数据获福田资本8亿元战略投资",
        "2月3日消息，深圳天顿数据科技有限公司获得深圳市福田区国资委全资控股的福田资本8亿元人民币战略投资，"
        "资金将用于加强AI智算基础设施建设与拓展算力服务能力，助力其母公司粤港湾控股向AI智算服务商转型。",
        "获得地方国资（福田资本）大额战略投资，涉及AI算力基础设施这一关键领域，体现了地方资本对AI新基建的支持，"
        "具有政策和产业双重意义。",
        ["国资投资", "AI算力", "新基建"],
    ),
    (
        "kr36",
        "https://36kr.com/p/3661841941013126",
        "medium",
        "重大商业动态",
        "千问APP投入30亿元启动春节请客计划",
        "2月3日消息，阿里巴巴旗下千问APP宣布投入30亿元启动“春节请客计划”，联合淘宝、飞猪、支付宝等阿里生态业务，"
        "通过免单等形式推广AI应用，这是阿里历史上春节活动最大投入，旨在抢占AI应用入口。",
        "中国互联网巨头阿里巴巴通过旗下核心AI应用发起大规模市场攻势（投入30亿），属于重要的AI应用推广和生态竞争行为。",
        ["AI应用推广", "生态竞争", "市场活动"],
    ),
    (
        "leiphone",
        "https://www.leiphone.com/category/zaobao/OlJhTaugA2QjJjZL.html",
        "medium",
        "重大产品发布",
        "何小鹏：2026年是物理AI商业化落地的关键一年",
        "2月3日消息，小鹏汽车董事长何小鹏在公司年会上系统阐述技术路径，判断智能座舱与智能驾驶将技术合流组成"
        "“超级智能体”，并将2026年确立为“物理AI商业化落地的关键一年”，目标是抓住自动驾驶的“DeepSeek时刻”。",
        "中国头部智能汽车公司小鹏汽车发布重要的AI技术融合战略（超级智能体），明确了下一代产品和技术发展方向，"
        "对行业有指引作用。",
        ["技术战略", "智能驾驶", "物理AI"],
    ),
    (
        "kr36",
        "https://36kr.com/p/3665581867737728",
        "medium",
        "行业应用",
        "豆包成为浦东美术馆官方AI讲解员",
        "2月3日消息，字节跳动旗下AI应用豆包与上海浦东美术馆达成合作，成为馆内两项国际大展的官方AI讲解员，"
        "通过独家数据合作提升艺术品的识别与讲解能力，探索AI在文化场景的深度应用。",
        "中国头部AI应用（豆包）DAU破亿后，在文化领域实现重要的标杆性合作，展示了AI赋能传统行业的新场景。",
        ["AI应用落地", "文化赋能", "标杆合作"],
    ),
    (
        "leiphone",
        "https://www.leiphone.com/category/ai/Xj3mwumZ3TUHjFsF.html",
        "medium",
        "重大商业动态",
        "全国首个产业人工智能研究与应用专家委员会成立",
        "2月3日消息，万联易达在京成立全国首个“产业人工智能研究与应用专家委员会”，由清华大学孙茂松院士领衔，"
        "旨在汇聚顶尖学术力量，破解产业AI大模型研发中的技术卡点，推动AI技术商业化闭环。",
        "中国企业牵头成立首个产业AI专委会，联合国内顶尖高校和研究机构，旨在解决AI落地深水区的核心问题，具有模式创新意义。",
        ["产学研合作", "产业AI", "专家委员会"],
    ),
    (
        "leiphone",
        "https://www.leiphone.com/category/ai/tzyDcW4dg7W7Zai3.html",
        "medium",
        "重大商业动态",
        "辛米尔科技连续完成亿元A轮及A+轮融资",
        "2月3日消息，上海辛米尔科技有限公司宣布连续完成亿元A轮及A+轮融资，该公司由上海交大和清华团队创立，"
        "其“感算一体”AI技术已服务苹果、比亚迪、宁德时代等客户，融资将用于芯片研发与全球化商业落地。",
        "源自中国顶尖高校的创业团队获得大额融资，其端侧AI技术已获得国际头部客户认可，是“学研产”成功结合的典型案例。",
        ["高校创业", "端侧AI", "感算一体"],
    ),
    (
        "leiphone",
        "https://www.leiphone.com/category/industrynews/RwT9ymUDieNj7ht2.html",
        "medium",
        "重大学术突破",
        "千寻智能开源具身模型Spirit v1.5",
        "2月3日消息，千寻智能宣布开源其全球领先的具身模型Spirit v1.5，"
        "该模型在RobotChallenge榜单中超越国际标杆，创始人韩峰涛强调公司正构建大规模数据采集能力，致力于让机器人成为真正的生产力工具。",
        "中国机器人公司开源了性能全球领先的具身智能模型，并阐述了务实的产品化路线，对国内开源生态和技术进步有积极影响。",
        ["开源模型", "具身智能", "全球领先"],
    ),
    (
        "kr36",
        "https://36kr.com/newsflashes/3667221059363456",
        "low",
        "重大商业动态",
        "鹿明机器人：2026年将建成超100万小时UMI数据采集产能",
        "2月3日消息，鹿明机器人CEO喻超首次对外披露，公司2026年将建成超100万小时的UMI数据采集产能，"
        "预期营收达数亿元，但其长期战略重心仍放在通往通用智能的终局目标上。",
        "国内具身智能领域新兴公司公布其商业化预期和长期技术战略，反映了行业参与者的竞争态势和发展思路。",
        ["具身智能", "商业化预期", "公司战略"],
    ),
    (
        "kr36",
        "https://36kr.com/p/3666826665075331",
        "low",
        "重大商业动态",
        "腾讯混元引入庞天宇担任首席研究科学家",
        "2月3日消息，腾讯混元大模型团队引入AI领域知名专家庞天宇担任首席研究科学家，此举旨在加强腾讯在AI大模型"
        "基础研究与技术创新的核心实力，应对日益激烈的大模型竞争。",
        "中国科技巨头腾讯为其核心AI团队引入关键人才，属于企业强化AI研发实力的常规但重要的动态。",
        ["人才引进", "大模型", "研发强化"],
    ),
    (
        "leiphone",
        "https://www.leiphone.com/category/industrynews/ontXdvRmLhDbCLig.html",
        "low",
        "重大商业动态",
        "寒武纪预计实现10年来首次年度盈利",
        "2月3日消息，国产AI芯片公司寒武纪预计实现10年来首次年度盈利，业绩同比大幅增长4至5倍，"
        "这标志着公司在经历长期投入后，其产品商业化与市场拓展取得关键性突破。",
        "中国重要的AI芯片设计公司实现里程碑式的盈利转折，对国产AI芯片行业的信心和可持续发展具有象征意义。",
        ["AI芯片", "首次盈利", "业绩突破"],
    ),
]

INTERNATIONAL: list[Story] = [
    (
        "techcrunch",
        "https://techcrunch.com/2026/02/02/elon-musk-spacex-acquires-xai-data-centers-space-merger/",
        "high",
        "重大商业动态",
        "Elon Musk's SpaceX acquires xAI in a deal valued at $1.25 trillion",
        "2月3日消息，埃隆·马斯克正式将旗下人工智能公司xAI并入太空探索技术公司SpaceX，合并后实体估值高达1.25万亿美元，"
        "旨在整合资源以支持其在人工智能和太空探索领域日益庞大的雄心，并计划探索建设太空数据中心。",
        "涉及全球顶级科技巨头（SpaceX、xAI）的巨额合并，创造了全球最具价值的私营公司，"
        "对AI基础设施和国家安全格局有深远影响。",
        ["并购", "估值", "埃隆·马斯克", "AI基础设施"],
    ),
    (
        "wired",
        "https://www.wired.com/story/nonprofits-urge-federal-agencies-to-stop-using-grok/",
        "high",
        "安全与伦理",
        "Nonprofits urge federal agencies to suspend use of xAI's Grok",
        "2月3日消息，美国多个非营利组织联合敦促联邦政府在其机构中暂停使用xAI开发的聊天机器人Grok，"
        "原因是该模型生成了大量未经同意的色情图像，引发了国家安全和儿童安全方面的严重关切。",
        "涉及AI生成有害内容引发的重大伦理与安全争议，并已上升至要求政府层面采取行动，对AI治理和模型部署有直接影响。",
        ["AI安全", "伦理争议", "政府监管", "xAI"],
    ),
    (
        "eu_ai",
        "https://digital-strategy.ec.europa.eu/en/consultations/"
        "data-act-commission-seeks-feedback-draft-guidelines-reasonable-compensation",
        "high",
        "重大政策与法规",
        "Data Act: Commission seeks feedback on draft guidelines on reasonable compensation",
        "2月3日消息，欧盟委员会就《数据法案》中关于“合理补偿”的草案指南公开征求意见，旨在为企业提供更清晰的补偿框架，"
        "以明确其在数据共享中的权利与义务，推动数据经济的健康发展。",
        "欧盟层面推动数据法案实施的关键步骤，直接影响数据（包括AI训练数据）的获取、使用和定价规则，"
        "对全球AI产业有重要规范意义。",
        ["欧盟政策", "数据法案", "监管", "数据经济"],
    ),
    (
        "bloomberg",
        "https://www.bloomberg.com/news/articles/2026-02-02/"
        "waymo-raises-16-billion-from-alphabet-others-to-expand-service",
        "high",
        "重大商业动态",
        "Waymo Raises $16 Billion From Alphabet, Others to Expand Service",
        "2月3日消息，谷歌母公司Alphabet旗下的自动驾驶公司Waymo成功融资160亿美元，估值达1260亿美元，"
        "此轮巨额融资将用于支持其作为机器人出租车先驱的快速扩张计划。",
        "自动驾驶领域的标志性企业获得超大规模融资，金额巨大，反映了资本市场对AI在自动驾驶领域商业化前景的强烈信心。",
        ["融资", "自动驾驶", "Waymo", "Alphabet"],
    ),
    (
        "bloomberg",
        "https://www.bloomberg.com/news/articles/2026-02-02/"
        "openai-accuses-musk-s-xai-of-destroying-evidence-in-court-fight",
        "high",
        "安全与伦理",
        "OpenAI Accuses Musk's xAI of Destroying Evidence in Court Fight",
        "2月3日消息，OpenAI在法庭文件中指控埃隆·马斯克的人工智能公司xAI存在“系统性、故意销毁证据”的行为，"
        "此指控源于xAI起诉OpenAI试图在新兴市场扼杀竞争的反垄断诉讼。",
        "涉及全球两大顶尖AI公司（OpenAI与xAI）的法律纠纷升级，事件本身具有高关注度，且指控性质严重，"
        "可能影响诉讼结果和行业竞争格局。",
        ["法律诉讼", "OpenAI", "xAI", "反垄断"],
    ),
    (
        "techcrunch",
        "https://techcrunch.com/2026/02/02/openai-launches-a-codex-app-for-macos/",
        "medium",
        "重大产品发布",
        "OpenAI launches a new macOS app for agentic coding",
        "2月3日消息，OpenAI正式发布了一款新的macOS应用程序，深度集成了自Codex发布以来流行的智能体编码实践，"
        "旨在为开发者提供更强大的本地化AI编程辅助工具。",
        "OpenAI发布重要的桌面端产品，将AI智能体能力更深入地集成到开发者工作流中，是AI在软件开发领域应用普及的关键一步。",
        ["产品发布", "OpenAI", "软件开发", "智能体"],
    ),
    (
        "bloomberg",
        "https://www.bloomberg.com/news/articles/2026-02-02/sitime-said-to-near-deal-for-renesas-timing-unit",
        "medium",
        "重大商业动态",
        "SiTime Said to Near $3 Billion Deal for Renesas Timing Unit",
        "2月3日消息，模拟芯片制造商SiTime公司据悉即将达成协议，以约30亿美元的价格收购瑞萨电子公司的计时器件业务部门，"
        "此举将加强其在精密计时芯片市场的地位。",
        "涉及半导体行业的重要并购，金额达数十亿美元，AI和高速计算对精密计时组件需求旺盛，此次并购可能影响相关供应链。",
        ["并购", "半导体", "芯片", "供应链"],
    ),
    (
        "bloomberg",
        "https://www.bloomberg.com/news/articles/2026-02-02/hpe-juniper-judge-allows-states-to-depose-lawyers",
        "medium",
        "重大政策与法规",
        "Judge Lets States Question Lawyers in HPE-Juniper Antitrust Review",
        "2月3日消息，审理惠普企业收购瞻博网络反垄断案的法官裁定，允许挑战该交易的相关州对交易双方聘请的律师和顾问"
        "进行宣誓取证，为美国司法部已批准的这笔收购增添了新的审查变数。",
        "涉及大型科技并购（HPE收购Juniper）的反垄断审查出现新进展，司法程序的深入可能影响交易最终结果，"
        "凸显AI基础设施领域的竞争监管。",
        ["反垄断", "并购审查", "HPE", "Juniper"],
    ),
    (
        "wired",
        "https://www.wired.com/story/ice-face-recognition-app-mobile-fortify/",
        "medium",
        "安全与伦理",
        "ICE Is Using a Face Recognition App That Taps 1.2 Billion Images",
        "2月3日消息，美国联邦移民官员正在使用一款面部识别应用程序，该程序能够调用美国政府生物特征数据库中超过12亿张"
        "人脸图像，引发了关于大规模监控与公民隐私权的广泛讨论。",
        "美国政府机构大规模部署人脸识别AI技术，涉及海量生物特征数据，是AI在公共安全领域应用与隐私伦理冲突的典型案例，"
        "具有政策风向标意义。",
        ["人脸识别", "隐私", "政府应用", "生物特征"],
    ),
    (
        "arxiv_ai",
        "https://arxiv.org/abs/2602.00574",
        "medium",
        "重大学术突破",
        "Latent Chain-of-Thought for Vision-Intensive Multimodal Reasoning",
        "2月3日消息，研究人员提出一种新方法，通过潜在嵌入扩展思维链推理至多模态领域，以更好地处理视觉密集型问题，"
        "解决传统文本形式思维链在关键中间状态推理上的失败。",
        "针对多模态AI的核心挑战——推理能力，提出了改进思维链方法的研究，属于AI基础能力的前沿探索，"
        "对提升模型复杂问题解决能力有潜在价值。",
        ["多模态", "推理", "思维链", "学术研究"],
    ),
    (
        "arxiv_ai",
        "https://arxiv.org/abs/2602.00298",
        "medium",
        "安全与伦理",
        "Emergent Misalignment from Narrow Fine-Tuning Across Domains",
        "2月3日消息，一项新研究通过在不同领域的不安全数据集上微调大语言模型，评估了窄域微调引发模型突发性错位的风险，"
        "为理解和管理AI安全风险提供了新的评估框架。",
        "聚焦AI安全核心问题“错位风险”，提供了系统性的实证评估方法，对指导大模型的安全微调和部署具有重要参考价值。",
        ["AI安全", "错位风险", "大语言模型", "微调"],
    ),
    (
        "arxiv_ai",
        "https://arxiv.org/abs/2602.00415",
        "low",
        "重大学术突破",
        "PolarMem: Training-Free Polarized Latent Graph Memory for Multimodal Agents",
        "2月3日消息，研究团队提出PolarMem，一种无需训练的极化潜在图记忆系统，旨在为从被动观察者进化为长期决策者的"
        "多模态智能体提供兼具信息可用性和逻辑可验证性的记忆架构。",
        "针对多模态智能体的长期记忆与可验证性这一前沿问题提出创新架构，属于AI智能体基础研究的重要进展，但距离实际应用尚远。",
        ["多模态智能体", "记忆系统", "可验证性", "学术研究"],
    ),
    (
        "eu_ai",
        "https://digital-strategy.ec.europa.eu/en/events/ai-mobility-transport-and-automotive-workshop",
        "low",
        "重大政策与法规",
        "Workshop on AI in mobility, transport and automotive",
        "2月3日消息，欧盟将举办一场关于人工智能在移动出行、交通和汽车领域应用的深度研讨会，重点探讨AI如何推动"
        "联网自动驾驶汽车、智能交通系统和数据驱动的交通服务发展。",
        "欧盟官方组织的AI行业应用研讨活动，反映了政策制定者对AI在关键垂直领域（交通）融合发展的关注，具有行业风向意义。",
        ["欧盟", "行业应用", "自动驾驶", "智能交通"],
    ),
]

# Other reports of the same story, by (region, index): they show as 同时报道.
MENTIONS: dict[tuple[Region, int], list[Mention]] = {
    ("domestic", 2): [
        Mention(
            source="机器之心",
            feed="jiqizhixin",
            link="https://www.jiqizhixin.com/articles/2026-02-03-4",
            title="优必选Thinker升级：9项全球第一，全面开源",
        ),
        Mention(
            source="量子位",
            feed="qbitai",
            link="https://www.qbitai.com/2026/02/368812.html",
            title="优必选具身大模型Thinker全开源",
        ),
    ],
    ("international", 0): [
        Mention(
            source="Wired AI",
            feed="wired",
            link="https://www.wired.com/story/spacex-acquires-xai-elon-musk/",
            title="SpaceX Acquires xAI",
        ),
        Mention(
            source="Bloomberg Technology",
            feed="bloomberg",
            link="https://www.bloomberg.com/news/videos/2026-02-02/elon-musk-said-to-be-merging-spacex-and-xai-video",
            title="Elon Musk Said to Be Merging SpaceX and xAI",
        ),
    ],
}

SUMMARY = (
    "今日从163条原始信息中精选出14条国内动态和13条国际动态，其中10条为高重要性。 "
    "重点关注：中科曙光scaleX万卡超集群进入国内重大工程应用阶段；华为云智慧医疗专区开放公测，"
    "加速 AI 普惠基层医疗；开源炸场！优必选具身智能大模型Thinker再次狂揽9项全球第一！。"
)

_IMPORTANCE_SCORE = {"high": 0.6, "medium": 0.4, "low": 0.2}


def _score(importance: str, index: int, sources: int) -> ScoreParts:
    parts = {
        "importance": _IMPORTANCE_SCORE[importance],
        "sources": round(0.05 * sources, 2),
        "recency": round(max(0.02, 0.14 - 0.01 * index), 2),
    }
    return ScoreParts(total=round(sum(parts.values()), 2), parts=parts)


def _story_item(region: Region, index: int, n: int) -> dict[str, Any]:
    stories = DOMESTIC if region == "domestic" else INTERNATIONAL
    feed, link, importance, category, title, summary, reason, tags = stories[index % len(stories)]
    lap = index // len(stories)
    if lap:  # more items than the reference day: same stories, distinct ids and links
        link, title = f"{link}?lap={lap}", f"{title}（{lap + 1}）"
    mentions = MENTIONS.get((region, index), [])
    return {
        "n": n,
        "id": f"{region[:3]}{index:03d}-{n:04d}",
        "title": title,
        "summary": summary,
        "importance": importance,
        "category": category,
        "reason": reason,
        "tags": list(tags),
        "source": FEEDS[feed][0],
        "feed": feed,
        "link": link,
        "published_at": WINDOW_END - timedelta(minutes=17 + 41 * index),
        "also_reported_by": list(mentions),
        "score": _score(importance, index, 1 + len(mentions)),
    }


def make_item(**overrides: Any) -> Item:
    """One realistic Item (the reference's first 国内动态 story); fields can be overridden."""
    region: Region = overrides.pop("region", "domestic")
    index: int = overrides.pop("index", 0)
    data = _story_item(region, index, overrides.get("n", 1))
    data.update(overrides)
    return Item.model_validate(data)


def make_digest(n_domestic: int = 14, n_international: int = 13, **overrides: Any) -> Digest:
    """A realistic day: `n_domestic` then `n_international` items numbered 1..N."""
    domestic = [make_item(region="domestic", index=i, n=i + 1) for i in range(n_domestic)]
    international = [
        make_item(region="international", index=i, n=n_domestic + i + 1)
        for i in range(n_international)
    ]
    items = domestic + international
    high = sum(1 for it in items if it.importance == "high")
    summary = SUMMARY
    if (n_domestic, n_international) != (14, 13):
        summary = (
            f"今日从163条原始信息中精选出{n_domestic}条国内动态和{n_international}条国际动态，"
            f"其中{high}条为高重要性。"
        )
    data: dict[str, Any] = {
        "date": DAY,
        "timezone": TIMEZONE,
        "window": Window(start=WINDOW_END - timedelta(hours=24), end=WINDOW_END),
        "generated_at": GENERATED_AT,
        "raw_count": 163,
        "candidate_count": 131,
        "sections": Sections(domestic=domestic, international=international),
        "summary": summary,
        "feeds": [
            FeedStatus(id=fid, name=name, ok=True, entries=20, in_window=18, elapsed_ms=300)
            for fid, (name, _region) in FEEDS.items()
        ],
        "curator": CuratorStats(),
    }
    data.update(overrides)
    return Digest.model_validate(data)


def make_pool(digest: Digest, per_section: int = 12) -> list[PoolItem]:
    """A pool for `digest`: `per_section` left-out stories a section, numbered after its items,
    scoring below their section's last pick (入选线) by 0.01 more each."""
    n = len(digest.items)
    out: list[PoolItem] = []
    for section in SECTIONS:
        picks = digest.sections.of(section)
        if not picks:
            continue
        cutoff = picks[-1].score.total
        for i in range(per_section):
            n += 1
            item = make_item(region=section, index=len(picks) + i, n=n)
            item = item.model_copy(
                update={
                    "id": f"pool-{section[:3]}{i:03d}",
                    "link": f"https://pool.example.com/{section}/{i}",
                    "score": ScoreParts(
                        total=round(cutoff - 0.01 * (i + 1), 2), parts=dict(item.score.parts)
                    ),
                }
            )
            out.append(PoolItem(**dict(item), section=section, cutoff=cutoff))
    return out
