"""Whale trades and positions, read by what they did."""
