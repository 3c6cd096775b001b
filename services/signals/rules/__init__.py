"""Alerts a chat sets itself: their model, the one condition code, and the engine."""
