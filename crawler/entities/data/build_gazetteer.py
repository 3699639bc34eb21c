"""Build ``admin_units.tsv.gz`` from the wheel of ``vietnamadminunits`` (MIT).

Run once, by hand, when the source package publishes new data::

    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/w
    python crawler/entities/data/build_gazetteer.py /tmp/w/vietnamadminunits-1.0.4-py3-none-any.whl

It reads only the data files shipped in the wheel (``data/dataset.db`` and
``data/converter_2025.json``); nothing of the package is imported, so its geocoding
(network) code can never run. Output lines, tab-separated:

``S``  source package and version
``P``  old province: code, name, type
``D``  old district: code, province code, name, type
``W``  old commune: code, district code, name, type, new commune codes (default first)
``Q``  new province: code, name, type, old province codes
``N``  new commune: code, province code, name, type
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).with_name("admin_units.tsv.gz")
PKG = "vietnamadminunits/data/"


def _type(full: str, short: str) -> str:
    return full[: len(full) - len(short)].strip() if full and short else ""


def _load(wheel: Path) -> tuple[sqlite3.Connection, dict, str]:
    with zipfile.ZipFile(wheel) as zf:
        tmp = Path(tempfile.mkdtemp()) / "dataset.db"
        tmp.write_bytes(zf.read(PKG + "dataset.db"))
        conv = json.loads(zf.read(PKG + "converter_2025.json"))
    version = wheel.name.split("-")[1]
    return sqlite3.connect(tmp), conv, f"vietnamadminunits=={version}"


def _old_to_new(db: sqlite3.Connection, conv: dict) -> dict[str, list[str]]:
    new_code = {(p, w): c for p, w, c in db.execute("SELECT provinceKey, wardKey, wardCode FROM admin_units")}
    old_code = {
        f"{p}_{d}_{w or ''}": c
        for p, d, w, c in db.execute(
            "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy"
        )
    }
    out: dict[str, list[str]] = {}
    for prov, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, old_keys in wards.items():
            for key in old_keys:
                if key in old_code and (prov, new_key) in new_code:
                    out.setdefault(old_code[key], []).append(new_code[(prov, new_key)])
    for prov, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for key, news in olds.items():
            ordered = sorted(news, key=lambda n: not n["isDefaultNewWard"])
            codes = [
                new_code[(prov, n["newWardKey"])] for n in ordered if (prov, n["newWardKey"]) in new_code
            ]
            if key in old_code:
                out[old_code[key]] = list(dict.fromkeys(codes))
    return out


def build(wheel: Path) -> list[str]:
    db, conv, source = _load(wheel)
    lines = [f"S\t{source}"]
    q = "SELECT DISTINCT provinceCode, province, provinceShort FROM admin_units_legacy ORDER BY 1"
    lines += [f"P\t{c}\t{s}\t{_type(f, s)}" for c, f, s in db.execute(q)]
    q = "SELECT DISTINCT districtCode, provinceCode, district, districtShort FROM admin_units_legacy"
    q += " ORDER BY 1"
    lines += [f"D\t{c}\t{p}\t{s}\t{_type(f, s)}" for c, p, f, s in db.execute(q)]
    mapping = _old_to_new(db, conv)
    q = "SELECT wardCode, districtCode, ward, wardShort FROM admin_units_legacy"
    q += " WHERE ward IS NOT NULL ORDER BY 1"
    for c, d, f, s in db.execute(q):
        lines.append(f"W\t{c}\t{d}\t{s}\t{_type(f, s)}\t{','.join(mapping.get(c, []))}")
    key_code = dict(db.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units_legacy"))
    new_key_code = dict(db.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units"))
    q = "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey FROM admin_units ORDER BY 1"
    for c, f, s, key in db.execute(q):
        olds = [key_code[k] for k in conv["DICT_PROVINCE"][key] if k in key_code]
        assert new_key_code[key] == c
        lines.append(f"Q\t{c}\t{s}\t{_type(f, s)}\t{','.join(olds)}")
    q = "SELECT wardCode, provinceCode, ward, wardShort FROM admin_units ORDER BY 1"
    lines += [f"N\t{c}\t{p}\t{s}\t{_type(f, s)}" for c, p, f, s in db.execute(q)]
    return lines


def main(argv: list[str]) -> None:
    lines = build(Path(argv[1]))
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{OUT}: {len(lines)} lines")


if __name__ == "__main__":
    main(sys.argv)
