"""The data lake (数据湖): every audited change as JSON lines in S3, by kind and China-time day, for Athena."""
