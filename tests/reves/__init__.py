"""Tests of the reprobook.reves chapter (a package, so test file names may repeat across chapters)."""
