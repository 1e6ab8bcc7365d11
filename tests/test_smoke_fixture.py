from tests.conftest import sign_in


def test_a_signed_in_learner_sees_their_name(client, cast, content):
    sign_in(client, "ada")
    page = client.get("/")
    assert "Ada Lovelace" in page.text
    assert "Yellow Belt" in page.text
