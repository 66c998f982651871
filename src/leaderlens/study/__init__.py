"""The event-study engine.

The numeric "finish" step lives here as plain functions over dense event-time panels
(events x bars): :mod:`.models` fits the normal-return model per event, :mod:`.abnormal` turns
it into abnormal values with their variances, and the test modules (:mod:`.tests_parametric`,
:mod:`.tests_rank`, :mod:`.resampling`, :mod:`.grouping`, :mod:`.activity`) answer whether the
abnormal values differ from zero. :func:`.battery.run_battery` runs every applicable test.
"""
