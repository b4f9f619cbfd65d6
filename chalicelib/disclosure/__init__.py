"""Public disclosure (一公开): spot-check results and penalties, published once final, redacted."""
