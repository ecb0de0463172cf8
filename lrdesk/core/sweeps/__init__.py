"""Which learning rate? Full-run sweeps over rates, the classic range test, and regime maps over two settings."""
