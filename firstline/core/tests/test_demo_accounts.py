"""The demo creates one staff account per role (issue 14, H1) and prints its
login; running it again gives fresh passwords, never a superuser."""

import pytest
from django.contrib.auth import get_user_model

from firstline.core.roles import ROLES
from firstline.core.services import demo_staff_accounts_reset

pytestmark = pytest.mark.django_db


def test_one_account_per_role_with_only_that_role():
    rows = demo_staff_accounts_reset()
    assert [role for role, _u, _p in rows] == list(ROLES)
    for role, username, password in rows:
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password) and user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [role]
        wanted = {f"core.{c}" for c in ROLES[role]}
        granted = user.get_all_permissions()
        assert wanted <= granted
        if role != "admin":  # the admin role holds every permission
            assert {p for p in granted if p.startswith("core.")} == wanted
    again = dict((u, p) for _r, u, p in demo_staff_accounts_reset())
    assert all(again[u] != p for _r, u, p in rows)
    assert get_user_model().objects.filter(username__startswith="demo-").count() == len(ROLES)
