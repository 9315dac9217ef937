"""A local research assistant over Hugging Face Daily Papers listings: cited, grounded, offline."""

__version__ = "0.1.0"
