"""Options open interest and skew."""
