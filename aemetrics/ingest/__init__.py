"""Parsers for every export kind. Each module turns one file into rows for the raw tables
(see sql/raw/) plus quarantined records; none of them writes to the warehouse."""
