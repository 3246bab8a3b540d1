"""Backfill and reconciliation: import a seller's past orders, re-sync recent ones, recover missed notifications.

Every order found here goes through the one fetch-and-map path (`worker.pipeline.sync.sync_order`); this package
only discovers orders (date windows over ML's order search) and runs that work in the bulk lane, behind live
traffic. `service.on_account_connected` is the hook the connect flow calls.
"""
