"""The site registry loads strictly and names the bad entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.registry import RegistryError, load_registry, site_key_for
from crawler.replica import REPLICA_HOSTS

GOOD = """
[[site]]
key = "quynhnhai_sonla_gov_vn"
name = "Quỳnh Nhai"
base_url = "https://quynhnhai.sonla.gov.vn/"
province = "Sơn La"
level = "district"
family = "nukeviet"
feeds = ["/rss/"]
"""


def write(tmp_path: Path, text: str, name: str = "sites.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_registry_loads_with_replica_sites() -> None:
    sites = load_registry()
    assert {"portal_example", "news_example"} <= set(sites)
    assert sites["portal_example"].family == "nukeviet"


def test_loads_a_valid_entry(tmp_path: Path) -> None:
    sites = load_registry([write(tmp_path, GOOD)])
    site = sites["quynhnhai_sonla_gov_vn"]
    assert site.feeds == ("/rss/",)
    assert site.absolute("/rss/") == "https://quynhnhai.sonla.gov.vn/rss/"


def test_duplicate_key_fails_loudly_naming_both(tmp_path: Path) -> None:
    a = write(tmp_path, GOOD, "a.toml")
    b = write(tmp_path, GOOD, "b.toml")
    with pytest.raises(RegistryError, match=r"b\.toml entry 1 .*duplicate key .*a\.toml"):
        load_registry([a, b])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('level = "district"', 'level = "galaxy"'), "level 'galaxy'"),
        (('family = "nukeviet"', 'family = "joomla"'), "family 'joomla'"),
        (('family = "nukeviet"', 'family = "WordPress"'), "family 'WordPress'"),
        (('feeds = ["/rss/"]', ""), "needs at least one of"),
        (('base_url = "https://quynhnhai.sonla.gov.vn/"', 'base_url = "ftp://x/"'), "http"),
        (('province = "Sơn La"', 'provinse = "Sơn La"'), "unknown field"),
    ],
    ids=["bad-level", "bad-family", "family-case", "no-discovery", "not-http", "typo-field"],
)
def test_invalid_entries_name_the_entry(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RegistryError, match=message) as info:
        load_registry([path])
    assert "quynhnhai_sonla_gov_vn" in str(info.value)


def test_bundled_registry_has_every_replica_host_and_family() -> None:
    sites = load_registry()
    families = {s.family for s in sites.values() if s.status == "replica"}
    assert families == {"nukeviet", "wordpress", "liferay", "generic"}
    hosts = {s.host for s in sites.values() if s.status == "replica"}
    assert hosts == set(REPLICA_HOSTS)


def test_loads_the_optional_fields(tmp_path: Path) -> None:
    extra = (
        'province_code = "14"\nschedule = "6h"\nrobots_obey = false\n'
        'robots_reason = "robots.txt disallows / for every agent; the province asked us to crawl"\n'
        '[site.selectors]\ntitle = "h1.title"\npublished = "div.date > span"\n'
    )
    site = load_registry([write(tmp_path, GOOD + extra)])["quynhnhai_sonla_gov_vn"]
    assert (site.province_code, site.schedule, site.robots_obey) == ("14", "6h", False)
    assert site.selectors == {"title": "h1.title", "published": "div.date > span"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('province_code = "1"', "two-digit"),
        ('schedule = "often"', "schedule 'often'"),
        ('schedule = "0 */6 * *"', "schedule"),
        ("robots_obey = false", "needs a robots_reason"),
        ('robots_obey = "no"', "true or false"),
        ('[site.selectors]\nheadline = "h1"', "selectors.headline is not one of"),
        ('[site.selectors]\ntitle = "h1[["', "not valid CSS"),
        ('selectors = "h1"', "selectors must be a table"),
    ],
    ids=["code", "schedule-word", "cron-4-fields", "robots-no-reason", "robots-str",
         "selector-key", "selector-css", "selectors-not-table"],
)
def test_invalid_optional_fields_name_the_entry(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message) as info:
        load_registry([write(tmp_path, GOOD + extra + "\n")])
    assert "quynhnhai_sonla_gov_vn" in str(info.value)


def test_crontab_schedule_is_accepted(tmp_path: Path) -> None:
    site = load_registry([write(tmp_path, GOOD + 'schedule = "15 */6 * * *"\n')])
    assert site["quynhnhai_sonla_gov_vn"].schedule == "15 */6 * * *"


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="invalid TOML"):
        load_registry([write(tmp_path, "[[site]\nkey=")])


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.baosonla.vn/x", "baosonla_vn"),
        ("http://quynhnhai.sonla.gov.vn", "quynhnhai_sonla_gov_vn"),
    ],
)
def test_site_key_is_domain_with_underscores(url: str, key: str) -> None:
    assert site_key_for(url) == key


PROVINCES_2025 = {
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh",
    "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa",
    "Lâm Đồng", "Đắk Lắk", "TP. Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long",
    "Đồng Tháp", "Cà Mau", "An Giang",
}  # fmt: skip


def test_starter_registry_covers_the_34_provinces_with_portal_and_paper() -> None:
    real = [s for s in load_registry().values() if s.status != "replica"]
    assert len(PROVINCES_2025) == 34
    assert {s.province for s in real} == PROVINCES_2025
    for province in PROVINCES_2025:
        levels = {s.level for s in real if s.province == province}
        assert {"province", "newspaper"} <= levels, province
    assert {"sonla_gov_vn", "baosonla_vn", "baolaichau_vn", "baobinhdinh_vn", "dienbien_gov_vn"} <= {
        s.key for s in real
    }


def test_starter_entries_are_unverified_keyed_by_domain_and_annotated() -> None:
    real = [s for s in load_registry().values() if s.status != "replica"]
    hosts = [s.host.removeprefix("www.") for s in real]
    assert len(hosts) == len(set(hosts))
    for site in real:
        assert site.status == "unverified", site.key
        assert site.key == site_key_for(site.base_url), site.key
        assert site.province_pre2025 and site.province_code_pre2025, site.key
        assert site.notes, site.key
        merged_away = site.province_pre2025 not in (site.province, "Thừa Thiên Huế")  # Huế: renamed
        if merged_away:
            assert site.province_code is None, site.key
