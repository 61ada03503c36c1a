-- Status answers read a place's events by its main (first) place: index (key, rank) so the
-- look-up touches only those rows, not every article that mentions the place in passing.
CREATE INDEX extraction_places_main ON extraction_places(jurisdiction_key, rank);
DROP INDEX extraction_places_key;
CREATE INDEX corrections_place ON corrections(jurisdiction_key) WHERE jurisdiction_key IS NOT NULL;
