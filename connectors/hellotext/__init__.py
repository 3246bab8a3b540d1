"""Hellotext: the API client (`client`), the outcome of a call (`outcomes`) and the request bodies (`payloads`)."""
