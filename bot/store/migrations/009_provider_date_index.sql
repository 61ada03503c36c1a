-- The same-story check looks for a provider's articles within days of a date: these let it
-- read just those (it used to read all of a provider's articles, or keep them in memory).
CREATE INDEX articles_provider_date ON articles(provider_domain, published_at);
CREATE INDEX articles_provider_name_date ON articles(provider_name, published_at)
    WHERE provider_domain IS NULL;
