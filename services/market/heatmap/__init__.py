"""Liquidation clusters near price."""
