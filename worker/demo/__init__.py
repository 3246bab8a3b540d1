"""`meli demo`: the whole product running offline on one machine."""
