"""The small core every business area stands on: settings, errors, data, auth, API, events."""
