"""Scan history as pure records: run summaries, the drift between two runs, the view a
report shows. No storage here (``nhiscan.store``) and no rendering (``nhiscan.reports``)."""
