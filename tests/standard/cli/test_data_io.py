"""``m import`` and ``m export`` run as real subprocesses against a temporary site, on SQLite
and PostgreSQL; what was stored is checked with plain SQL."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from io_support import (
    another_database,
    m,
    m_on_terminal,
    ok,
    query,
    refused,
    scalar,
    write_site,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", database_url)


def member_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["full_name", "email", "age", "tags"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def member(i: int) -> dict[str, str]:
    return {"full_name": f"Member {i}", "email": f"m{i}@example.com", "age": str(20 + i % 50)}


async def test_10000_rows_with_3_invalid_import_9997_and_report_the_3(
    site: Path, database_url: str
) -> None:
    rows = [member(i) for i in range(1, 10_001)]
    rows[16]["email"] = "not an address"  # row 17
    rows[4999]["age"] = "old"  # row 5000
    rows[9998]["full_name"] = ""  # row 9999: an empty cell is a missing value
    path = member_csv(site / "members.csv", rows)

    result = m(site, "import", "Member", str(path))

    assert result.returncode == 1, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    report = result.stdout.splitlines()
    assert report[0] == "Rejected rows (3):"
    assert report[1].startswith("  row 17: email: String should match pattern")
    assert report[2] == (
        "  row 5000: age: Input should be a valid integer, unable to parse string as an integer"
    )
    assert report[3] == "  row 9999: full_name: Field required"
    assert report[-1] == "9997 of 10000 rows imported into Member; 3 rejected."
    assert await scalar(database_url, "SELECT count(*) FROM member") == 9997
    rejected = ["m17@example.com", "m5000@example.com", "m9999@example.com"]
    stored = await query(
        database_url,
        "SELECT email FROM member WHERE email IN (:a, :b, :c) OR email = 'not an address'",
        a=rejected[0],
        b=rejected[1],
        c=rejected[2],
    )
    assert stored == []
    # The system principal imported them (audited), and the values were converted from text.
    first = await query(
        database_url, "SELECT owner, age, active FROM member WHERE email = :e", e="m1@example.com"
    )
    assert first[0]["owner"] == "system"
    assert first[0]["age"] == 21
    assert bool(first[0]["active"]) is True


async def test_a_batch_the_database_refuses_leaves_none_of_its_rows(
    site: Path, database_url: str
) -> None:
    rows = [member(i) for i in range(1, 8)]
    rows[4]["email"] = rows[3]["email"]  # rows 4 and 5: unique only the database can tell
    path = member_csv(site / "members.csv", rows)

    dry = m(site, "import", "Member", str(path), "--batch-size", "3", "--dry-run")
    # Each row is valid on its own: only inserting finds the duplicate.
    assert dry.returncode == 0, dry.stderr
    assert (
        dry.stdout == "7 of 7 rows would be imported into Member (dry run: nothing was written).\n"
    )
    assert await scalar(database_url, "SELECT count(*) FROM member") == 0

    result = m(site, "import", "Member", str(path), "--batch-size", "3")

    assert result.returncode == 1, result.stderr
    assert "Rejected rows" not in result.stdout  # every row was valid on its own
    assert (
        "Batch row 4 to row 6 rolled back, 3 valid rows not imported: Member: duplicate value"
        in (result.stdout)
    )
    assert result.stdout.splitlines()[-1] == (
        "4 of 7 rows imported into Member; 3 in failed batches."
    )
    emails = {r["email"] for r in await query(database_url, "SELECT email FROM member")}
    # Row 6 was fine, but it was in the failed batch: nothing of that batch is stored.
    assert emails == {"m1@example.com", "m2@example.com", "m3@example.com", "m7@example.com"}


async def test_a_progress_bar_shows_on_a_terminal(site: Path, database_url: str) -> None:
    path = member_csv(site / "members.csv", [member(i) for i in range(1, 1201)])

    code, output = m_on_terminal(site, "import", "Member", str(path), "--batch-size", "200")

    assert code == 0, output
    assert "Importing Member" in output
    assert "1200/1200" in output
    assert output.rstrip().endswith("1200 of 1200 rows imported into Member.")
    assert await scalar(database_url, "SELECT count(*) FROM member") == 1200


BILLS = [
    {
        "customer": "Acme",
        "lines": [
            {"item": "Bolt", "qty": 3, "rate": "1.50"},
            {"item": "Nut", "qty": 2, "rate": "0.25"},
        ],
    },
    {"customer": "Refused Ltd", "lines": [{"item": "Gear", "qty": 1, "rate": "9"}]},
    {"customer": "Beta", "lines": [{"item": "Gear", "qty": 0}]},
    {"customer": "Gamma", "total": "99", "lines": [{"item": "Gear", "qty": 1, "rate": "5"}]},
]


async def test_json_children_import_and_controller_hooks_run(site: Path, database_url: str) -> None:
    path = site / "bills.json"
    path.write_text(json.dumps(BILLS))

    result = m(site, "import", "bill", str(path), "--batch-size", "1")

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "Rejected rows (1):",
        "  row 3: lines.0.qty: Input should be greater than or equal to 1",
        "Batch row 2 to row 2 rolled back, 1 valid rows not imported: "
        "Refused Ltd may not be billed",
        "2 of 4 rows imported into Bill; 1 rejected; 1 in failed batches.",
    ]
    bills = await query(
        database_url, "SELECT id, name, customer, total, checked_by FROM bill ORDER BY name"
    )
    # The naming series hands out numbers in the batch's transaction: a rolled-back batch
    # gives its number back.
    assert [(b["name"], b["customer"]) for b in bills] == [
        ("BILL-0001", "Acme"),
        ("BILL-0002", "Gamma"),
    ]
    # before_save computed the totals; a total given in the file was recomputed.
    assert [Decimal(str(b["total"])) for b in bills] == [Decimal("5.00"), Decimal("5.00")]
    assert {b["checked_by"] for b in bills} == {"controller"}
    lines = await query(
        database_url,
        "SELECT item, qty, idx FROM bill_line WHERE parent = :p ORDER BY idx",
        p=bills[0]["id"],
    )
    assert [(line["item"], line["qty"], line["idx"]) for line in lines] == [
        ("Bolt", 3, 1),
        ("Nut", 2, 2),
    ]


async def test_bypass_controllers_is_for_the_system_principal_only(
    site: Path, database_url: str
) -> None:
    ok(site, "user:create", "clerk@example.com", "--password", "clerk-password", "--role", "Clerk")
    path = site / "bills.json"
    path.write_text(json.dumps([BILLS[0], BILLS[3]]))

    message = refused(
        site, "import", "Bill", str(path), "--bypass-controllers", "--user", "clerk@example.com"
    )
    assert message == (
        "--bypass-controllers is only for the system principal; "
        "clerk@example.com is not a system user (leave out --user)"
    )
    assert await scalar(database_url, "SELECT count(*) FROM bill") == 0

    out = ok(site, "import", "Bill", str(path), "--bypass-controllers")
    assert out.splitlines()[-1] == "2 of 2 rows imported into Bill."
    bills = await query(database_url, "SELECT customer, total, checked_by FROM bill ORDER BY name")
    # No hook ran: the totals are the file's (or the default) and nobody "checked" them.
    assert [(b["customer"], Decimal(str(b["total"])), b["checked_by"]) for b in bills] == [
        ("Acme", Decimal("0"), None),
        ("Gamma", Decimal("99"), None),
    ]
    assert await scalar(database_url, "SELECT count(*) FROM bill_line") == 3


async def test_a_user_without_create_permission_imports_nothing(
    site: Path, database_url: str
) -> None:
    ok(
        site,
        "user:create",
        "viewer@example.com",
        "--password",
        "viewer-password",
        "--role",
        "Viewer",
    )
    path = member_csv(site / "members.csv", [member(1), member(2)])

    assert refused(site, "import", "Member", str(path), "--user", "viewer@example.com") == (
        "Not permitted to create Member"
    )
    assert await scalar(database_url, "SELECT count(*) FROM member") == 0
    assert refused(site, "import", "Member", str(path), "--user", "ghost@example.com") == (
        "no enabled user with the e-mail ghost@example.com"
    )


async def test_bad_input_is_one_line_and_exit_code_1(site: Path, database_url: str) -> None:
    good = member_csv(site / "members.csv", [member(1)])
    (site / "extra.csv").write_text("full_name,email,nickname\nAnn,ann@example.com,A\n")
    (site / "broken.json").write_text('[{"full_name": "Ann",')
    (site / "members.txt").write_text("full_name,email\n")

    assert refused(site, "import", "Nope", str(good)) == "unknown DocType 'Nope'"
    assert (
        refused(site, "import", "Member", "missing.csv") == "cannot open missing.csv: no such file"
    )
    assert refused(site, "import", "Member", "members.txt") == (
        "members.txt: cannot tell the format from the name; use --format csv|json"
    )
    assert refused(site, "import", "Member", "extra.csv") == (
        "Member has no field 'nickname' (check the header row)"
    )
    assert refused(site, "import", "Member", "broken.json").startswith(
        "broken.json is not valid JSON"
    )
    assert refused(site, "export", "Member", "--filter", "age~3").startswith("cannot read --filter")
    assert refused(site, "export", "Member", "--filter", "nickname=A") == (
        "Member has no field 'nickname' to filter by"
    )
    assert refused(site, "export", "Member", "--tenant", "acme") == (
        "--tenant is for multi-tenant sites ([tenancy] mode = multi)"
    )
    assert await scalar(database_url, "SELECT count(*) FROM member") == 0


async def test_export_and_import_round_trip_csv_and_json(
    site: Path, database_url: str, tmp_path: Path
) -> None:
    rows = [member(i) for i in range(1, 4)]
    rows[0]["tags"] = json.dumps(["vip", "früh"])
    ok(site, "import", "Member", str(member_csv(site / "members.csv", rows)))
    (site / "bills.json").write_text(json.dumps([BILLS[0], BILLS[3]]))
    ok(site, "import", "Bill", "bills.json")

    ok(site, "export", "Member", "--output", "members-out.csv")
    ok(site, "export", "Bill", "-o", "bills-out.json")
    ok(site, "export", "Bill", "-o", "bills-out.csv")
    exported_members = list(
        csv.DictReader(io.StringIO((site / "members-out.csv").read_text(encoding="utf-8")))
    )
    exported_bills = json.loads((site / "bills-out.json").read_text(encoding="utf-8"))
    assert len(exported_members) == 3
    assert [b["customer"] for b in exported_bills] == ["Acme", "Gamma"]
    assert exported_bills[0]["lines"][1]["item"] == "Nut"  # children as nested lists

    async with another_database(database_url, tmp_path) as other_url:
        other = write_site(tmp_path / "other", other_url)
        # The export's server-set columns (id, owner, creation, ...) are ignored on import.
        out = ok(other, "import", "Member", str(site / "members-out.csv"))
        assert out.splitlines()[-1] == "3 of 3 rows imported into Member."
        # Child tables travel in a CSV cell as JSON.
        ok(other, "import", "Bill", str(site / "bills-out.csv"))
        again_members = list(
            csv.DictReader(io.StringIO(ok(other, "export", "Member", "--format", "csv")))
        )
        again_bills = json.loads(ok(other, "export", "Bill", "--format", "json"))

    def member_values(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
        keys = ("full_name", "email", "age", "active", "tags")
        return sorted(tuple(row[k] for k in keys) for row in rows)

    assert member_values(again_members) == member_values(exported_members)
    assert ["vip", "früh"] in [json.loads(row["tags"]) for row in again_members]

    def bill_values(bills: list[dict[str, object]]) -> list[object]:
        return [
            (
                b["name"],
                b["customer"],
                Decimal(str(b["total"])),
                [(c["item"], c["qty"], Decimal(str(c["rate"]))) for c in b["lines"]],  # type: ignore[attr-defined]
            )
            for b in bills
        ]

    # Names come along (the file gives them); totals are recomputed to the same values.
    assert bill_values(again_bills) == bill_values(exported_bills)


async def test_export_shows_only_what_the_user_may_read(site: Path) -> None:
    for user, role in (("c1", "Clerk"), ("c2", "Clerk"), ("v", "Viewer")):
        ok(
            site,
            "user:create",
            f"{user}@example.com",
            "--password",
            "long-password",
            "--role",
            role,
        )
    ok(
        site,
        "import",
        "Member",
        str(member_csv(site / "a.csv", [member(1), member(2)])),
        "--user",
        "c1@example.com",
    )
    ok(
        site,
        "import",
        "Member",
        str(member_csv(site / "b.csv", [member(3)])),
        "--user",
        "c2@example.com",
    )

    def exported(*args: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(ok(site, "export", "Member", *args))))

    # Row-level security by owner: each clerk reads their own members only.
    mine = exported("--user", "c1@example.com")
    assert sorted(r["email"] for r in mine) == ["m1@example.com", "m2@example.com"]
    assert "salary" not in mine[0]  # a field for HR only is left out, not emptied
    assert [r["email"] for r in exported("--user", "c2@example.com")] == ["m3@example.com"]
    assert exported("--user", "v@example.com") == []
    # The system principal reads everything; filters narrow it.
    everything = exported()
    assert len(everything) == 3
    assert "salary" in everything[0]
    assert [r["email"] for r in exported("--filter", "email=m2@example.com")] == ["m2@example.com"]
    older = exported("--filter", '[["age", ">=", 22]]', "--fields", "email,age")
    assert older == [
        {"email": "m2@example.com", "age": "22"},
        {"email": "m3@example.com", "age": "23"},
    ]
    # A user who may not read the DocType at all gets an error, not an empty file.
    ok(site, "user:create", "nobody@example.com", "--password", "long-password")
    assert refused(site, "export", "Member", "--user", "nobody@example.com") == (
        "Not permitted to read Member"
    )


async def test_tenants_on_a_multi_tenant_site(database_url: str, tmp_path: Path) -> None:
    site = write_site(tmp_path / "multi", database_url, extra='[tenancy]\nmode = "multi"\n')
    password = ("--password", "long-password", "--role", "Clerk")
    ok(site, "user:create", "ann@example.com", *password, "--tenant", "acme")
    ok(site, "user:create", "bob@example.com", *password, "--tenant", "acme", "--tenant", "globex")
    (site / "tickets.csv").write_text("subject\nfirst\nsecond\n")
    (site / "elsewhere.csv").write_text("subject,tenant_id\nmine,acme\ntheirs,globex\n")

    # A user acts in their tenant: the documents land there.
    ok(site, "import", "Ticket", "tickets.csv", "--user", "ann@example.com")
    result = m(site, "import", "Ticket", "elsewhere.csv", "--user", "ann@example.com")
    assert result.returncode == 1
    assert "  row 2: Documents can only be created in your tenant" in result.stdout.splitlines()
    assert refused(site, "import", "Ticket", "tickets.csv", "--user", "bob@example.com") == (
        "bob@example.com belongs to several tenants (acme, globex): choose one with --tenant"
    )
    assert (
        refused(
            site,
            "import",
            "Ticket",
            "tickets.csv",
            "--user",
            "ann@example.com",
            "--tenant",
            "globex",
        )
        == "You do not belong to tenant 'globex'"
    )
    # The system principal may name any tenant.
    ok(site, "import", "Ticket", "tickets.csv", "--tenant", "globex")

    rows = await query(database_url, "SELECT subject, tenant_id FROM ticket")
    assert sorted((r["subject"], r["tenant_id"]) for r in rows) == [
        ("first", "acme"),
        ("first", "globex"),
        ("mine", "acme"),
        ("second", "acme"),
        ("second", "globex"),
    ]

    def tenants(*args: str) -> list[str]:
        out = ok(site, "export", "Ticket", "--fields", "tenant_id", *args)
        return sorted(row["tenant_id"] for row in csv.DictReader(io.StringIO(out)))

    assert tenants("--user", "ann@example.com") == ["acme", "acme", "acme"]
    assert tenants("--user", "bob@example.com", "--tenant", "globex") == ["globex", "globex"]
    assert tenants("--tenant", "globex") == ["globex", "globex"]
    assert tenants() == ["acme", "acme", "acme", "globex", "globex"]  # the system, across all
