"""``sites add`` and ``sites check`` against the replica: families, feeds, sitemaps, bad input."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

import click
import pytest
from click.testing import CliRunner

from crawler.cli.sites_add import guess_level, sites_add, sites_check
from crawler.onboard import infer_article_pattern
from crawler.registry import load_registry
from crawler.replica import REPLICA_HOSTS, ReplicaServer

EXPECTED = {
    # host: (family, a feed that must be found, sitemaps, a listing that must be found)
    "portal.example": ("nukeviet", "/rss/chinh-tri/", ["/sitemap.xml"], "/chinh-tri/"),
    "news.example": ("generic", "/rss.xml", ["/sitemap.xml"], "/"),
    "wp.example": ("wordpress", "/feed/", ["/wp-sitemap.xml"], "/"),
    "wpclassic.example": ("wordpress", "/feed/", ["/wp-sitemap.xml"], "/"),
    "liferay.example": (
        "liferay", "/web/guest/tin-tuc/-/asset_publisher/tQ7xLmB2kPzR/rss", ["/sitemap.xml"],
        "/web/guest/tin-tuc",
    ),
}  # fmt: skip


@click.group()
def sites() -> None:
    """The commands as the ``sites`` group will carry them."""


sites.add_command(sites_add)
sites.add_command(sites_check)


@pytest.fixture(scope="module")
def srv() -> Iterator[ReplicaServer]:
    with ReplicaServer() as server:
        yield server


def invoke(*args: str):
    return CliRunner().invoke(sites, list(args))


def proxies(srv: ReplicaServer) -> list[str]:
    return [arg for host in REPLICA_HOSTS for arg in ("--proxy", f"{host}={srv.proxy_url}")]


def assert_one_line_error(result, *needles: str) -> None:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("provnews: error: "), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("host", REPLICA_HOSTS)
def test_add_detects_family_feeds_sitemaps_and_listings(srv, tmp_path, host):
    registry = tmp_path / "sites.toml"
    result = invoke("add", f"http://{host}/", "--registry", str(registry),
                    "--province", "Sơn La", "--level", "district", *proxies(srv))  # fmt: skip
    assert result.exit_code == 0, result.output
    family, feed, sitemaps, listing = EXPECTED[host]
    site = load_registry([registry])[host.replace(".", "_")]
    assert (site.family, site.status, site.province) == (family, "unverified", "Sơn La")
    assert feed in site.feeds and list(site.sitemaps) == sitemaps and listing in site.listings
    assert f"{family} (score" in result.stdout
    assert all(site.absolute(u).startswith(f"http://{host}/") for u in site.feeds)
    for url in srv.article_urls(host)[:5]:
        assert site.article_pattern is None or re.search(site.article_pattern, urlsplit(url).path), url


def test_add_finds_every_nukeviet_category_feed(srv, tmp_path):
    registry = tmp_path / "sites.toml"
    assert invoke("add", "http://portal.example/", "--registry", str(registry), *proxies(srv)).exit_code == 0
    site = load_registry([registry])["portal_example"]
    assert site.feeds[0] == "/rss/" and len(site.feeds) == 7
    assert site.article_id_pattern == r"-(\d+)\.html$"


def test_adding_an_existing_key_fails_unless_replace(srv, tmp_path):
    registry = tmp_path / "sites.toml"
    args = ("add", "http://wp.example/", "--registry", str(registry), *proxies(srv))
    assert invoke(*args).exit_code == 0
    assert_one_line_error(invoke(*args), "wp_example", "already exists", "--replace")
    assert invoke(*args, "--replace", "--key", "wp_example", "--level", "newspaper").exit_code == 0
    sites = load_registry([registry])
    assert list(sites) == ["wp_example"] and sites["wp_example"].level == "newspaper"
    assert invoke(*args, "--key", "wp_copy").exit_code == 0
    assert list(load_registry([registry])) == ["wp_example", "wp_copy"]


def test_dry_run_writes_nothing_and_guesses_are_warned(srv, tmp_path):
    registry = tmp_path / "sites.toml"
    result = invoke("add", "http://liferay.example/", "--registry", str(registry), "--dry-run",
                    *proxies(srv))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not registry.exists()
    assert 'family = "liferay"' in result.stdout
    assert "provnews: warning: province guessed" in result.stderr


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        pytest.param("file:///etc/passwd", "'file://'", id="file"),
        pytest.param("ftp://ftp.example/pub/", "'ftp://'", id="ftp"),
        pytest.param("javascript:alert(1)", "'javascript://'", id="javascript"),
        pytest.param("news.example", "no scheme", id="no-scheme"),
        pytest.param("http:///nohost", "no host", id="no-host"),
        pytest.param("http://news.example/rss.xml", "not an HTML page", id="rss-not-html"),
        pytest.param("http://portal.example/sitemap.xml", "not an HTML page", id="xml-not-html"),
        pytest.param("http://news.example/khong-co/", "HTTP 404", id="404"),
        pytest.param("http://unreachable.example/", "cannot reach unreachable.example", id="unreachable"),
    ],
)
def test_bad_urls_give_one_line_errors(srv, tmp_path, url, needle):
    closed = ReplicaServer().start()
    dead = closed.proxy_url
    closed.stop()  # nothing listens there any more
    result = invoke("add", url, "--registry", str(tmp_path / "s.toml"), *proxies(srv),
                    "--proxy", f"unreachable.example={dead}")  # fmt: skip
    assert_one_line_error(result, needle)
    assert not (tmp_path / "s.toml").exists()


class _Broken(BaseHTTPRequestHandler):
    """A site whose robots.txt is junk (``/robots.txt`` path depends on the host name)."""

    ROBOTS: ClassVar[dict[str, tuple[int, bytes]]] = {
        "html-robots.example": (200, b"<html><body>Trang ch\xe1\xbb\xa7</body></html>"),
        "binary-robots.example": (200, bytes(range(256)) * 4),
        "error-robots.example": (500, b"oops"),
        "garbled-robots.example": (200, b"User-agent *\nDisallow /\nthis is not a rule\n"),
        "closed-robots.example": (200, b"User-agent: *\nDisallow: /\n"),
    }

    def do_GET(self) -> None:
        host, path = urlsplit(self.path).hostname or "", urlsplit(self.path).path
        if path == "/robots.txt":
            status, body = self.ROBOTS[host]
            ctype = "text/plain"
        else:
            status, ctype = 200, "text/html"
            body = b"<html><head><title>Xa</title></head><body><p>x</p></body></html>"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def broken() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("host", sorted(_Broken.ROBOTS))
def test_broken_robots_txt_is_a_warning_not_a_traceback(broken, tmp_path, host):
    registry = tmp_path / "sites.toml"
    result = invoke("add", f"http://{host}/", "--registry", str(registry), "--proxy", f"{host}={broken}",
                    "--province", "Huế", "--level", "commune")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.exception is None and "Traceback" not in result.output
    robots_warnings = [line for line in result.stderr.splitlines() if "warning: robots.txt" in line]
    assert robots_warnings, result.stderr
    assert any("no feed or sitemap" in line for line in result.stderr.splitlines())
    assert load_registry([registry])[host.replace(".", "_").replace("-", "_")].listings == ("/",)


def test_bad_proxy_option_is_a_usage_error(tmp_path):
    assert_one_line_error(invoke("add", "http://wp.example/", "--proxy", "wp.example"), "--proxy expects")


# -- sites check -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["portal_example", "news_example", "wp_example", "wpclassic_example",
                                 "liferay_example"])  # fmt: skip
def test_check_prints_fields_with_provenance(srv, key):
    result = invoke("check", key, *proxies(srv))
    assert result.exit_code == 0, result.output
    assert f"{key}: check passed" in result.stdout
    family = load_registry()[key].family
    title_line = next(line for line in result.stdout.splitlines() if line.startswith("title "))
    expected_layer = f"family:{family}" if family != "generic" else "generic"
    assert title_line.rstrip().endswith(expected_layer), title_line


def test_check_unknown_key_and_unreachable_site_are_one_line_errors(srv):
    assert_one_line_error(invoke("check", "no_such_site"), "unknown site key")
    closed = ReplicaServer().start()
    dead = closed.proxy_url
    closed.stop()
    assert_one_line_error(invoke("check", "wp_example", "--proxy", f"wp.example={dead}"), "cannot reach")


def test_check_a_freshly_added_site(srv, tmp_path):
    registry = tmp_path / "sites.toml"
    added = invoke("add", "http://wpclassic.example/", "--registry", str(registry), *proxies(srv))
    assert added.exit_code == 0
    result = invoke("check", "wpclassic_example", "--registry", str(registry), *proxies(srv))
    assert result.exit_code == 0, result.output
    assert "family:wordpress" in result.stdout


# -- guesses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "level"),
    [("sonla.gov.vn", "province"), ("quynhnhai.sonla.gov.vn", "district"),
     ("sonv.hanoi.gov.vn", "department"), ("baosonla.vn", "newspaper"),
     ("www.angiang.dcs.vn", "party_committee")],
)  # fmt: skip
def test_level_is_guessed_from_the_host(host, level):
    assert guess_level(host) == level


def test_article_pattern_is_inferred_from_shared_shape():
    urls = [f"http://news.example/bai/tin-{i}.html" for i in range(5)]
    assert infer_article_pattern(urls) == r"^/bai/[^/]+\.html$"
    assert infer_article_pattern([*urls, "http://news.example/video/x.html"]) is None
    assert infer_article_pattern(urls[:2]) is None
