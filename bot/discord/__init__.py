"""The Discord face: the client, its runner, checks, and the embeds and replies the cogs share."""
