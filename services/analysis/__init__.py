"""Pure analysis: models in, findings out. No I/O, no clock."""
