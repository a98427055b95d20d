"""The court's mediation rules as pure Python: no framework, no clock, no database."""
