"""One adapter per vendor: vendor JSON in, pydantic models out. Vendor quirks stop here."""
