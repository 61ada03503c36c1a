"""A loopback Discord-compatible server and fixtures for end-to-end tests."""
