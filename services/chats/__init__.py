"""What the bot keeps per chat: subscriptions and language."""
