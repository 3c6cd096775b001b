"""The outbox: alerts, their deliveries to chats, and follow-ups."""
