"""The read-only JSON API (`/api/v1/...`, `/openapi.json`) on the bot's HTTP server."""
