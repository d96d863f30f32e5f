"""Skolkvalitet: systematic quality work for Swedish school organisers."""

__version__ = "0.1.0"
