"""The guided lessons panel and the step table that shows each step's arithmetic."""
