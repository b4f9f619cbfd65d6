"""Production and operation subjects (生产经营主体): registration, review, bases, key objects, bad records."""
