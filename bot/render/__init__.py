"""Pure rendering: models in, HTML text out. No I/O here."""
