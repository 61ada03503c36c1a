"""banwatch: track facial-recognition bans, moratoria and the news about them."""

__version__ = "0.1.0"
