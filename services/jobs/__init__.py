"""The scheduled signal jobs: what one run does, its health, and when it may run."""
