"""Complaints and reports from the public (投诉举报): filed and followed without an account, routed to the region's
agency, accepted within working days of the China calendar, handled and answered."""
