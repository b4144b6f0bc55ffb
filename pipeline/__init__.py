"""Wirestream: streaming enrichment of news-wire copy.

`pipeline` is the broker-free library: records, configuration, codec and the
three stage functions (clean → entities → quotes). The Faust shell in
`agents/` and the `wirestream` CLI both call into it.
"""

__version__ = "0.1.0"
