"""The bot's brain: pure functions from (state, message, menu) to (state, replies, draft)."""
