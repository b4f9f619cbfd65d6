"""Base inspection (基地巡查): checklist templates (检查规范) today; plans, tasks and inspections to follow."""
