"""Administrative regions (行政区划, GB/T 2260): the hierarchy that scopes every record."""
