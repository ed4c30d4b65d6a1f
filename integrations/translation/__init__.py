"""Machine translation from locally installed language packages."""
