"""Every route of the API, as data: the areas' route tables in one list (`ROUTES`).

Importing this module imports only the tables (plain data); an area's handlers, services, stores and
models load when one of its routes is first called. A new area adds its `routes` module here.
"""

from __future__ import annotations

from chalicelib.activity import routes as _activity
from chalicelib.attachments import routes as _attachments
from chalicelib.codes import routes as _codes
from chalicelib.command import routes as _command
from chalicelib.complaints import routes as _complaints
from chalicelib.core import meta_routes as _meta
from chalicelib.core.routes import ROUTES
from chalicelib.disclosure import routes as _disclosure
from chalicelib.dispatch import routes as _dispatch
from chalicelib.enforcement import routes as _enforcement
from chalicelib.gis import routes as _gis
from chalicelib.inspections import routes as _inspections
from chalicelib.integrity import routes as _integrity
from chalicelib.monitoring import routes as _monitoring
from chalicelib.orgs import routes as _orgs
from chalicelib.plans import routes as _plans
from chalicelib.regions import routes as _regions
from chalicelib.spotchecks import routes as _spotchecks
from chalicelib.statistics import routes as _statistics
from chalicelib.subjects import routes as _subjects
from chalicelib.supervision import routes as _supervision
from chalicelib.testing import routes as _testing
from chalicelib.warnings import routes as _warnings

AREAS = (
    _meta,
    _regions,
    _orgs,
    _activity,
    _dispatch,
    _attachments,
    _integrity,
    _subjects,
    _codes,
    _monitoring,
    _testing,
    _spotchecks,
    _enforcement,
    _inspections,
    _supervision,
    _complaints,
    _plans,
    _statistics,
    _warnings,
    _command,
    _gis,
    _disclosure,
)

__all__ = ["AREAS", "ROUTES"]
