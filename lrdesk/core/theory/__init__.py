"""What curvature says about learning rates: the stable limit 2/lambda_max, the fastest rate, and the lines drawn on sweeps."""
