"""The channel registry, and the email channel's message (channels/mime.py) parsing back exactly."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from firstline.campaigns.models import Campaign
from firstline.delivery.channels import CHANNELS, channel_for
from firstline.delivery.channels.email import EmailChannel, letter_message
from firstline.delivery.models import Delivery, LetterCopy, Target


def test_registry_names_every_channel_by_its_key():
    assert list(CHANNELS) == ["email", "print"]  # order decides which channel a letter gets
    assert all(CHANNELS[name].name == name for name in CHANNELS)
    assert [name for name, c in CHANNELS.items() if c.pumped] == ["email"]
    with pytest.raises(LookupError, match="no delivery channel 'fax'"):
        channel_for("fax")


def test_email_reaches_only_targets_with_an_address_print_reaches_all():
    assert EmailChannel.address(Target(email=" a@example.org ")) == "a@example.org"
    assert EmailChannel.address(Target(email="")) is None
    assert CHANNELS["print"].address(Target(email="")) == ""


def _letter(subject: str) -> Delivery:
    text = "Estimado/a Señora Núñez,\n\n" + "línea muy larga " * 20 + "\n.\nFirmado: Ana & Co"
    html = "<p>Estimado/a <b>Señora</b> Núñez</p>" + "<p>x</p>" * 50
    letter = LetterCopy(pk=7, subject=subject, text=text, html=html, language="es")
    campaign = Campaign(reply_email="ana.nunez@coalicion.example.org")
    return Delivery(pk=7, letter=letter, campaign=campaign, to_address="sheriff@example.org")


def test_letter_email_parses_back_exactly():
    delivery = _letter("Fin a la colaboración con ICE — Sheriff, Cook County")
    message = letter_message(delivery)
    message.extra_headers["Message-ID"] = "<abc@firstline>"
    raw = message.message().as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == delivery.letter.subject
    assert parsed["Message-ID"] == "<abc@firstline>" and parsed["To"] == "sheriff@example.org"
    assert parsed["Content-Language"] == "es" and parsed["X-Firstline-Delivery"] == "7"
    # Replies go to the campaign's contact; From stays the platform's address.
    assert parsed["Reply-To"] == "ana.nunez@coalicion.example.org"
    assert parsed["From"] != parsed["Reply-To"]
    plain = parsed.get_body(("plain",)).get_content()
    assert plain.replace("\r\n", "\n").rstrip("\n") == delivery.letter.text
    assert "<b>Señora</b> Núñez" in parsed.get_body(("html",)).get_content()


def test_a_subject_cannot_inject_headers():
    message = letter_message(_letter("Fin a la colaboración\r\nBcc: evil@example.org"))
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None and parsed["Subject"].startswith("Fin a la colaboración")
