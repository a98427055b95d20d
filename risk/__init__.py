"""Pure risk rules: working-day deadlines, early warnings, the guarantee graph and the release planner."""
