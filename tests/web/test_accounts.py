"""Accounts (issue 13): the migration that adds their tables, roles, argon2 password hashes,
API tokens and the ``enrichwatch users`` commands."""

from __future__ import annotations

import io
import json

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from enrichwatch.errors import InputError
from enrichwatch.records import RecordDraft, RecordStore
from enrichwatch.records.tables import HEAD_REVISION
from enrichwatch.web.accounts import (
    FAST_HASHER_FOR_TESTS,
    ROLES,
    AccountBook,
    accounts,
    api_tokens,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def book(store_url):
    store = RecordStore.open(store_url).init()
    yield AccountBook(store.engine, hasher=FAST_HASHER_FOR_TESTS)
    store.close()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "enrichwatch.records:migrations")
    return config


def test_migration_history_is_linear_and_ends_at_the_login_failures():
    script = ScriptDirectory.from_config(_config())
    heads = script.get_heads()
    assert heads == [HEAD_REVISION] == ["0003_web_login_failures"]
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain == ["0003_web_login_failures", "0002_web_accounts", "0001_records_ledger"]


def test_a_ledger_store_upgrades_keeping_its_records(store_url):
    """A store at 0001 (before accounts) gains the accounts tables on init(); its records
    and their verification are untouched."""
    store = RecordStore.open(store_url)
    with store.engine.connect() as conn, conn.begin():
        config = _config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001_records_ledger")
    assert "web_accounts" not in inspect(store.engine).get_table_names()
    store.init()
    store.append(RecordDraft("facility", "FFEP", "2009-09-21", "2009-09-21", "test",
                             {"name": "Fordow"}))
    tables = set(inspect(store.engine).get_table_names())
    assert {"web_accounts", "web_account_facilities", "web_api_tokens", "web_audit",
            "web_login_failures"} <= tables
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            HEAD_REVISION
    assert store.verify().ok
    store.close()


def test_every_role_can_be_created_and_authenticated(book):
    for role in ROLES:
        extra = {"party": "Iran", "facilities": ["FFEP", "PFEP"]} if role == "state-operator" \
            else {}
        made = book.add(f"u-{role}", role, PASSWORD, **extra)
        assert book.authenticate(f"u-{role}", PASSWORD) == made
        assert made.role == role
    assert book.get("u-state-operator").facilities == ("FFEP", "PFEP")
    assert [a.name for a in book.all()] == sorted(f"u-{r}" for r in ROLES)


@pytest.mark.parametrize(("args", "param"), [
    (("bad name", "analyst"), "name"),
    (("ann", "superuser"), "role"),
    (("ann", "state-operator"), "facility"),           # a state operator needs facilities
    (("ann", "analyst", {"facilities": ["FFEP"]}), "facility"),   # only state operators
    (("ann", "state-operator", {"facilities": ["FFEP"]}), "party"),
    (("ann", "analyst", {"facilities": ["ffep lower"]}), "facility"),
])
def test_bad_accounts_are_refused_naming_the_field(book, args, param):
    name, role, *rest = args
    with pytest.raises(InputError) as caught:
        book.add(name, role, PASSWORD, **(rest[0] if rest else {}))
    assert caught.value.param == param
    assert book.all() == []


def test_short_password_and_taken_name_are_refused(book):
    with pytest.raises(InputError, match="password"):
        book.add("ann", "analyst", "short")
    book.add("ann", "analyst", PASSWORD)
    with pytest.raises(InputError, match="no other account"):
        book.add("ann", "inspector", PASSWORD)


def test_wrong_password_unknown_name_and_disabled_account_fail(book):
    book.add("ann", "analyst", PASSWORD)
    assert book.authenticate("ann", PASSWORD + "x") is None
    assert book.authenticate("nobody", PASSWORD) is None
    with book.engine.begin() as conn:
        conn.execute(accounts.update().values(disabled=True))
    assert book.authenticate("ann", PASSWORD) is None


def test_password_hash_is_argon2id_salted_and_does_not_contain_the_password(book):
    book.add("ann", "analyst", PASSWORD)
    book.add("bob", "analyst", PASSWORD)
    with book.engine.begin() as conn:
        hashes = conn.execute(select(accounts.c.password_hash)).scalars().all()
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert hashes[0] != hashes[1]                    # a salt per hash
    assert all(PASSWORD not in h and PASSWORD.encode().hex() not in h for h in hashes)


def test_password_change_ends_sessions(book):
    ann = book.add("ann", "analyst", PASSWORD)
    book.set_password("ann", PASSWORD + "!")
    assert book.authenticate("ann", PASSWORD) is None
    assert book.authenticate("ann", PASSWORD + "!").session_epoch == ann.session_epoch + 1


def test_api_tokens_are_stored_hashed_and_revocable(book):
    ann = book.add("ann", "analyst", PASSWORD)
    token = book.issue_token("ann", "script")
    assert book.authenticate_token(token) == ann
    with book.engine.begin() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
    assert token not in stored and len(stored[0]) == 64
    for forged in ("", token + "x", token[:-1], "ewt_" + "A" * 43, "x" * 10_000):
        assert book.authenticate_token(forged) is None
    assert book.revoke_tokens("ann") == 1
    assert book.authenticate_token(token) is None
    assert [e["action"] for e in book.audit_trail()] == ["account.add", "token.issue",
                                                        "token.revoke"]


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "records.sqlite"
    RecordStore.open(path).init().close()
    return path


def test_users_add_reads_the_password_from_stdin(cli, db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = cli("users", "add", "ann", "--role", "state-operator", "--party", "Iran",
                         "--facility", "FFEP", "--db", db, "--json")
    assert code == 0, err
    assert json.loads(out)["account"] == {"name": "ann", "role": "state-operator",
                                          "party": "Iran", "facilities": ["FFEP"],
                                          "disabled": False}
    store = RecordStore.open(db).init()
    assert AccountBook(store.engine).authenticate("ann", PASSWORD).name == "ann"
    store.close()
    assert PASSWORD not in out + err


def test_users_add_bad_role_exits_1_naming_it(cli, db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _, err = cli("users", "add", "ann", "--role", "root", "--db", db)
    assert code == 1 and "role" in err and "Traceback" not in err


def test_users_has_no_password_option(cli, db):
    code, _, err = cli("users", "add", "ann", "--role", "analyst", "--password", PASSWORD,
                       "--db", db)
    assert code == 1 and "--password" in err


def test_users_token_and_list(cli, db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli("users", "add", "ann", "--role", "analyst", "--db", db)[0] == 0
    code, out, _ = cli("users", "token", "ann", "--db", db, "--json")
    assert code == 0 and json.loads(out)["token"].startswith("ewt_")
    code, out, _ = cli("users", "list", "--db", db, "--json")
    assert [a["name"] for a in json.loads(out)["accounts"]] == ["ann"]
    assert "argon2" not in out


def test_users_on_a_missing_store_exits_1(cli, tmp_path):
    code, _, err = cli("users", "list", "--db", tmp_path / "none.sqlite")
    assert code == 1 and "--db" in err
