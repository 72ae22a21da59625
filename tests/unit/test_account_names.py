"""Login and role names: stored in lower case, and a refused one named with what
would be accepted (the CLI, the admin console and the settings say it as is)."""

from __future__ import annotations

import pytest

from podium.accounts import service


def test_names_are_stripped_and_lower_cased():
    assert service.normalize_login("  Ada.Lovelace@Example ") == "ada.lovelace@example"
    assert service.normalize_role(" Editor ") == "editor"


@pytest.mark.parametrize(("normalize", "given", "says"), [
    (service.normalize_login, "bad name",
     f"login name 'bad name' is not valid: expected 1 to {service.LOGIN_MAX} letters a-z, "
     "digits and . _ @ + - (starting with a letter or digit)"),
    (service.normalize_login, "a" * (service.LOGIN_MAX + 1), "login name 'aaa"),
    (service.normalize_login, "-ada", "login name '-ada' is not valid"),
    (service.normalize_role, "1st",
     f"role name '1st' is not valid: expected up to {service.ROLE_MAX} letters a-z, digits "
     "and _ . - (starting with a letter)"),
    (service.normalize_role, "r" * (service.ROLE_MAX + 1), "role name 'rrr"),
    (service.normalize_role, "  ", "role name '  ' is not valid"),
])
def test_a_refused_name_says_what_is_expected(normalize, given, says):
    with pytest.raises(service.AccountError) as refused:
        normalize(given)
    assert str(refused.value).startswith(says)
