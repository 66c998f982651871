"""The seeded demo world with planted ground truth (``leaderlens demo``).

:func:`generate_world` builds the world in memory; :func:`build_demo` writes it into a
workspace together with its ground truth.
"""

from leaderlens.demo.build import build_demo
from leaderlens.demo.world import DemoWorld, generate_world

__all__ = ["DemoWorld", "build_demo", "generate_world"]
