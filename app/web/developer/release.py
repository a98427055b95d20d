"""A developer's own preservation: its frozen assets, guarantees, plan stages and what it
must perform next (docs/release-in-the-app.md). Only the user's own developer is shown."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from app.access import Permission, can
from app.services import release, release_records
from app.web.developer import bp
from app.web.release_labels import release_labels


@bp.get("/release")
def my_release():
    if not can(current_user, Permission.RELEASE_VIEW):
        abort(404)
    developer_id = current_user.developer_id
    return render_template("developer/release.html", **release.developer_overview(developer_id),
                           records=release_records.records_of(developer_id), labels=release_labels())
