def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "coop4int-pages" in response.content.decode()


def test_the_manifest_makes_the_portal_installable(client):
    data = client.get("/manifest.webmanifest").json()
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    assert data["icons"][0]["src"].startswith("/static/")
