"""An example downstream suite: a user's op, link and model tested with
``fchain.testing``, importing only public names (see README, "Testing your own
ops and links").  It needs no conftest: fchain's pytest plugin gives the
``device`` fixture and the markers."""
