"""Complaints and reports from the public (投诉举报): filing and tracking without an account, routing to the agency of the region, the legal clocks, handling, the answer and its rating."""
