"""Delivery files for a petition: signatures CSV, counts by ward CSV, OSDI JSON (no user ids)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.store._petitions import Petition, Signature

# Spreadsheet programs run cells starting with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class PetitionExport:
    """Delivery files: signatures CSV, counts by ward CSV, OSDI JSON (no user ids anywhere)."""

    petition: Petition
    files: dict[str, bytes] = field(default_factory=dict)
    osdi: dict[str, Any] = field(default_factory=dict)


def build_export(petition: Petition, signatures: list[Signature]) -> PetitionExport:
    """The delivery files of a petition from its signatures, oldest first."""
    stem = f"petition-{petition.id}"
    files = {f"{stem}-signatures.csv": signatures_csv(signatures).encode("utf-8")}
    wards = ward_counts(petition, signatures)
    if wards:
        files[f"{stem}-by-ward.csv"] = wards_csv(wards).encode("utf-8")
    osdi = osdi_document(petition, signatures)
    files[f"{stem}.osdi.json"] = json.dumps(osdi, indent=2, ensure_ascii=False).encode("utf-8")
    return PetitionExport(petition, files, osdi)


def _spreadsheet_safe(text: str | None) -> str:
    value = text or ""
    return "'" + value if value.startswith(FORMULA_START) else value


def ward_counts(petition: Petition, signatures: list[Signature]) -> dict[str, int]:
    """Signatures per ZIP/ward, wards sorted, "not given" last; empty if no one gave one."""
    if petition.ward_counts is not None:
        wards = dict(petition.ward_counts)
    else:
        wards = dict(Counter(s.zip or "" for s in signatures))
    if set(wards) <= {""}:
        return {}
    return dict(sorted(wards.items(), key=lambda item: (item[0] == "", item[0])))


def signatures_csv(signatures: list[Signature]) -> str:
    """One row per signature: number, public name or "(name withheld)", date, comment."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with_zip = any(s.zip for s in signatures)
    header = ["number", "name", "signed_on", "comment"]
    if with_zip:
        header.insert(2, "zip_or_ward")
    writer.writerow(header)
    for number, signature in enumerate(signatures, start=1):
        row = [
            str(number),
            _spreadsheet_safe(signature.public_name) or "(name withheld)",
            signature.signed_at[:10],
            _spreadsheet_safe(signature.reason),
        ]
        if with_zip:
            row.insert(2, _spreadsheet_safe(signature.zip))
        writer.writerow(row)
    return buffer.getvalue()


def wards_csv(wards: dict[str, int]) -> str:
    """Signature counts by ZIP/ward."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["zip_or_ward", "signatures"])
    for ward, count in wards.items():
        writer.writerow([_spreadsheet_safe(ward) or "(not given)", count])
    return buffer.getvalue()


def osdi_document(petition: Petition, signatures: list[Signature]) -> dict[str, Any]:
    """The petition and its signatures in the OSDI shape (osdi:petition / osdi:signatures)."""
    osdi_signatures = []
    for signature in signatures:
        entry: dict[str, Any] = {"action_date": signature.signed_at}
        if signature.reason:
            entry["comments"] = signature.reason
        person: dict[str, Any] = {}
        if signature.public_name:
            person["name"] = signature.public_name
        if signature.zip:
            person["postal_addresses"] = [{"postal_code": signature.zip}]
        if person:
            entry["person"] = person
        osdi_signatures.append(entry)
    data: dict[str, Any] = {
        "origin_system": "banwatch",
        "identifiers": [f"banwatch:petition-{petition.id}"],
        "title": petition.title,
        "petition_text": petition.demand,
        "target": [{"name": petition.target}],
        "total_signatures": petition.signature_count,
        "created_date": petition.created_at,
        "status": petition.status,
        "signatures": osdi_signatures,
    }
    if petition.deadline:
        data["end_date"] = petition.deadline
    if petition.jurisdiction:
        data["jurisdiction"] = petition.jurisdiction
    return data
