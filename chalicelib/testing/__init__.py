"""Testing core (检测): limit library, monitoring models, samples, results and their judgement."""
