"""Dispatch instructions (调度指令, Art 34): sent down the hierarchy, acknowledged, escalated when ignored."""
