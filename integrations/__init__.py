"""Connectors to systems outside Lotse, one module per external system."""
