import pytest

from firstline.core.services import staff_login_link_create


@pytest.mark.django_db
def test_staff_login_link_works_once(client, staff_user):
    link = staff_login_link_create(user=staff_user)
    first = client.get(link)
    assert first.status_code == 302 and first["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.logout()
    assert client.get(link).status_code == 403


@pytest.mark.django_db
def test_forged_staff_login_link_is_refused(client, staff_user):
    link = staff_login_link_create(user=staff_user)
    assert client.get(link[:-3] + "abc/").status_code == 403
