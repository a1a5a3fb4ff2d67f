"""Fill django.po msgstr from the Spanish table below (run after makemessages, then msgfmt).

Kept next to the catalog so a translator can review the whole table in one place.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ES: dict[str, str | tuple[str, str]] = {
    "Letter": "Carta",
    "Sign-on window": "Periodo de adhesión",
    "Staff": "Equipo",
    "Open for signatures (draft → collecting)": "Abrir a firmas (borrador → recogiendo)",
    "Start delivery (collecting → delivering)": "Empezar la entrega (recogiendo → entregando)",
    "Close": "Cerrar",
    "Back to draft (collecting → draft)": "Volver a borrador (recogiendo → borrador)",
    "approved": "aprobadas",
    "awaiting review": "por revisar",
    "links": "enlaces",
    "Public page": "Página pública",
    "Export CSV": "Exportar CSV",
    "Export OSDI JSON": "Exportar JSON OSDI",
    "Signatures to review": "Firmas por revisar",
    "near-duplicate name": "nombre casi duplicado",
    "Flagged": "Marcadas",
    "Not flagged": "Sin marcar",
    "home": "sede",
    "Approve selected (confirmed) signatures": "Aprobar las firmas (confirmadas) seleccionadas",
    "Reject selected signatures": "Rechazar las firmas seleccionadas",
    "Merge the organization into its flagged near-duplicate": "Fusionar la organización con su casi duplicado",
    "Not a duplicate: clear the flag": "No es un duplicado: quitar la marca",
    "signatures": "firmas",
    "Merge selected organizations into the oldest one": "Fusionar las organizaciones seleccionadas en la más antigua",
    "Organization name": "Nombre de la organización",
    "Website": "Sitio web",
    "Optional. Helps us confirm the organization.": "Opcional. Nos ayuda a confirmar la organización.",
    "Type of organization": "Tipo de organización",
    "Where the organization is based": "Dónde tiene su sede la organización",
    "A state, county or city, e.g. “Harris County, TX” or “Texas”.": "Un estado, condado o ciudad, por ejemplo «Harris County, TX» o «Texas».",
    "Your name": "Su nombre",
    "Your email": "Su correo electrónico",
    "Your role in the organization": "Su cargo en la organización",
    "Leave this empty": "Deje este campo vacío",
    "Choose one of the places listed below.": "Elija uno de los lugares de la lista de abajo.",
    "We could not find that place. Try “County name, ST”, “City, ST” or a state name.": "No encontramos ese lugar. Pruebe «Nombre del condado, ST», «Ciudad, ST» o el nombre de un estado.",
    "[Official's title]": "[Cargo del funcionario]",
    "[Official's name]": "[Nombre del funcionario]",
    "[Your jurisdiction]": "[Su jurisdicción]",
    "[The protections this jurisdiction is missing]": "[Las protecciones que le faltan a esta jurisdicción]",
    "National": "Nacional",
    "State": "Estatal",
    "Local": "Local",
    "Draft": "Borrador",
    "Collecting signatures": "Recogiendo firmas",
    "Delivering": "En entrega",
    "Closed": "Cerrada",
    "Pending email confirmation": "Pendiente de confirmar por correo",
    "Email confirmed": "Correo confirmado",
    "Approved": "Aprobada",
    "Rejected": "Rechazada",
    "Sign-on form": "Formulario de adhesión",
    "Imported": "Importada",
    "Letter preview": "Vista previa de la carta",
    "Updates as you type. Placeholders are filled with sample values; the campaign's asks stand in for the gaps. Save to keep changes.": "Se actualiza mientras escribe. Los marcadores se llenan con valores de ejemplo; las peticiones de la campaña ocupan el lugar de las carencias. Guarde para conservar los cambios.",
    "The live preview needs JavaScript; the public page shows the saved letter.": "La vista previa en vivo necesita JavaScript; la página pública muestra la carta guardada.",
    "Campaigns": "Campañas",
    "%(counter)s organization has signed": (
        "%(counter)s organización ha firmado",
        "%(counter)s organizaciones han firmado",
    ),
    "The letter": "La carta",
    "Each official receives a copy addressed to them, listing the protections their jurisdiction is missing.": "Cada funcionario recibe una copia dirigida a su nombre, con las protecciones que le faltan a su jurisdicción.",
    "Sign on as an organization": "Firme como organización",
    "Privacy:": "Privacidad:",
    "We publish only the organization's name, type and place. Your name and email are encrypted, used only to confirm the signature and to contact you about this letter, never shown publicly and never sent to officials. We do not ask for, and do not want, anyone's immigration status, date of birth or ID numbers. Unconfirmed requests are deleted automatically.": "Solo publicamos el nombre, el tipo y el lugar de la organización. Su nombre y su correo se guardan cifrados, se usan solo para confirmar la firma y para escribirle sobre esta carta, nunca se muestran en público y nunca se envían a los funcionarios. No pedimos ni queremos el estatus migratorio, la fecha de nacimiento ni números de identificación de nadie. Las solicitudes sin confirmar se borran automáticamente.",
    "Organization": "Organización",
    "Did you mean:": "¿Quiso decir…?",
    "Copy the exact name into the field above, or pick one and send again.": "Copie el nombre exacto en el campo de arriba, o elija uno y vuelva a enviar.",
    "Contact (private)": "Contacto (privado)",
    "JavaScript is off, so the anti-spam check that runs in your browser cannot run. You can still sign: we accept a limited number of sign-ons without it, so if the form is busy, please try again later.": "JavaScript está desactivado, así que no puede hacerse la verificación antispam en su navegador. Aun así puede firmar: aceptamos un número limitado de adhesiones sin ella; si el formulario está ocupado, inténtelo más tarde.",
    "Sign the letter": "Firmar la carta",
    "We will email you a link to confirm. Staff review every signature before it is published.": "Le enviaremos por correo un enlace para confirmar. El equipo revisa cada firma antes de publicarla.",
    "This campaign is not collecting signatures right now.": "Esta campaña no está recogiendo firmas en este momento.",
    "Signatories": "Firmantes",
    "No organization has been approved yet.": "Todavía no se ha aprobado ninguna organización.",
    "Hello %(contact_name)s,": "Hola, %(contact_name)s:",
    "Hello,": "Hola:",
    'Someone, hopefully you, asked to add %(organization_name)s as a signer of the letter "%(campaign_title)s".': "Alguien, esperamos que usted, pidió añadir a %(organization_name)s como firmante de la carta «%(campaign_title)s».",
    "This signature is already confirmed; nothing else is needed. The link below simply confirms it again.": "Esta firma ya está confirmada; no hace falta nada más. El enlace de abajo solo la vuelve a confirmar.",
    "To confirm, open this link within %(max_age_hours)s hours:": "Para confirmar, abra este enlace antes de %(max_age_hours)s horas:",
    "Confirm the signature": "Confirmar la firma",
    "After you confirm, our staff review the signature before it appears on the public list.": "Después de que confirme, nuestro equipo revisa la firma antes de que aparezca en la lista pública.",
    "Your name and email are never shown publicly and never sent to officials.": "Su nombre y su correo nunca se muestran en público ni se envían a los funcionarios.",
    "If you did not ask for this, ignore this email: nothing will be published, and the request is deleted automatically.": "Si usted no lo pidió, ignore este mensaje: no se publicará nada y la solicitud se borrará automáticamente.",
    "The campaign:": "La campaña:",
    "Your signature for %(organization_name)s is already confirmed": "Su firma por %(organization_name)s ya está confirmada",
    "Confirm %(organization_name)s's signature: %(campaign_title)s": "Confirme la firma de %(organization_name)s: %(campaign_title)s",
    "Sign-on letters": "Cartas de adhesión",
    "Coalition letters to officials. Organizations sign on; individual contact details are never published or sent to officials.": "Cartas de la coalición a los funcionarios. Firman organizaciones; los datos de contacto de las personas nunca se publican ni se envían a los funcionarios.",
    "There are no open campaigns right now.": "No hay campañas abiertas en este momento.",
    "Check your email": "Revise su correo",
    "Thank you. If the details were valid, we have sent a confirmation link for “%(title)s” to the address you gave. The link expires in a few days.": "Gracias. Si los datos eran válidos, enviamos un enlace de confirmación para «%(title)s» a la dirección que nos dio. El enlace vence en unos días.",
    "Back to the campaign": "Volver a la campaña",
    "Confirm your signature": "Confirme su firma",
    "This link has expired": "Este enlace ha vencido",
    "Confirmation links are valid for a limited time. Please sign the campaign again to get a new link.": "Los enlaces de confirmación valen por tiempo limitado. Vuelva a firmar la campaña para recibir un enlace nuevo.",
    "This link is not valid": "Este enlace no es válido",
    "Please copy the whole link from the email, or sign the campaign again to get a new one.": "Copie el enlace completo del correo, o vuelva a firmar la campaña para recibir uno nuevo.",
    "Confirm that %(org)s signs “%(title)s”.": "Confirme que %(org)s firma «%(title)s».",
    "Confirm": "Confirmar",
    "Thank you, your signature is confirmed": "Gracias, su firma está confirmada",
    "%(org)s is on the list for staff review. It will appear publicly once approved.": "%(org)s está en la lista para que el equipo la revise. Aparecerá en público cuando se apruebe.",
    "This campaign is not collecting signatures.": "Esta campaña no está recogiendo firmas.",
    "That was very fast. Please check the form and send it again.": "Eso fue muy rápido. Revise el formulario y vuelva a enviarlo.",
    "This form has expired. Please send it again.": "Este formulario ha vencido. Vuelva a enviarlo.",
    "Too many submissions from your network. Please try again later.": "Demasiados envíos desde su red. Inténtelo más tarde.",
    "The anti-spam check failed. Please send the form again.": "La verificación antispam falló. Vuelva a enviar el formulario.",
    "Without JavaScript we can accept only a few sign-ons at a time. Please try again later, or enable JavaScript.": "Sin JavaScript solo podemos aceptar unas pocas adhesiones a la vez. Inténtelo más tarde o active JavaScript.",
    "Too many requests for this email address. Please try again later.": "Demasiadas solicitudes para esta dirección de correo. Inténtelo más tarde.",
    "Running the anti-spam check in your browser…": "Haciendo la verificación antispam en su navegador…",
    "Finishing the anti-spam check, then sending…": "Terminando la verificación antispam; luego se envía…",
    "Anti-spam check done.": "Verificación antispam hecha.",
    "The anti-spam check could not run; you can still send the form.": "No se pudo hacer la verificación antispam; aun así puede enviar el formulario.",
    "This campaign is closed or not yet open.": "Esta campaña está cerrada o aún no se ha abierto.",
}


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(path: Path) -> list[str]:
    blocks = path.read_text().split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        keys: dict[str, list[str]] = {}
        current = None
        head: list[str] = []
        for line in lines:
            m = re.match(r"^(msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
            if m:
                current = m.group(1)
                keys[current] = [m.group(2)]
            elif line.startswith('"') and current:
                keys[current].append(line)
            elif current is None:
                head.append(line)
        if "msgid" not in keys or _unquote(keys["msgid"]) == "":
            out.append(block)
            continue
        msgid = _unquote(keys["msgid"])
        head = [h for h in head if h.strip() != "#, fuzzy"]
        tr = ES.get(msgid)
        if tr is None:
            missing.append(msgid)
            out.append(block)
            continue
        body = [*head, f"msgid {_quote(msgid)}"]
        if "msgid_plural" in keys:
            assert isinstance(tr, tuple)
            body.append(f"msgid_plural {_quote(_unquote(keys['msgid_plural']))}")
            # gettext's Spanish rule has three forms (the third for "millones de"); it reads as the plural.
            body += [
                f"msgstr[0] {_quote(tr[0])}",
                f"msgstr[1] {_quote(tr[1])}",
                f"msgstr[2] {_quote(tr[1])}",
            ]
        else:
            assert isinstance(tr, str)
            body.append(f"msgstr {_quote(tr)}")
        out.append("\n".join(body))
    text = "\n\n".join(out)
    text = text.replace('"Language: \\n"', '"Language: es\\n"').replace(
        '#, fuzzy\nmsgid ""', 'msgid ""', 1
    )
    path.write_text(text)
    return missing


if __name__ == "__main__":
    missing = fill(Path(__file__).parent / "es" / "LC_MESSAGES" / "django.po")
    for m in missing:
        print("MISSING:", m, file=sys.stderr)
    sys.exit(1 if missing else 0)
