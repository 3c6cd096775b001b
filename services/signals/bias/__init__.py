"""The institutional-bias call: its pure rule and the service feeding it."""
