"""Handlers of the routes for the GIS module (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import FeatureCollectionView


def regions(ctx: RequestContext) -> FeatureCollectionView:
    return service.region_map(ctx.user, ctx.query)


def subjects(ctx: RequestContext) -> FeatureCollectionView:
    return service.subject_map(ctx.user, ctx.query)


def inspections(ctx: RequestContext) -> FeatureCollectionView:
    return service.inspection_map(ctx.user, ctx.query)
