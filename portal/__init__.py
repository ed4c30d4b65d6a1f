"""Lotse portal: the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from . import crypto, database, errors, i18n
from .config import PROJECT_ROOT, build_config
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate, talisman

# No inline scripts or styles anywhere: every page works without JavaScript.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "font-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    app.config.from_mapping(build_config(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)

    crypto.init_app(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    babel.init_app(app, locale_selector=i18n.current_language)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        frame_options="DENY",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    login_manager.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)

    from . import templating
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .booking import bp as booking_bp
    from .chat import bp as chat_bp
    from .counsellor import bp as counsellor_bp
    from .editor import bp as editor_bp
    from .figures import bp as figures_bp
    from .intake import bp as intake_bp
    from .public import bp as public_bp
    from .public import root_bp

    templating.init_app(app)
    app.register_blueprint(root_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(chat_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(counsellor_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(figures_bp)
    app.register_blueprint(admin_bp)
    csrf.exempt(api_bp)
    return app
