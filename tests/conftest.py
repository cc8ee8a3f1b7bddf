"""Hypothesis profiles for every property test of the suite.

On a developer's machine the examples are random, so each run may find a new bug. CI sets
``HYPOTHESIS_PROFILE=ci`` (`.ci/run`): a fixed set of examples, the same on every run and kept
nowhere, so a commit is judged on the examples it was tested on and a random find never turns
a green tree red (it shows on a developer's run, and is fixed with a chat or a test of its own).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
