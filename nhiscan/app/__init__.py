"""The orchestration between the CLI and the packages below it: what each command does
(choose connectors, run the pipeline, write outputs, record history, pick the exit code),
and the settings read from nhiscan.toml. No click option is parsed here (``nhiscan.cli``)."""
