"""GIS (GIS 模块, Art 32): a jurisdiction's supervision data as GeoJSON (RFC 7946) points."""
