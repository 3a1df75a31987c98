"""AWS's part of the reach graph: who can assume which role (:mod:`.assume`), what compute runs
as (:mod:`.compute`), and which requests each resource answers (:mod:`.access`). Offered to the
core's graph builder through ``AwsAnalysis`` (the ``GraphSource`` protocol)."""
