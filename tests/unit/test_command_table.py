"""The one command table: /help, the handlers, Telegram's menu and metric labels come from it."""

from __future__ import annotations

from bot.commands import BOT_COMMANDS, COMMANDS, HANDLERS, HELP, METRIC_LABELS
from bot.metrics import Metrics

# /help as users have always read it (the table must keep it word for word).
HELP_TEXT = """AI每日动态 · 可用命令
/today — 今日日报（每条带编号）
/brief — 精简版：每个板块的前几条
/cn 或 /domestic — 只看国内动态
/intl — 只看国际动态
/why N — 第 N 条为什么入选：重要性、分类、理由、标签、来源与链接、评分
/date YYYY-MM-DD — 查看某一天的日报
/more [页码] — 未入选的候选：每个板块接下来的 5 条，注明得分与入选线（/more 2 翻页）
/search 关键词 — 搜索往期日报：最新 10 条，带日期、编号和链接
/week — 本周要闻：近 7 天最重要的 10 条
/like N — 给第 N 条点 👍（每人每条一票，可改）
/dislike N — 给第 N 条点 👎（每人每条一票，可改）
/follow 词语 — 关注话题：含有它的条目排在前面并标 🔖
/mute 词语 — 屏蔽词语或来源（/mute source 来源），并注明隐藏了几条
/following — 本会话的关注与屏蔽
/unfollow 词语 — 取消关注话题
/unmute 词语 — 取消屏蔽（/unmute source 来源）
/start 或 /subscribe — 订阅每日推送
/stop 或 /unsubscribe — 退订
/settings — 本会话的推送设置（/settings time 07:30 · /settings mode brief|full · /settings sections all|cn|intl）
/help — 显示本帮助"""


def test_help_menu_handlers_and_labels_come_from_the_table() -> None:
    assert HELP == HELP_TEXT
    names = {n for c in COMMANDS for n in (c.name, *c.aliases)}
    assert set(HANDLERS) == names == METRIC_LABELS
    assert [name for name, _ in BOT_COMMANDS] == [c.name for c in COMMANDS if c.menu]
    assert "stats" in HANDLERS and "/stats" not in HELP  # admins only: not advertised


def test_every_command_of_the_table_is_its_own_metric_label() -> None:
    metrics = Metrics()
    for name in sorted(METRIC_LABELS):
        metrics.observe_command("telegram", f"/{name}@AidailyBot", 0.01)
    metrics.observe_command("telegram", "/无此命令", 0.01)
    text = metrics.render().decode()
    for name in METRIC_LABELS:
        assert f'command="{name}"' in text
    assert 'command="other"' in text
