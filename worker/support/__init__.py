"""Support tools: `meli explain` (an order's whole story) and `meli replay` (re-map stored documents).

Both read what the live path stored (inbox rows, raw ML documents, events) and never call the network.
"""
