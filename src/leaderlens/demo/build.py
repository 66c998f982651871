"""Write the demo world into a workspace, ground truth included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leaderlens.demo.world import DemoWorld, generate_world
from leaderlens.store.workspace import Workspace

Progress = Callable[[str, int, int], None]


def build_demo(path: str | Path, seed: int = 7, *, progress: Progress | None = None) -> DemoWorld:
    """Generate the demo world for ``seed`` and load it into the workspace at ``path``.

    Leaders, brands and assets (with their calendars and benchmarks) are registered first, then
    statements, brand posts, bars, attention series and mentions are ingested through the
    ordinary ingest methods (so they are checked like any user's data), and the ground truth is
    stored under ``planted_events``, ``planted_mean_ar``, ``key_person_events``,
    ``world_parameters`` and ``foundations`` (read it back with ``Workspace.ground_truth(name)``).

    Loads are idempotent: building the same seed into the same workspace again adds nothing;
    another seed into a workspace that holds one conflicts (start from a new file).

    ``progress(step, done, total)`` is called before each step and once at the end, for a
    progress display. Returns the world that was written.
    """
    world = generate_world(seed)
    truth = world.ground_truth()
    parts = (world.statements, world.brand_posts, world.bars, world.attention, world.mentions)
    total = 1 + sum(len(p) for p in parts) + len(truth)
    done = 0

    def step(label: str) -> None:
        nonlocal done
        if progress is not None:
            progress(label, done, total)
        done += 1

    with Workspace.open(path) as ws:
        step("leaders, brands and assets")
        for x in world.leaders.to_dict("records"):
            ws.add_leader(
                x["leader_id"], name=x["name"], company=x["company"], handles=x["handles"]
            )
        for y in world.brands.to_dict("records"):
            ws.add_brand(
                y["brand_id"],
                name=y["name"],
                query_terms=y["query_terms"],
                leader_ids=y["leader_ids"],
            )
        # Benchmarks first, so that every benchmark an asset names is already registered.
        for a in world.assets.sort_values("benchmark", na_position="first").to_dict("records"):
            benchmark = a["benchmark"] if isinstance(a["benchmark"], str) else None
            ws.add_asset(
                a["asset_id"],
                calendar=a["calendar"],
                name=a["name"],
                benchmark=benchmark,
                kind=a["kind"],
            )
        for leader_id, frame in world.statements.items():
            step(f"statements of {leader_id}")
            ws.ingest_statements(frame, leader=leader_id)
        for brand_id, frame in world.brand_posts.items():
            step(f"posts of brand {brand_id}")
            ws.ingest_brand_posts(frame, brand=brand_id)
        for (asset_id, freq), frame in world.bars.items():
            step(f"{freq} bars of {asset_id}")
            ws.ingest_prices(frame, asset=asset_id, freq=freq)
        for (brand_id, metric), frame in world.attention.items():
            step(f"{metric} of {brand_id}")
            ws.ingest_attention(frame, brand=brand_id, metric=metric)
        for brand_id, frame in world.mentions.items():
            step(f"mentions of {brand_id}")
            ws.ingest_mentions(frame, brand=brand_id)
        for name, payload in truth.items():
            step(f"ground truth {name}")
            ws.set_ground_truth(name, payload)
    if progress is not None:
        progress("done", total, total)
    return world
