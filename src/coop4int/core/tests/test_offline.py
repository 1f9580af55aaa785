def _policy(response) -> dict[str, str]:
    """The Content-Security-Policy header, directive name → its sources."""
    parts = (part.strip() for part in response["Content-Security-Policy"].split(";"))
    return {name: rest for name, _space, rest in (part.partition(" ") for part in parts if part)}


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "coop4int-pages" in response.content.decode()


def test_the_service_worker_is_javascript_with_a_policy_of_its_own(client):
    """A worker is held to the policy it is served with: it may fetch from this site only and
    load no script; never sniffed as anything else; checked for a new version on each visit."""
    response = client.get("/sw.js")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-cache"
    assert _policy(response) == {"default-src": "'none'", "connect-src": "'self'"}


def test_the_offline_page_is_a_page_held_to_the_sites_policy(client, db):
    """It is kept by the service worker as it is answered, headers and all."""
    response = client.get("/pt/offline/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Disposition" not in response
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_manifest_makes_the_portal_installable(client):
    data = client.get("/manifest.webmanifest").json()
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    assert data["icons"][0]["src"].startswith("/static/")
