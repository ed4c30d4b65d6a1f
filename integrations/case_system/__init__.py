"""Hand-over of consented pre-intake summaries to counselling services' case systems."""
