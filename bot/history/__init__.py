"""Measurement history: monitor results kept small, uptime over measured time, database growth, charts."""

from bot.history.growth import GrowthReport, collect_growth
from bot.history.sampler import GrowthSampler
from bot.history.samples import Measurement, Observation, RawSample
from bot.history.sizes import SizeHistory, SizeSample, TableBytes
from bot.history.sqlite_file import FILE_NAME
from bot.history.store import HistoryStore
from bot.history.uptime import Uptime

__all__ = [
    "FILE_NAME",
    "GrowthReport",
    "GrowthSampler",
    "HistoryStore",
    "Measurement",
    "Observation",
    "RawSample",
    "SizeHistory",
    "SizeSample",
    "TableBytes",
    "Uptime",
    "collect_growth",
]
