"""The web process: health, webhooks, connect pages and the business API."""
