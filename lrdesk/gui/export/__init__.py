"""Exports: figures as PNG or SVG, runs as CSV, the animation as GIF, and the File > Export menu."""
