"""Wiring only: the Chalice app, its blueprints, and the event, schedule and workflow handlers."""

from chalice import Chalice

from chalicelib.core import meta_api
from chalicelib.orgs import api as orgs_api
from chalicelib.orgs.authorizer import auth_bp
from chalicelib.regions import api as regions_api

app = Chalice(app_name="agritrace")
app.experimental_feature_flags.update({"BLUEPRINTS"})

app.register_blueprint(auth_bp)
app.register_blueprint(meta_api.bp)
app.register_blueprint(regions_api.bp)
app.register_blueprint(orgs_api.bp)
