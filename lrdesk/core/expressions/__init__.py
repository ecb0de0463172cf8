"""Functions typed by the user: tokens, grammar, parse tree, symbolic derivatives, minima."""
