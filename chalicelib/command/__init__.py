"""The command and dispatch centre (指挥调度中心, Art 34): one live view of a jurisdiction for its dispatchers."""
