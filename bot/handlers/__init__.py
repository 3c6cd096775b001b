"""Handlers: parse, call a service, render, answer. Nothing else."""
