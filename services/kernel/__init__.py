"""Foundations every layer uses: errors, settings, logging, metrics, models, and the
resilience parts (cache, breaker, retry, budget, deadline, hedge) around each vendor call."""
