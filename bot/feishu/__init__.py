"""Feishu (Lark): the app client, events, custom-bot webhooks, the push and the one mapping of its errors."""
