"""Bench only: the real settings and URLs plus one bare view, the floor a counter request is compared with.

Used by bench/counter_load.py (DJANGO_SETTINGS_MODULE=bench.bare.settings); never deployed.
"""
