"""The event store: tables, engine and the one API every other part writes through."""
