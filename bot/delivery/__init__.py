"""Drains the alert outbox to Telegram: paced, resumable, never twice."""
