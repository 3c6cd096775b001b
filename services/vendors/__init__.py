"""One adapter per vendor: its routes, error shapes, units and limits."""
