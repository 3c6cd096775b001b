"""Chart images (matplotlib, Agg). Pure: models in, PNG bytes out; callers run them in a thread."""
