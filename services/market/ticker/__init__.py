"""Ticker: OKX is the truth; CoinAPI stands in."""
