"""Push alerts: what a job produced, who gets it, and the record of its delivery."""
