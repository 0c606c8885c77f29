"""Tests of the reprobook.streamlined chapter (a package, so test file names may repeat across chapters)."""
