"""Attachments (附件): photos, videos and reports, uploaded straight to S3 and checked before they count."""
