"""Alert rules files accept a q-value bound on the CAR, only beside a CAR bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderlens.errors import BadInputError
from leaderlens.preflight.alerts import read_alert_rules


def test_max_car_q_is_read_with_max_car(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[rules]\nmax_car = -0.05\nmax_car_q = 0.1\n")
    rules = read_alert_rules(path).rules
    assert rules.max_car == -0.05 and rules.max_car_q == 0.1 and rules.max_car_p is None
    alone = tmp_path / "alone.toml"
    alone.write_text("[rules]\nmax_car_q = 0.1\n")
    with pytest.raises(BadInputError) as err:
        read_alert_rules(alone)
    assert err.value.field == "max_car_q" and err.value.file == str(alone)
