"""The production layout's files agree with the code: the units are valid systemd units
(with this checkout standing in for /srv/govstore), nginx accepts bodies exactly as large
as Django does, and only one scheduler is ever started per machine list."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.stack import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("govstore-*.service"))


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is missing")
def test_the_systemd_units_are_valid(tmp_path: Path) -> None:
    assert {unit.stem for unit in UNITS} == {
        "govstore-web",
        "govstore-ws",
        "govstore-worker",
        "govstore-beat",
        "govstore-migrate",
    }
    for unit in [*UNITS, DEPLOY / "systemd" / "govstore.target"]:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/govstore", str(ROOT)))
    checked = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(path) for path in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
    )
    # Unknown keys and bad values are warnings on stderr even when it exits 0.
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


def test_nginx_accepts_what_django_accepts() -> None:
    site = (DEPLOY / "nginx" / "govstore.conf").read_text()
    found = re.search(r"client_max_body_size (\d+)m;", site)
    assert found, "client_max_body_size is not set in megabytes"
    assert int(found.group(1)) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert int(found.group(1)) * 1024 * 1024 > settings.DOCUMENTS_MAX_UPLOAD_BYTES


def test_beat_is_started_on_one_chosen_machine_only() -> None:
    beat = (DEPLOY / "systemd" / "govstore-beat.service").read_text()
    assert "ConditionPathExists=/etc/govstore/beat-host" in beat
    for unit in UNITS:
        if unit.stem != "govstore-beat":
            assert " beat" not in unit.read_text().split("[Service]")[1]
    procfile = (DEPLOY / "Procfile").read_text().splitlines()
    assert [line for line in procfile if " beat " in line and not line.startswith("#")] == [
        line for line in procfile if line.startswith("beat:")
    ]
