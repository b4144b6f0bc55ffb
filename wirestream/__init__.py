"""The `wirestream` command line and operator tools: above both `pipeline` and `agents`."""
