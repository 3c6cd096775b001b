"""What a button press that can no longer do its job says."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def render_expired_button() -> str:
    return _("This button has expired. Send the command again for a fresh answer.")
