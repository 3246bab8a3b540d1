"""Browser pages of the web process: the connect flow's shared parts and the account status pages."""
