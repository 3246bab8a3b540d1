"""The outbox relay: delivers stored events to each business's Hellotext, lane by lane (worker/delivery/lane.py)."""
