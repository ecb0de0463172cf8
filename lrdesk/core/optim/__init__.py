"""Optimizers with torch.optim's update rules, learning-rate schedules with torch.optim.lr_scheduler's, and the catalog the controls read."""
