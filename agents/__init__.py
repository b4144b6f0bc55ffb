"""The Faust shell: agents that move records between topics and call `pipeline` stage functions."""
