"""Inspection plans (巡查计划), assessment tasks (考核任务) and performance (绩效考核) of base inspection."""
