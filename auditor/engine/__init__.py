"""The pure engine: posts, context and `now` in, findings out. No I/O, no clock, no database."""
