"""The sweep and regime-map tools: their worker, plots and docked views."""
