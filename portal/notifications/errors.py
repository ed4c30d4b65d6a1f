"""Delivery outcomes a sender can report to the queue."""


class DeliveryError(Exception):
    """A message could not be delivered this time; it will be retried."""


class PermanentDeliveryError(DeliveryError):
    """A message can never be delivered (e.g. the address does not exist)."""
