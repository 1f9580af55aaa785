"""Adapters that bring each channel's messages into cases and take replies out (not a Django
app: no models, no migrations)."""
