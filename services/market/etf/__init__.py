"""Spot-ETF flows."""
