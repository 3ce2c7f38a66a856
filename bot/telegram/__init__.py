"""Telegram: the interactive bot, the push, and the one mapping of its errors."""
