"""One package per data module: its service (sources, cache, status) and its pure analysis."""
