"""The campaign's share image (Open Graph / Twitter card): a PNG drawn on the server.

Pillow comes with WeasyPrint (the print packets), so this adds no dependency.
The image shows the title, the number of signers and the site's name; it is
kept in Django's cache under the campaign's last change, the count and the
language, so a new signer or an edit draws a new one and nothing else does.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext, ngettext

WIDTH, HEIGHT = 1200, 630
CACHE_SECONDS = 7 * 24 * 3600
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def _font(size: int, *, bold: bool = False) -> Any:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    # Pillow's own scalable font, where the system has no DejaVu.
    return ImageFont.load_default(size=size)


def _draw(*, title: str, signers: str, site: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), "#1b1b1f")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 24, WIDTH, HEIGHT), fill="#0b5cad")
    lines = textwrap.wrap(title, width=26)[:4]
    y = 80
    for line in lines:
        draw.text((72, y), line, font=_font(64, bold=True), fill="#ffffff")
        y += 80
    draw.text((72, y + 30), signers, font=_font(40), fill="#f5b700")
    draw.text((72, HEIGHT - 110), site, font=_font(36, bold=True), fill="#ffffff")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def campaign_share_image(*, campaign: Any, signatory_count: int, language: str) -> bytes:
    """The PNG for ``campaign`` in the active language (cached)."""
    stamp = campaign.updated_at.timestamp() if campaign.updated_at else 0
    key = f"campaigns:share:{campaign.pk}:{stamp}:{signatory_count}:{language}"
    found = cache.get(key)
    if found is not None:
        return bytes(found)
    png = _draw(
        title=campaign.localized_title(),
        signers=ngettext(
            "%(count)s organization has signed",
            "%(count)s organizations have signed",
            signatory_count,
        )
        % {"count": signatory_count},
        site=gettext("Firstline · sign-on letter"),
    )
    cache.set(key, png, CACHE_SECONDS)
    return png
