"""Connecting a merchant's Mercado Libre seller account.

`signing` (signed, expiring JWTs for the browser session and CSRF, with keys per business), `links` (stored,
single-use, revocable connect and owner links), `ml_oauth` (builds the ML OAuth client of
connectors/mercadolibre/oauth.py from the settings), `state` (single-use OAuth state with PKCE in Redis),
`confirm` (a sign-in held until the browser it came back to confirms it), `flow` (what the callback does) and
`pages` (the server-rendered HTML).
"""
