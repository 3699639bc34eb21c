"""Entity extraction: the seed article (acceptance 1) and odd inputs (acceptance 4)."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest

from crawler.entities import extract_entities
from crawler.extract import extract_article

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def seed():
    art = extract_article((FIXTURES / "nukeviet/articles/103.html").read_bytes())
    text = f"{art.title}\n{art.text}"
    return text, extract_entities(text, source_province="Sơn La")


def test_seed_people_are_exactly_the_three_named(seed):
    _, ents = seed
    assert sorted(p.name for p in ents.people) == ["Bùi Thái Sơn", "Mai Thu Hương", "Nguyễn Hoài Thu"]


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("Mai Thu Hương", ["Ủy viên Ban thường vụ Tỉnh ủy", "Trưởng Ban Tuyên giáo tỉnh ủy",
                           "Phó trưởng ban chỉ đạo 35"]),
        ("Nguyễn Hoài Thu", ["Bí thư huyện ủy", "Chủ tịch HĐND huyện"]),
        ("Bùi Thái Sơn", ["Phó Bí thư thường trực huyện ủy"]),
    ],
    ids=["mai-thu-huong", "nguyen-hoai-thu", "bui-thai-son"],
)  # fmt: skip
def test_seed_people_have_their_roles_as_written(seed, name, roles):
    _, ents = seed
    person = next(p for p in ents.people if p.name == name)
    assert person.roles[: len(roles)] == roles
    assert person.cues[0] in {"đồng chí", "Đ/c"}


@pytest.mark.parametrize(
    ("name", "level", "code_2024", "name_2024", "name_2025"),
    [
        ("Quỳnh Nhai", "huyện", "118", "Quỳnh Nhai, Sơn La", "Sơn La"),
        ("Mường Giàng", "xã", "03703", "Mường Giàng, Quỳnh Nhai, Sơn La", "Quỳnh Nhai, Sơn La"),
        ("Chiềng Bằng", "xã", "03706", "Chiềng Bằng, Quỳnh Nhai, Sơn La", "Quỳnh Nhai, Sơn La"),
    ],
    ids=["quynh-nhai", "muong-giang", "chieng-bang"],
)
def test_seed_places_resolve_before_and_after_the_reform(seed, name, level, code_2024, name_2024, name_2025):
    _, ents = seed
    place = next(p for p in ents.places if p.name == name)
    assert (place.level, place.unit_code_2024, place.unit_name_2024) == (level, code_2024, name_2024)
    assert place.unit_name_2025 == name_2025
    assert place.resolved


def test_seed_has_only_those_three_places(seed):
    _, ents = seed
    assert sorted(p.name for p in ents.places) == ["Chiềng Bằng", "Mường Giàng", "Quỳnh Nhai"]


@pytest.mark.parametrize(
    ("name", "province", "district"),
    [
        ("Ban Chỉ đạo 35 Tỉnh ủy Sơn La", "Sơn La", None),
        ("Ban Tuyên giáo Tỉnh ủy Sơn La", "Sơn La", None),
        ("Hội đồng nhân dân huyện Quỳnh Nhai", "Sơn La", "Quỳnh Nhai"),
        ("Huyện ủy Quỳnh Nhai", "Sơn La", "Quỳnh Nhai"),
    ],
    ids=["bcd35", "ban-tuyen-giao", "hdnd-huyen", "huyen-uy"],
)
def test_seed_organisations_expand_and_attach_context(seed, name, province, district):
    _, ents = seed
    org = next(o for o in ents.organizations if o.name == name)
    assert (org.province, org.district) == (province, district)


def test_seed_ho_chi_minh_in_fixed_phrase_is_nobody_and_nowhere(seed):
    text, ents = seed
    at = text.index("tư tưởng Hồ Chí Minh")
    inside = [m for m in ents.mentions if at <= m.start < at + 21]
    assert inside == []


def test_offsets_point_into_the_given_text(seed):
    text, ents = seed
    assert all(text[m.start : m.end] == m.text for m in ents.mentions)


def test_nfd_input_gives_the_same_entities_with_offsets_into_the_nfd_text(seed):
    text, ents = seed
    nfd = unicodedata.normalize("NFD", text)
    got = extract_entities(nfd, source_province="Sơn La")
    assert [(m.label, m.normalized) for m in got.mentions] == [(m.label, m.normalized) for m in ents.mentions]
    for m in got.mentions:
        assert nfd[m.start : m.end] == m.text
        assert unicodedata.normalize("NFC", m.text) == unicodedata.normalize("NFC", nfd[m.start : m.end])


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "12/11/2025 - 14:30", "Trời hôm nay nắng nhẹ, gió thổi mát.", "!!! ??? ...",
     "\x00\x01 binary \ufffd junk"],
    ids=["empty", "blank", "numbers", "no-entities", "punctuation", "control-chars"],
)  # fmt: skip
def test_text_without_entities_gives_none(text):
    assert extract_entities(text).mentions == []


def test_all_caps_headline_gives_sane_results():
    text = "ĐOÀN KHẢO SÁT BAN CHỈ ĐẠO 35 TỈNH ỦY LÀM VIỆC TẠI HUYỆN QUỲNH NHAI"
    ents = extract_entities(text, source_province="Sơn La")
    assert ents.people == []
    assert all(text[m.start : m.end] == m.text for m in ents.mentions)


def test_english_text_gives_no_vietnamese_people():
    text = "The Prime Minister met Mr Smith in London on Monday. Vietnam and Laos signed an accord."
    ents = extract_entities(text)
    assert ents.people == []
    assert {m.text for m in ents.mentions} <= {"Vietnam", "Laos"}


def test_one_megabyte_text_runs_in_reasonable_time(seed):
    text, _ = seed
    big = (text + "\n") * (1_000_000 // len(text) + 1)
    t0 = time.perf_counter()
    ents = extract_entities(big, source_province="Sơn La")
    assert time.perf_counter() - t0 < 60
    assert len(ents.people) == 3
    assert len(ents.mentions) > 1000


def test_author_is_not_a_person_unless_the_text_names_them():
    text = "Nguyễn Văn Tuấn\nHội nghị do đồng chí Lê Văn Hùng, Bí thư Tỉnh ủy chủ trì."
    ents = extract_entities(text, author="Nguyễn Văn Tuấn")
    assert [p.name for p in ents.people] == ["Lê Văn Hùng"]


def test_list_of_communes_gives_each_a_level():
    ents = extract_entities("Đoàn làm việc tại 2 xã Mường Giàng và Chiềng Bằng.", source_province="Sơn La")
    assert [(p.name, p.level) for p in ents.places] == [("Mường Giàng", "xã"), ("Chiềng Bằng", "xã")]


def test_ambiguous_commune_without_context_stays_unresolved():
    ents = extract_entities("Bà con xã Tân Lập đã hoàn thành thu hoạch lúa.")
    (place,) = ents.places
    assert not place.resolved and place.mentions[0].candidates > 1 and place.unit_code_2024 is None


def test_article_fields_are_json_ready(seed):
    import json

    from crawler.entities import article_fields

    text, _ = seed
    fields = article_fields(text, source_province="Sơn La")
    assert sorted(fields) == ["organizations", "people", "places"]
    assert {p["name"] for p in fields["people"]} == {"Mai Thu Hương", "Nguyễn Hoài Thu", "Bùi Thái Sơn"}
    json.dumps(fields, ensure_ascii=False)
