"""Tests of fchain.testing itself: each tool must catch what it claims to catch."""
