"""The batched runner: many runs advanced in one vectorised step, each judged the step its verdict becomes certain."""
