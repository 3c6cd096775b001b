"""Spot order book walls and imbalance."""
