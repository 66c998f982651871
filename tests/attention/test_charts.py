"""Each attention chart draws the numbers of its result (read back from the figure)."""

from __future__ import annotations

import numpy as np
import pytest

from leaderlens import amplification, brand_lead_lag, brand_share_of_voice, brand_spikes, playbook
from leaderlens.attention.charts import figure
from leaderlens.errors import BadInputError
from leaderlens.store.workspace import Workspace


def test_charts_carry_the_results_numbers(demo_ws: Workspace) -> None:
    amp = amplification(demo_ws, "keynote", n_boot=49)
    bars = figure(amp).data[0]
    np.testing.assert_allclose(bars.y, [amp.leader_lift.cumulative, amp.brand_lift.cumulative])
    book = playbook(demo_ws, "orbit", n_boot=49)
    drawn = figure(book).data[0]
    np.testing.assert_allclose(drawn.x, book.to_frame()["cumulative_lift"])
    lag = brand_lead_lag(demo_ws, "voltra")
    np.testing.assert_allclose(figure(lag).data[0].y, lag.orth_irf[:, 1, 0])
    spikes = brand_spikes(demo_ws, "voltra")
    marked = figure(spikes).data[1]
    np.testing.assert_array_equal(marked.x, np.flatnonzero(spikes.flags))
    voice = brand_share_of_voice(demo_ws, "voltra")
    np.testing.assert_allclose(figure(voice).data[0].y, voice.share.per_bucket["share"])
    with pytest.raises(BadInputError, match="no chart"):
        figure(object())
