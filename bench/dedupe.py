"""How well and how fast `pipeline.dedupe.cluster` finds the same story.

    .venv/bin/python bench/dedupe.py [--n 10000] [--baseline-n 2000]

1. Quality: hand-labelled title pairs (Chinese and English; the same story
   reworded by two outlets, and different stories that share words such as
   "OpenAI发布…" or "完成5亿美元融资"). All labelled entries go into ONE batch,
   as on a real day, and a pair counts as merged when both entries end up in the
   same Candidate. Precision and recall are printed for the shipped threshold,
   for a sweep of thresholds, and for a baseline: rapidfuzz `token_set_ratio` on
   the normalised titles at its best threshold.
2. Speed: `cluster()` over N synthetic entries (half Chinese, half English, with
   shared company names, verbs and amounts), against the baseline of comparing
   every pair with rapidfuzz `process.extract` (C loops, one core), measured on a smaller batch
   in the same run and extrapolated quadratically; and the cost of the summary pass: the
   same entries with their summaries removed (and a variant without amounts in the titles,
   where more pairs get as far as the summaries).
3. Summaries: labelled pairs with summaries (same story under titles too far apart,
   and different stories about the same company), `cluster` with the summaries vs the
   same entries without them.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process

from pipeline import dedupe
from pipeline.dedupe import SAME_STORY_THRESHOLD, SAME_SUMMARY_THRESHOLD, TitleIndex, cluster
from pipeline.ids import entry_id
from pipeline.models import Entry
from pipeline.text import CJK_RUN_RE, normalise_title

# (title a, title b, same story?)
ZH_PAIRS: list[tuple[str, str, bool]] = [
    (
        "中科曙光scaleX万卡超集群进入国内重大工程应用阶段",
        "曙光scaleX万卡超集群落地国家级AI重大工程，近期上线试运行",
        True,
    ),
    (
        "逐际动力完成2亿美元B轮融资，京东、上汽集团参投",
        "具身智能公司逐际动力宣布获2亿美元B轮融资",
        True,
    ),
    (
        "开源炸场！优必选具身智能大模型Thinker再次狂揽9项全球第一！",
        "优必选Thinker大模型全面开源，斩获9项全球第一",
        True,
    ),
    (
        "华为云智慧医疗专区开放公测，加速 AI 普惠基层医疗",
        "华为云发布行业AI梦工厂智慧医疗专区，开放公测",
        True,
    ),
    ("千问APP投入30亿启动春节请客计划", "阿里千问砸30亿元启动春节请客，淘宝飞猪支付宝联动", True),
    (
        "寒武纪预计10年来首次年度盈利，业绩增长4至5倍",
        "寒武纪发布业绩预告：预计实现扭亏为盈，首次年度盈利",
        True,
    ),
    ("腾讯混元引入庞天宇担任首席研究科学家", "前谷歌研究员庞天宇加盟腾讯混元大模型团队", True),
    (
        "千寻智能开源具身模型Spirit v1.5，登顶RobotChallenge榜单",
        "千寻智能Spirit v1.5开源：RobotChallenge榜单超越国际标杆",
        True,
    ),
    (
        "马斯克宣布SpaceX合并xAI，估值1.25万亿美元",
        "SpaceX正式收购xAI，合并后估值达1.25万亿美元",
        True,
    ),
    ("Waymo完成160亿美元融资，估值1260亿美元", "谷歌旗下Waymo获160亿美元新融资", True),
    ("OpenAI发布Codex macOS应用", "OpenAI推出Codex桌面版应用，支持macOS", True),
    ("DeepSeek发布V4模型，编程能力大幅提升", "DeepSeek-V4正式上线，代码能力超越GPT-5", True),
    ("月之暗面Kimi K2.5开源，多模态能力登顶", "Kimi K2.5发布并开源：原生多模态智能体模型", True),
    ("智谱完成新一轮30亿元融资", "智谱AI获30亿元融资，国资领投", True),
    (
        "何小鹏：2026年是物理AI商业化落地关键一年",
        "何小鹏年会讲话：智能座舱与智能驾驶将合流为超级智能体",
        True,
    ),
    (
        "字节豆包成为浦东美术馆官方AI讲解员",
        "豆包与上海浦东美术馆达成合作，担任两大国际展AI讲解",
        True,
    ),
    ("辛米尔科技连续完成亿元A轮及A+轮融资", "感算一体AI芯片公司辛米尔完成A+轮融资", True),
    (
        "36氪获悉｜鹿明机器人2026年将建成超100万小时UMI数据采集产能",
        "鹿明机器人喻超：今年UMI数据产能将超100万小时",
        True,
    ),
    ("快讯：英伟达H20芯片恢复对华销售", "英伟达获准恢复向中国销售H20芯片", True),
    ("独家 | 理想汽车自研智驾芯片M100流片成功", "理想汽车M100芯片流片成功，将用于下一代智驾", True),
    ("OpenAI发布GPT-5.3模型", "OpenAI发布Codex macOS应用", False),
    ("OpenAI完成400亿美元融资", "OpenAI发布新一代图像生成模型", False),
    ("华为发布昇腾950芯片", "华为云智慧医疗专区开放公测", False),
    ("阿里通义千问发布Qwen3.5", "阿里千问APP投入30亿启动春节请客计划", False),
    ("智元机器人完成新一轮融资", "逐际动力完成2亿美元B轮融资", False),
    ("具身智能公司银河通用发布新一代人形机器人", "具身智能公司星动纪元完成5亿元融资", False),
    ("百度文心大模型5.0正式发布", "百度萝卜快跑进入迪拜，开展无人驾驶测试", False),
    ("腾讯混元发布3D生成模型", "腾讯混元引入庞天宇担任首席研究科学家", False),
    ("欧盟就《数据法案》合理补偿指南征求意见", "欧盟《人工智能法案》高风险条款推迟实施", False),
    ("英伟达发布Rubin架构GPU", "英伟达市值突破5万亿美元", False),
    ("字节跳动发布Seedance 2.0视频模型", "字节跳动豆包大模型日均调用量突破50万亿", False),
    ("DeepSeek发布V4模型", "DeepSeek开源OCR模型", False),
    ("小米发布MiMo大模型", "小米汽车YU7交付量破10万", False),
    ("商汤科技发布日日新6.0大模型", "商汤科技营收同比增长30%", False),
    ("月之暗面完成5亿美元融资", "MiniMax完成5亿美元融资", False),
    ("寒武纪预计首次年度盈利", "摩尔线程预计首次年度盈利", False),
    ("快讯：OpenAI发布GPT-5.3模型", "快讯：谷歌发布Gemini 3 Pro模型", False),
    ("36氪获悉｜智谱完成新一轮30亿元融资", "36氪获悉｜月之暗面完成新一轮融资", False),
]

EN_PAIRS: list[tuple[str, str, bool]] = [
    (
        "SpaceX acquires xAI in deal valuing combined company at $1.25 trillion",
        "Elon Musk merges xAI into SpaceX, creating $1.25 trillion company",
        True,
    ),
    (
        "Waymo raises $16 billion from Alphabet, others to expand service",
        "Waymo raises $16B at $126B valuation",
        True,
    ),
    (
        "OpenAI accuses Musk's xAI of destroying evidence in court fight",
        "OpenAI says xAI systematically destroyed evidence in antitrust case",
        True,
    ),
    (
        "OpenAI launches Codex app for macOS",
        "OpenAI releases a new macOS app for agentic coding with Codex",
        True,
    ),
    (
        "Nonprofits urge federal government to suspend use of Grok",
        "Advocacy groups call on US agencies to stop using xAI's Grok chatbot",
        True,
    ),
    (
        "SiTime nears deal to buy Renesas timing unit for about $3 billion",
        "SiTime in talks to acquire Renesas' timing business for $3 billion",
        True,
    ),
    (
        "Judge lets states depose lawyers in HPE-Juniper antitrust case",
        "HPE, Juniper advisers must sit for depositions, judge rules",
        True,
    ),
    (
        "ICE is using a face recognition app that taps 1.2 billion images",
        "Immigration agents use facial recognition app with access to 1.2 billion faces",
        True,
    ),
    (
        "Anthropic releases Claude Opus 4.6",
        "Anthropic's Claude Opus 4.6 is here with a 1M token context window",
        True,
    ),
    (
        "Google unveils Gemini 3 Pro",
        "Google launches Gemini 3 Pro, its most capable model yet",
        True,
    ),
    (
        "Nvidia to invest $100 billion in OpenAI",
        "OpenAI and Nvidia announce $100B partnership to build data centers",
        True,
    ),
    (
        "Meta acquires AI chip startup Rivos",
        "Meta buys chip startup Rivos to boost in-house AI silicon",
        True,
    ),
    (
        "Commission seeks feedback on draft guidelines for reasonable compensation under the Data Act",
        "Data Act: Commission consults on reasonable compensation guidelines",
        True,
    ),
    (
        "Apple to use Google's Gemini to power new Siri",
        "Apple picks Google Gemini for revamped Siri, paying $1 billion a year",
        True,
    ),
    (
        "Microsoft reports Azure growth of 39% as AI demand surges",
        "Azure revenue grows 39% in Microsoft's second quarter on AI demand",
        True,
    ),
    (
        "Kyocera unveils $3.2 billion buyback in capital efficiency push",
        "Kyocera announces 3.2 billion dollar share buyback",
        True,
    ),
    (
        "Exclusive: Mistral in talks to raise funds at $14 billion valuation",
        "Mistral AI nears funding round valuing it at $14 billion",
        True,
    ),
    ("OpenAI launches Codex app for macOS", "OpenAI launches GPT-5.3 with better reasoning", False),
    (
        "OpenAI raises $40 billion at $300 billion valuation",
        "Anthropic raises $13 billion at $183 billion valuation",
        False,
    ),
    ("Google unveils Gemini 3 Pro", "Google unveils new Pixel 10 phones", False),
    ("Meta acquires AI chip startup Rivos", "Meta acquires voice AI startup PlayAI", False),
    ("Nvidia unveils Rubin GPU architecture", "Nvidia market value tops $5 trillion", False),
    ("EU AI Act high-risk rules delayed", "EU Data Act guidelines open for consultation", False),
    ("xAI sues OpenAI over trade secrets", "OpenAI accuses xAI of destroying evidence", False),
    ("Waymo raises $16 billion", "Waymo expands robotaxi service to Miami", False),
    ("Microsoft releases new Phi-4 small models", "Microsoft reports Azure growth of 39%", False),
    ("Amazon invests $8 billion in Anthropic", "Amazon launches Alexa+ with generative AI", False),
    (
        "Apple to use Google's Gemini to power new Siri",
        "Apple delays AI-powered Siri to 2026",
        False,
    ),
    (
        "Tesla unveils Optimus V3 humanoid robot",
        "Figure AI unveils Figure 03 humanoid robot",
        False,
    ),
    (
        "Researchers propose latent chain-of-thought for multimodal reasoning",
        "Researchers propose PolarMem, a training-free graph memory for multimodal agents",
        False,
    ),
    ("Mistral releases Mistral Large 3", "Mistral raises €1.7 billion led by ASML", False),
    ("Salesforce to cut 4,000 support jobs due to AI", "Salesforce launches Agentforce 360", False),
    ("SpaceX acquires xAI", "SpaceX launches Starship test flight", False),
    (
        "OpenAI launches GPT-5.3 with better reasoning",
        "Google launches Gemini 3 Pro with better reasoning",
        False,
    ),
]

# Written after the features and the threshold were tuned on the pairs above, and never
# tuned on: their figures say how the tuning generalises.
HELDOUT_PAIRS: list[tuple[str, str, bool]] = [
    ("阶跃星辰发布Step-3推理模型，成本降低70%", "阶跃星辰Step-3正式发布：推理成本下降七成", True),
    ("宇树科技启动IPO辅导，拟登陆科创板", "宇树科技IPO辅导备案，冲刺科创板", True),
    ("美团发布LongCat-Flash大模型并开源", "美团开源LongCat-Flash，总参数5600亿", True),
    ("蚂蚁集团开源百灵大模型Ling-1T", "万亿参数！蚂蚁百灵Ling-1T宣布开源", True),
    ("工信部：加快推动人形机器人标准体系建设", "工信部发文推动人形机器人标准化建设", True),
    ("36氪获悉｜银河通用完成11亿元新一轮融资", "银河通用获11亿元融资，宁德时代参投", True),
    (
        "快讯：苹果将在中国上线Apple Intelligence，与阿里合作",
        "苹果与阿里合作，Apple Intelligence将入华",
        True,
    ),
    ("科大讯飞发布星火X1升级版", "讯飞星火X1升级：数学能力对标o1", True),
    ("百川智能发布医疗大模型Baichuan-M2", "阿里发布医疗大模型", False),
    ("壁仞科技港股上市", "摩尔线程科创板上市", False),
    ("智元机器人发布灵犀X2", "智元机器人收购上纬新材", False),
    ("OpenAI发布开源模型gpt-oss", "OpenAI发布Sora 2视频生成应用", False),
    ("腾讯发布混元图像3.0", "腾讯元宝接入微信", False),
    ("36氪获悉｜云鲸智能完成1亿美元融资", "36氪获悉｜星海图完成1亿美元融资", False),
    (
        "Perplexity offers $34.5 billion for Google Chrome",
        "Perplexity makes $34.5B bid to buy Chrome from Google",
        True,
    ),
    (
        "Anthropic agrees to pay $1.5 billion to settle authors' copyright lawsuit",
        "Anthropic to pay authors $1.5B in landmark copyright settlement",
        True,
    ),
    (
        "Oracle signs $300 billion cloud deal with OpenAI",
        "OpenAI to buy $300 billion of computing power from Oracle",
        True,
    ),
    (
        "Meta hires Apple's top AI models executive Ruoming Pang",
        "Apple loses head of foundation models Ruoming Pang to Meta",
        True,
    ),
    (
        "Intel gets $2 billion investment from SoftBank",
        "SoftBank to invest $2 billion in Intel",
        True,
    ),
    (
        "California governor signs AI safety bill SB 53",
        "Newsom signs SB 53, California's landmark AI safety law",
        True,
    ),
    (
        "Nvidia invests $5 billion in Intel",
        "Nvidia unveils Rubin CPX chip for long-context inference",
        False,
    ),
    (
        "Google releases Gemini 2.5 Flash Image",
        "Google releases Gemini 2.5 Computer Use model",
        False,
    ),
    (
        "Microsoft signs deal with Anthropic for Office AI",
        "Microsoft launches its own MAI-1 model",
        False,
    ),
    ("OpenAI raises $6.6 billion", "xAI raises $10 billion", False),
    (
        "Apple sued by authors over AI training data",
        "Apple unveils iPhone 17 with faster AI chips",
        False,
    ),
    (
        "EU fines Google €2.95 billion over adtech",
        "EU opens antitrust probe into Meta's WhatsApp AI policy",
        False,
    ),
]

# A Chinese and an English title: the same story, or two stories about the same company.
# All go into one batch, as on a real day (several pairs share "OpenAI", "xAI", "Waymo").
CROSS_PAIRS: list[tuple[str, str, bool]] = [
    ("马斯克宣布将xAI并入SpaceX，合并后估值1.25万亿美元", "Elon Musk Said to Be Merging SpaceX and xAI", True),
    ("Waymo完成160亿美元融资，估值1260亿美元", "Waymo Raises $16 Billion From Alphabet, Others to Expand Service", True),
    ("OpenAI推出macOS版Codex应用，智能体编程进入桌面", "OpenAI launches a Codex app for macOS", True),
    ("OpenAI指控xAI“系统性、故意销毁证据”", "OpenAI Accuses Musk's xAI of Destroying Evidence in Court Fight", True),
    ("Anthropic洽谈新一轮融资，估值3500亿美元", "Anthropic in Talks to Raise Funds at $350 Billion Valuation", True),
    ("Mistral发布可在手机端运行的开源推理模型", "Mistral releases a small open-weight reasoning model for on-device use", True),
    ("甲骨文计划融资200亿美元建设AI数据中心", "Oracle Plans to Raise Up to $20 Billion to Fund AI Data Centers", True),
    ("Snowflake以2.5亿美元收购AI监控初创公司Arclight", "Snowflake to acquire AI observability startup Arclight for $250M", True),
    ("英伟达供应商SK海力士：HBM到2027年已售罄", "Nvidia Supplier SK Hynix Says HBM Sold Out Through 2027", True),
    ("Meta发布新款AI眼镜应用，可语音编辑Ray-Ban照片", "Meta's new AI glasses app lets you edit photos with your voice", True),
    ("Perplexity向免费用户开放Comet浏览器智能体", "Perplexity rolls out Comet browser agent to free users", True),
    ("谷歌Gemini驱动的Ask Photos扩展到更多国家", "Google adds Gemini-powered 'Ask Photos' to more countries", True),
    ("OpenAI为macOS推出Codex桌面端", "OpenAI says xAI 'systematically' destroyed evidence in antitrust suit", False),
    ("xAI并入SpaceX：马斯克打造“太空AI巨头”", "OpenAI: Musk's xAI destroyed evidence, court filing says", False),
    ("OpenAI发布GPT-5.3模型", "OpenAI raises $40 billion at $300 billion valuation", False),
    ("Anthropic发布Claude Opus 5模型", "Anthropic is raising at a $350B valuation, sources say", False),
    ("Waymo在东京启动Robotaxi测试", "Waymo raises $16B at a $126B valuation as robotaxi race heats up", False),
    ("OpenAI与微软重新谈判Azure独家协议", "Microsoft Azure adds OpenAI GPT-5.3 for enterprise customers", False),
    ("Meta收购AI芯片初创公司Rivos", "Meta acquires voice AI startup PlayAI", False),
    ("谷歌Gemini 3 Pro登顶LMArena榜单", "Apple is reportedly testing Gemini-powered Siri features with employees", False),
    ("英伟达H20芯片对华出货恢复", "Nvidia's HBM supplier warns of shortages through 2027", False),
    ("Anthropic完成100亿美元融资", "Anthropic weighs a raise at a $350 billion valuation", False),
    ("xAI发布Grok 5模型", "Coalition urges agencies to suspend xAI's Grok over sexual images", False),
    ("OpenAI Codex周活用户突破100万", "OpenAI's Codex app lands on the Mac", False),
    ("8点1氪｜xAI并入SpaceX；Waymo完成160亿美元融资；寒武纪扭亏", "SpaceX acquires xAI, plans data centers in space", False),
]  # fmt: skip

# Pairs with summaries (title a, summary a, title b, summary b, same story?): the reports whose
# titles alone are too far apart ("寒武纪要赚钱了…"), and hard negatives: two stories about the
# same company on the same day, whose summaries share its name and the stock verbs. Written
# before SAME_SUMMARY_THRESHOLD was chosen (the first two pairs are the demo day's).
SUMMARY_PAIRS: list[tuple[str, str, str, str, bool]] = [
    ("寒武纪业绩预告：预计2025年实现上市以来首次年度盈利", "寒武纪发布2025年业绩预告，预计营收同比增长4至5倍并实现年度盈利，这是公司成立近10年来首次盈利。",
     "寒武纪要赚钱了：预计年度首次盈利，营收暴涨4到5倍", "寒武纪发布业绩预告，预计2025年营收同比增长4至5倍并实现首次年度盈利。", True),
    ("Grok's Deepfake Problem Has Reached Washington", "Advocacy groups want federal agencies to stop using xAI's chatbot after it churned out sexualized images of real people. The government's AI procurement rules may not be up to the job.",
     "Coalition urges federal agencies to suspend Grok over nonconsensual sexual images", "A coalition of nonprofits is asking the US government to stop using xAI’s Grok in federal agencies after the chatbot generated large volumes of nonconsensual sexual imagery, citing national security and child safety concerns.", True),
    ("智谱发布GLM-5，编程能力对标Claude Opus", "智谱正式发布新一代基座模型GLM-5，编程与智能体能力对标Claude Opus 4.5，并以MIT协议开源。",
     "智谱新模型来了：GLM-5开源，写代码追平顶尖闭源", "智谱今日开源新一代基座模型GLM-5，官方称编程与智能体任务表现对标Claude Opus 4.5。", True),
    ("小米首款AI眼镜发布", "小米发布首款AI眼镜，搭载超级小爱与第一视角拍摄，售价1999元起，今晚开售。",
     "雷军：小米AI眼镜1999元起今晚开售", "小米首款AI眼镜正式发布，支持第一视角拍摄与超级小爱，1999元起今晚开售。", True),
    ("宇树科技科创板IPO获受理", "上交所官网显示，宇树科技科创板IPO申请已获受理，拟募资50亿元用于人形机器人研发。",
     "宇树冲刺“人形机器人第一股”", "宇树科技科创板IPO申请获上交所受理，拟募资50亿元，投向人形机器人研发与产能建设。", True),
    ("百度文心5.0正式上线", "百度正式发布文心大模型5.0，采用原生全模态架构，参数规模达2.4万亿。",
     "文心5.0来了：百度押注原生全模态", "百度发布文心大模型5.0，原生全模态统一建模，参数量2.4万亿，即日起在文心一言上线。", True),
    ("Anthropic launches Claude for Chrome in research preview", "Anthropic is rolling out a Chrome extension that lets its Claude AI agent take actions in the browser, starting with 1,000 Max subscribers.",
     "Anthropic's Claude can now take actions in your Chrome browser", "Anthropic said it is piloting a Chrome extension that lets Claude take actions in the browser on users' behalf, available first to 1,000 Max subscribers.", True),
    ("Meta signs nuclear power deals for its AI data centers", "Meta has signed agreements with Vistra, TerraPower and Oklo to supply up to 6.6 gigawatts of nuclear power for its AI data centers.",
     "Meta strikes deals with three nuclear companies", "Meta announced deals with Vistra, Oklo and TerraPower that could supply its AI data centers with as much as 6.6 gigawatts of nuclear power.", True),
    ("OpenAI发布GPT-5", "OpenAI正式发布GPT-5，称其在编程、数学和写作上全面超越前代模型，免费用户也可使用。",
     "OpenAI完成400亿美元融资", "OpenAI宣布完成400亿美元新一轮融资，由软银领投，投后估值达3000亿美元。", False),
    ("寒武纪发布新一代云端芯片思元690", "寒武纪发布新一代云端AI芯片思元690，算力较上一代提升3倍，预计二季度量产。",
     "寒武纪发布业绩预告，预计首次年度盈利", "寒武纪发布2025年业绩预告，预计营收同比增长4至5倍并实现首次年度盈利。", False),
    ("寒武纪业绩会：2026年将加大大客户与生态投入", "寒武纪管理层在业绩说明会上表示，2026年将加大与大客户的联合研发与软件生态投入。",
     "寒武纪：预计实现10年来首次年度盈利", "国产AI芯片公司寒武纪预计实现10年来首次年度盈利，业绩同比大幅增长4至5倍。", False),
    ("小米发布MiMo-V2大模型并开源", "小米发布新一代MiMo-V2大模型并开源，推理与编程能力大幅提升，今晚在小米AI开放平台上线。",
     "小米首款AI眼镜今晚开售", "小米发布首款AI眼镜，搭载超级小爱，1999元起今晚开售。", False),
    ("智谱发布GLM-5", "智谱正式发布新一代基座模型GLM-5，编程与智能体能力对标Claude Opus 4.5。",
     "智谱港股上市首日大涨", "智谱今日在港交所挂牌上市，开盘大涨超40%，市值突破千亿港元。", False),
    ("宇树科技发布人形机器人H2", "宇树科技发布新款人形机器人H2，身高1.8米，售价9.9万元起，今日开启预订。",
     "宇树科技IPO获受理", "宇树科技科创板IPO申请获上交所受理，拟募资50亿元。", False),
    ("千问APP上线点外卖功能", "阿里千问APP接入淘宝闪购，用户可在对话中直接点外卖和下单。",
     "千问APP投入30亿元启动春节请客计划", "阿里千问APP投入30亿元启动春节请客计划，用户可在对话中领取免单。", False),
    ("阶跃星辰完成新一轮融资", "阶跃星辰宣布完成新一轮数亿美元融资，由腾讯领投，资金将用于基座模型研发。",
     "月之暗面完成新一轮融资", "月之暗面宣布完成新一轮数亿美元融资，由腾讯领投，资金将用于基座模型研发。", False),
    ("OpenAI launches GPT-5", "OpenAI released GPT-5, saying the model outperforms its predecessors on coding, math and writing.",
     "OpenAI raises $40 billion led by SoftBank", "OpenAI said it closed a $40 billion funding round led by SoftBank, valuing the company at $300 billion.", False),
    ("xAI launches Grok 5", "xAI released Grok 5, which it says tops benchmarks in reasoning, and made it available to X Premium subscribers.",
     "Groups urge agencies to drop Grok", "A coalition of nonprofits is asking federal agencies to stop using xAI's Grok after the chatbot generated sexual images.", False),
    ("OpenAI accuses Musk's xAI of destroying evidence", "OpenAI said in a court filing that Elon Musk's xAI engaged in systematic destruction of evidence in its antitrust suit.",
     "Musk merges xAI into SpaceX", "Elon Musk is combining SpaceX and xAI in a deal that would fold the AI startup behind Grok into the rocket maker.", False),
    ("Anthropic launches Claude for Chrome", "Anthropic is rolling out a Chrome extension that lets its Claude AI agent take actions in the browser.",
     "Anthropic settles authors' lawsuit for $1.5 billion", "Anthropic agreed to pay $1.5 billion to settle a class action by authors who said it trained Claude on pirated books.", False),
    ("Meta signs nuclear power deals", "Meta has signed agreements with Vistra, TerraPower and Oklo to supply nuclear power for its AI data centers.",
     "Meta to cut 600 jobs in its AI unit", "Meta is laying off about 600 employees in its superintelligence lab as it streamlines its AI unit.", False),
    ("Nvidia unveils Rubin CPX chip", "Nvidia unveiled Rubin CPX, a GPU built for long-context inference, which it expects to ship at the end of 2026.",
     "Nvidia invests $5 billion in Intel", "Nvidia will invest $5 billion in Intel and the two will co-develop data center and PC chips, the companies said.", False),
]  # fmt: skip

T0 = datetime(2026, 2, 3, tzinfo=UTC)


def _entry(title: str, feed: str, n: int, summary: str = "") -> Entry:
    link = f"https://{feed}.example.com/{n}"
    lang = "zh" if CJK_RUN_RE.search(title) else "en"
    return Entry(
        id=entry_id(link), feed=feed, source=feed, region="domestic", title=title,
        summary=summary, link=link, published_at=T0 - timedelta(minutes=n), lang=lang,
    )  # fmt: skip


def labelled_batch(
    pairs: list[tuple[str, str, bool]],
) -> tuple[list[Entry], list[tuple[str, str, bool]]]:
    """One entry per title (feed a for the first, b for the second) and the id pairs to check."""
    entries: list[Entry] = []
    checks: list[tuple[str, str, bool]] = []
    for k, (ta, tb, same) in enumerate(pairs):
        a, b = _entry(ta, "feeda", 2 * k), _entry(tb, "feedb", 2 * k + 1)
        entries += [a, b]
        checks.append((a.id, b.id, same))
    return entries, checks


def prf(decisions: list[tuple[bool, bool]]) -> tuple[float, float, int, int]:
    """(precision, recall, false positives, false negatives) of (predicted, truth) pairs."""
    tp = sum(1 for p, t in decisions if p and t)
    fp = sum(1 for p, t in decisions if p and not t)
    fn = sum(1 for p, t in decisions if not p and t)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn


def cluster_decisions(
    pairs: list[tuple[str, str, bool]], threshold: float
) -> list[tuple[bool, bool]]:
    entries, checks = labelled_batch(pairs)
    story = {}
    for cand in cluster(entries, threshold):
        for e in cand.entries:
            story[e.id] = cand.id
    return [(story[a] == story[b], same) for a, b, same in checks]


def title_only_decisions(pairs: list[tuple[str, str, bool]]) -> list[tuple[bool, bool]]:
    """The baseline: stories by title similarity alone (`cluster` before its name pass)."""
    entries, checks = labelled_batch(pairs)
    story = {}
    for k, members in enumerate(TitleIndex([e.title for e in entries]).stories()):
        for i in members:
            story[entries[i].id] = k
    return [(story[a] == story[b], same) for a, b, same in checks]


def cross_language() -> None:
    """Chinese/English pairs: `cluster` with its name pass vs title similarity alone."""
    same = sum(p[2] for p in CROSS_PAIRS)
    print(f"\ncross-language pairs: {len(CROSS_PAIRS)} ({same} same story, "
          f"{len(CROSS_PAIRS) - same} different stories about the same company), one batch")  # fmt: skip
    for name, decisions in (
        ("cluster()", cluster_decisions(CROSS_PAIRS, SAME_STORY_THRESHOLD)),
        ("titles only (baseline)", title_only_decisions(CROSS_PAIRS)),
    ):
        p, r, fp, fn = prf(decisions)
        print(f"  {name:>22}: precision {p:.2f}  recall {r:.2f}  (false merges {fp}, missed {fn})")
    for (a, b, truth), (pred, _) in zip(
        CROSS_PAIRS, cluster_decisions(CROSS_PAIRS, SAME_STORY_THRESHOLD), strict=True
    ):
        if pred != truth:
            print(f"  {'missed' if truth else 'false merge'}: {a} | {b}")


def summary_decisions(*, summaries: bool) -> list[tuple[bool, bool]]:
    """`cluster` over SUMMARY_PAIRS in one batch, with their summaries or (baseline) without."""
    entries: list[Entry] = []
    checks: list[tuple[str, str, bool]] = []
    for k, (ta, sa, tb, sb, same) in enumerate(SUMMARY_PAIRS):
        a = _entry(ta, "feeda", 2 * k, sa if summaries else "")
        b = _entry(tb, "feedb", 2 * k + 1, sb if summaries else "")
        entries += [a, b]
        checks.append((a.id, b.id, same))
    story = {e.id: cand.id for cand in cluster(entries) for e in cand.entries}
    return [(story[a] == story[b], same) for a, b, same in checks]


def with_summaries() -> None:
    """Pairs with summaries: `cluster` now vs the same entries with their summaries removed."""
    same = sum(p[4] for p in SUMMARY_PAIRS)
    print(f"\npairs with summaries: {len(SUMMARY_PAIRS)} ({same} same story, "
          f"{len(SUMMARY_PAIRS) - same} different stories about the same company), one batch, "
          f"SAME_SUMMARY_THRESHOLD {SAME_SUMMARY_THRESHOLD}")  # fmt: skip
    after = summary_decisions(summaries=True)
    for name, decisions in (
        ("titles + summaries", after),
        ("titles only (baseline)", summary_decisions(summaries=False)),
    ):
        p, r, fp, fn = prf(decisions)
        print(f"  {name:>22}: precision {p:.2f}  recall {r:.2f}  (false merges {fp}, missed {fn})")
    for (ta, _, tb, _, truth), (pred, _) in zip(SUMMARY_PAIRS, after, strict=True):
        if pred != truth:
            print(f"  {'missed' if truth else 'false merge'}: {ta} | {tb}")
    print("  summary threshold sweep:  threshold  precision  recall")
    shipped = dedupe.SAME_SUMMARY_THRESHOLD
    try:
        for th in (0.3, 0.35, 0.4, 0.42, 0.45, 0.5, 0.6, 0.7):
            dedupe.SAME_SUMMARY_THRESHOLD = th  # read by join_by_summaries at call time
            p, r, _, _ = prf(summary_decisions(summaries=True))
            print(f"                           {th:9.2f}  {p:9.2f}  {r:6.2f}")
    finally:
        dedupe.SAME_SUMMARY_THRESHOLD = shipped


def rapidfuzz_decisions(
    pairs: list[tuple[str, str, bool]], threshold: float
) -> list[tuple[bool, bool]]:
    def norm(t: str) -> str:  # space out Chinese characters so token_set_ratio sees tokens
        return CJK_RUN_RE.sub(lambda m: " " + " ".join(m.group()) + " ", normalise_title(t))

    return [(fuzz.token_set_ratio(norm(a), norm(b)) >= threshold, same) for a, b, same in pairs]


def quality() -> None:
    print(f"labelled pairs: {len(ZH_PAIRS)} zh ({sum(p[2] for p in ZH_PAIRS)} same story), "
          f"{len(EN_PAIRS)} en ({sum(p[2] for p in EN_PAIRS)} same story)")  # fmt: skip
    print(
        f"\ncluster() at the shipped threshold {SAME_STORY_THRESHOLD} (all labelled entries in one batch):"
    )
    for name, pairs in (("zh", ZH_PAIRS), ("en", EN_PAIRS), ("all", ZH_PAIRS + EN_PAIRS)):
        p, r, fp, fn = prf(cluster_decisions(pairs, SAME_STORY_THRESHOLD))
        print(f"  {name:>3}: precision {p:.2f}  recall {r:.2f}  (false merges {fp}, missed {fn})")
    p, r, fp, fn = prf(cluster_decisions(HELDOUT_PAIRS, SAME_STORY_THRESHOLD))
    print(f"  held-out ({len(HELDOUT_PAIRS)} pairs, never tuned on): precision {p:.2f}  recall {r:.2f}"
          f"  (false merges {fp}, missed {fn})")  # fmt: skip
    print("\nthreshold sweep, all pairs:   threshold  precision  recall")
    for th in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
        p, r, _, _ = prf(cluster_decisions(ZH_PAIRS + EN_PAIRS, th))
        print(f"                              {th:9.2f}  {p:9.2f}  {r:6.2f}")
    best = max(
        ((th, *prf(rapidfuzz_decisions(ZH_PAIRS + EN_PAIRS, th))) for th in range(40, 100, 5)),
        key=lambda row: 2 * row[1] * row[2] / (row[1] + row[2] or 1),
    )
    print(
        f"\nbaseline rapidfuzz token_set_ratio, best F1 at {best[0]}: precision {best[1]:.2f}  recall {best[2]:.2f}"
    )
    _print_misses()


def _print_misses() -> None:
    pairs = ZH_PAIRS + EN_PAIRS + HELDOUT_PAIRS
    entries, checks = labelled_batch(pairs)
    titles = {e.id: e.title for e in entries}
    index = TitleIndex([e.title for e in entries])
    pos = {e.id: i for i, e in enumerate(entries)}
    wrong = [
        (a, b, same)
        for (a, b, same), (pred, _) in zip(
            checks, cluster_decisions(pairs, SAME_STORY_THRESHOLD), strict=True
        )
        if pred != same
    ]
    for a, b, same in wrong:
        sim = index.similarity(pos[a], pos[b])
        print(f"  {'missed' if same else 'false merge'} (sim {sim:.2f}): {titles[a]} | {titles[b]}")


def _words(text: str) -> list[str]:
    return text.split()


ZH_COMPANIES = _words(
    "华为 阿里 腾讯 百度 字节跳动 智谱 月之暗面 商汤 小米 寒武纪 宇树 优必选 理想 小鹏 蔚来 比亚迪 科大讯飞 京东 美团 快手"
)
ZH_ACTIONS = _words("发布 推出 开源 完成 获得 宣布 上线 升级 收购 投资 起诉 回应 加码 布局 联合")
ZH_OBJECTS = _words(
    "大模型 智能体 芯片 机器人 自动驾驶 算力中心 视频生成模型 编程助手 多模态模型 融资 AI眼镜 数据中心 医疗大模型 搜索引擎"
)
EN_COMPANIES = _words(
    "OpenAI Google Microsoft Meta Apple Amazon Nvidia Anthropic xAI Mistral Tesla Intel AMD Salesforce IBM Oracle Samsung Cohere Perplexity Figure"
)
EN_ACTIONS = _words(
    "launches releases unveils acquires raises invests sues announces expands delays cuts opens tests partners"
)
EN_OBJECTS = _words(
    "model chatbot chip robot agent datacenter startup app funding deal lawsuit platform glasses tool"
)
CJK_POOL = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府".strip()
EN_SYLLABLES = _words("ka lo mi ra te zu vo ne si pa dor ex ly qua tri on ix ben gal mur")


def synthetic(n: int, seed: int = 7) -> list[Entry]:
    """N entries in 20 feeds: template titles over shared companies and verbs, plus rare names.

    Each has a summary (its company, a verb, an object, its name and 30 random
    characters or 12 random words), so that the summary pass has work to do.
    """
    rnd = random.Random(seed)
    out: list[Entry] = []
    for k in range(n):
        if k % 2:
            name = "".join(rnd.choice(CJK_POOL) for _ in range(rnd.randint(2, 4)))
            amount = f"{rnd.randint(1, 99)}亿元"
            company = rnd.choice(ZH_COMPANIES)
            title = f"{company}{rnd.choice(ZH_ACTIONS)}{name}{rnd.choice(ZH_OBJECTS)}，{amount}"
            filler = "".join(rnd.choice(CJK_POOL) for _ in range(30))
            summary = f"{company}今日{rnd.choice(ZH_ACTIONS)}{rnd.choice(ZH_OBJECTS)}{name}，{filler}。其后还有内容。"
        else:
            name = "".join(rnd.choice(EN_SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
            company = rnd.choice(EN_COMPANIES)
            title = (f"{company} {rnd.choice(EN_ACTIONS)} {name} {rnd.choice(EN_OBJECTS)} "
                     f"for ${rnd.randint(1, 99)} billion")  # fmt: skip
            filler = " ".join(
                rnd.choice(EN_SYLLABLES) + rnd.choice(EN_SYLLABLES) for _ in range(12)
            )
            summary = f"{company} said it {rnd.choice(EN_ACTIONS)} {name}, {filler}. More follows."
        out.append(_entry(title, f"feed{k % 20}", k, summary))
    return out


def _time(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Best (wall, CPU) seconds of `repeat` runs; CPU time is what the shared machine cannot skew."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu


def _all_pairs(titles: list[str]) -> int:
    """The baseline: every title against every other with rapidfuzz (C loops, no blocking)."""
    hits = 0
    for k, title in enumerate(titles):
        hits += len(
            process.extract(
                title, titles[k + 1 :], scorer=fuzz.token_set_ratio, limit=None, score_cutoff=70
            )
        )
    return hits


def _without_amounts(entries: list[Entry]) -> list[Entry]:
    """The same entries with the amounts cut from their titles: more pairs reach the summaries."""
    cut = re.compile(r" for \$\d+ billion|，\d+亿元")
    return [e.model_copy(update={"title": cut.sub("", e.title)}) for e in entries]


def _bare(entries: list[Entry]) -> list[Entry]:
    return [e.model_copy(update={"summary": ""}) for e in entries]


def speed(n: int, baseline_n: int) -> None:
    entries = synthetic(n)
    small = entries[:baseline_n]
    day = entries[:300]
    ours, ours_cpu = _time(lambda: cluster(entries))
    _, small_cpu = _time(lambda: cluster(small))
    day_wall, _ = _time(lambda: cluster(day))
    titles = [normalise_title(e.title) for e in small]
    _, base_cpu = _time(lambda: _all_pairs(titles), repeat=1)
    base_full = base_cpu * (n / baseline_n) ** 2
    stories = len(cluster(entries))
    print(f"\nspeed: cluster() over {n} entries: wall {ours * 1000:.0f} ms, CPU {ours_cpu * 1000:.0f} ms "
          f"(best of 3) -> {stories} candidates")  # fmt: skip
    print(f"  a typical day (300 entries): wall {day_wall * 1000:.0f} ms")
    print(f"  at {baseline_n}: cluster() CPU {small_cpu * 1000:.0f} ms vs all-pairs rapidfuzz CPU "
          f"{base_cpu * 1000:.0f} ms (ratio {base_cpu / small_cpu:.1f}x)")  # fmt: skip
    print(f"  all-pairs baseline extrapolated to {n}: ~{base_full:.1f} s CPU "
          f"(ratio ~{base_full / ours_cpu:.0f}x)")  # fmt: skip
    no_amounts = _without_amounts(entries)
    for name, batch in (("as above", entries), ("no amounts in titles", no_amounts)):
        bare = _bare(batch)
        _, with_cpu = _time(partial(cluster, batch))
        _, bare_cpu = _time(partial(cluster, bare))
        print(f"  summary pass, {name}: CPU {with_cpu * 1000:.0f} ms with summaries vs "
              f"{bare_cpu * 1000:.0f} ms without (ratio {with_cpu / bare_cpu:.2f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--baseline-n", type=int, default=2_000)
    args = parser.parse_args()
    quality()
    cross_language()
    with_summaries()
    speed(args.n, args.baseline_n)


if __name__ == "__main__":
    main()
