"""Fear & Greed sentiment."""
