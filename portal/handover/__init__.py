"""Hand-over of consented pre-intake summaries to the services' case systems."""
