"""Pieces every view uses: colours, number formatting, plot set-up, input fields, path geometry, save dialogs."""
