"""Activity feed (动态): every state change of every record, per jurisdiction and per organisation inbox."""
