"""Figure builders: pure functions (data frame in, plotly/pydeck figure out), testable without a server."""
