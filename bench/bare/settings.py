"""The real settings (config.settings, read from the environment as always), with the bench's URLs on top."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare.urls"
