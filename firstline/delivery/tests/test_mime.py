from email import message_from_bytes, policy

from firstline.delivery.mime import LetterEmail


def test_letter_email_parses_back_exactly():
    text = "Estimado/a Señora Núñez,\n\n" + "línea muy larga " * 20 + "\n.\nFirmado: Ana & Co"
    html = "<p>Estimado/a <b>Señora</b> Núñez</p>" + "<p>x</p>" * 50
    msg = LetterEmail(
        subject="Fin a la colaboración con ICE — Sheriff, Cook County\r\nBcc: evil@example.org",
        body=text, html=html, from_email="Firstline Coalición <noreply@firstline.localhost>",
        to=["sheriff@example.org"], headers={"X-Firstline-Delivery": "7", "Message-ID": "<abc@firstline>"},
    )  # fmt: skip
    raw = msg.message().as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"].startswith("Fin a la colaboración con ICE")
    assert parsed["Bcc"] is None  # no header injection
    assert parsed["Message-ID"] == "<abc@firstline>" and parsed["To"] == "sheriff@example.org"
    assert parsed["From"].addresses[0].display_name == "Firstline Coalición"
    plain = parsed.get_body(("plain",)).get_content()
    assert plain.replace("\r\n", "\n") == text
    assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == html
