"""The lock survives: a truncated or corrupt lock is a clear error (file:line:col) and the
build still runs from the catalog alone; sync never replaces a good lock with a worse one;
two syncs at once cannot interleave their writes."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.catalog.lock import (
    HubEntry,
    Lock,
    LockBusy,
    LockError,
    LockRegression,
    dump_lock,
    exclusive,
    load_lock,
    parse_lock,
    write_lock,
)
from tests.conftest import FIXTURES, ROOT, build_site, run_cli
from tests.fakehub import FakeHub, loopback_only, synthetic_model
from tests.test_lock import sample

HOSTILE_LOCK = FIXTURES / "hostile" / "catalog.lock.yaml"


def written(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "catalog.lock.yaml"
    write_lock(path, sample())
    return path, path.read_bytes()


def test_a_lock_cut_anywhere_is_an_error_never_a_shorter_lock(tmp_path: Path) -> None:
    text = dump_lock(sample())
    for cut in range(len(text)):  # every byte: a cut at a line end is valid YAML too
        with pytest.raises(LockError) as info:
            parse_lock(text[:cut], "catalog.lock.yaml")
        assert str(info.value).startswith("catalog.lock.yaml:")
    assert dump_lock(parse_lock(text, "catalog.lock.yaml")) == text


def test_a_truncated_lock_names_its_last_line(tmp_path: Path) -> None:
    path, good = written(tmp_path)
    path.write_bytes(good[: len(good) * 2 // 3].rsplit(b"\n", 1)[0] + b"\n")
    with pytest.raises(LockError, match=r"catalog\.lock\.yaml:\d+:1: the lock is truncated"):
        load_lock(path)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (b"\xff\xfe", r":1:1: byte 0xff is not UTF-8"),
        (b"models: [\n", r":\d+:\d+: .*restore it with `git checkout"),
        (b"\x00", r"restore it"),
        (b"", r"the lock is empty"),
    ],
)
def test_a_corrupt_lock_is_a_clear_error(tmp_path: Path, damage: bytes, expected: str) -> None:
    path = tmp_path / "catalog.lock.yaml"
    path.write_bytes(damage)
    with pytest.raises(LockError, match=expected):
        load_lock(path)


def test_random_corruption_never_escapes_as_another_exception(tmp_path: Path) -> None:
    """Bytes flipped, lines dropped or doubled, at random (seeded): a Lock or a LockError."""
    rng = random.Random(14)
    good = dump_lock(sample()).encode()
    path = tmp_path / "catalog.lock.yaml"
    outcomes = {"lock": 0, "error": 0}
    for _ in range(400):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(data))
            op = rng.choice(["flip", "drop", "dup", "junk"])
            if op == "flip":
                data[i] = rng.randrange(256)
            elif op == "drop":
                del data[i : i + rng.randint(1, 40)]
            elif op == "dup":
                data[i:i] = data[i : i + rng.randint(1, 40)]
            else:
                data[i:i] = rng.choice([b"*a", b"&a ", b"{", b"\t", b"!!binary ", b"\r\n"])
        path.write_bytes(bytes(data))
        try:
            load_lock(path)
            outcomes["lock"] += 1
        except LockError as exc:
            message = str(exc)
            outcomes["error"] += 1
            assert message.startswith(f"{path}:")
    assert outcomes["error"] > 300  # almost every damage is caught: the end marker


def test_an_alias_bomb_lock_is_refused_quickly() -> None:
    bomb = "".join(
        f"{c}: &{c} [{', '.join([('*' + chr(ord(c) - 1)) if c > 'a' else '1'] * 9)}]\n"
        for c in "abcdefghi"
    )
    started = time.monotonic()
    with pytest.raises(LockError, match="refused"):
        parse_lock(bomb, "catalog.lock.yaml")
    assert time.monotonic() - started < 10  # stopped at source.MAX_NODES, not expanded


def test_the_build_runs_from_the_catalog_alone_with_a_warning(tmp_path: Path) -> None:
    lock = tmp_path / "catalog.lock.yaml"
    text = HOSTILE_LOCK.read_text(encoding="utf-8")
    lock.write_text(text[: len(text) // 2], encoding="utf-8")  # cut mid-entry
    site = build_site(tmp_path, FIXTURES / "catalog.yaml", lock)
    assert site.result.code == 0, site.result.err
    warning = [line for line in site.result.err.splitlines() if line.startswith(f"{lock}:")]
    assert warning
    assert "warning:" in warning[0]
    assert "building from the catalog alone" in warning[0]
    page = (site.site / "families" / "open-family" / "index.html").read_text(encoding="utf-8")
    assert "not yet synced" in page
    assert "Traceback" not in site.result.err


# -- never a worse lock --------------------------------------------------------------------


def test_a_lock_that_would_lose_good_data_is_not_written(tmp_path: Path) -> None:
    path, good = written(tmp_path)
    old = load_lock(path)
    assert old is not None
    worse = old.model_copy(
        update={"models": {**old.models, "a/one": HubEntry(requested_id="a/one", id="a/one")}}
    )
    with pytest.raises(LockRegression, match=r"would lose the Hub data of 1 repo\(s\) \(a/one\)"):
        write_lock(path, worse, old=old)
    assert path.read_bytes() == good
    dropped = Lock(synced_at=old.synced_at, models={"b/two": old.models["b/two"]})
    assert write_lock(path, dropped, old=old)  # removed from the catalog: intended


def test_a_write_that_does_not_read_back_keeps_the_old_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, good = written(tmp_path)
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:  # the file system kept only part of it
        real_fsync(fd)
        os.ftruncate(fd, 100)

    monkeypatch.setattr(os, "fsync", full_disk)
    changed = sample().model_copy(update={"synced_at": None})
    with pytest.raises(LockRegression, match="did not read back"):
        write_lock(path, changed)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.lock.yaml"]


def _sync_env(hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    return {
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_TOKEN": "",
        "HF_HUB_OFFLINE": "0",
    }


FAST = ["--timeout", "2", "--retries", "0", "--max-rate", "0"]
CATALOG = FIXTURES / "catalog.yaml"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    loopback_only(monkeypatch)
    import yaml

    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    repos = [m["id"] for f in data["families"] for m in [*f["models"], *f.get("derivatives", [])]]
    return FakeHub({r: synthetic_model(r, i) for i, r in enumerate(repos)})


def test_sync_refuses_to_replace_a_corrupt_lock(fake: FakeHub, tmp_path: Path) -> None:
    lock = tmp_path / "catalog.lock.yaml"
    lock.write_bytes(b"schema_version: 1\nmodels: {a/b: [\n")
    with fake:
        result = run_cli(
            "sync",
            "--catalog",
            str(CATALOG),
            "--lock",
            str(lock),
            *FAST,
            env=_sync_env(fake, tmp_path),
            timeout=60,
        )
    assert result.code == 1
    assert f"{lock}:3:" in result.err
    assert "git checkout" in result.err
    assert "Traceback" not in result.err
    assert lock.read_bytes() == b"schema_version: 1\nmodels: {a/b: [\n"


def test_two_syncs_at_once_do_not_interleave(fake: FakeHub, tmp_path: Path) -> None:
    lock = tmp_path / "catalog.lock.yaml"
    fake.latency = 0.4  # the first sync takes a few seconds
    with fake:
        env = {**os.environ, **_sync_env(fake, tmp_path)}
        args = [
            sys.executable,
            "-m",
            "generator",
            "sync",
            "--catalog",
            str(CATALOG),
            "--lock",
            str(lock),
            *FAST,
            "--workers",
            "1",
        ]
        first = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        guard = tmp_path / ".catalog.lock.yaml.sync"
        deadline = time.monotonic() + 30
        while not (guard.exists() and guard.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = run_cli(
            "sync",
            "--catalog",
            str(CATALOG),
            "--lock",
            str(lock),
            *FAST,
            env=_sync_env(fake, tmp_path),
            timeout=60,
        )
        _out, err = first.communicate(timeout=120)
    assert second.code == 1
    assert f"another sync (pid {first.pid}) is writing this lock" in second.err
    assert first.returncode == 0, err
    synced = load_lock(lock)
    assert synced is not None
    assert len(synced.models) == 6
    assert all(e.error is None for e in synced.models.values())


def test_the_guard_is_released_when_its_holder_ends(tmp_path: Path) -> None:
    lock = tmp_path / "catalog.lock.yaml"
    code = f"from generator.catalog.lock import exclusive\nwith exclusive({str(lock)!r}): pass\n"
    with exclusive(lock):
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
        )
        with pytest.raises(LockBusy), exclusive(lock):  # not even this process twice
            pass
    assert proc.returncode == 1
    assert "LockBusy" in proc.stderr
    assert f"another sync (pid {os.getpid()})" in proc.stderr
    with exclusive(lock):  # free again once its holder let go
        pass
