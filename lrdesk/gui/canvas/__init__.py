"""The loss-surface canvas: the curve or heat map, contours, the runs' paths and the stability colours."""
