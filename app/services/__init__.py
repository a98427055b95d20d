"""Use-cases: load rows, call the domain, persist, commit once, queue notices."""
