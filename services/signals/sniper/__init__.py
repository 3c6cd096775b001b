"""The sniper entry map: its pure rule and the service feeding it."""
