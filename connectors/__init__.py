"""Source connectors: they speak the marketplace's words and hand our event vocabulary inward."""
