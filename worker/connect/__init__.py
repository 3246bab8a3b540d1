"""Connecting a merchant's Mercado Libre seller account.

`signing` (signed, expiring JWTs for connect links, the browser session and CSRF), `links` (connect links),
`ml_oauth` (the ML authorization URL, token endpoint and `/users/me`), `state` (single-use OAuth state with
PKCE in Redis), `flow` (what the callback does) and `pages` (the server-rendered HTML).
"""
