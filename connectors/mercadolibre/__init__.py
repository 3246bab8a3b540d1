"""Mercado Libre connector: ML words (topics, resources, orders, shipments) at the edge, our events inside."""
