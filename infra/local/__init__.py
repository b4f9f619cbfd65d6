"""The local stack: the platform's AWS resources and event sources, stood up on moto."""
