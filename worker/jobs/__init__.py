"""arq jobs: plain coroutines `async def job(ctx, ...)` that may run more than once."""
