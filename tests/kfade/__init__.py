"""Tests of the reprobook.kfade chapter (a package, so test file names may repeat across chapters)."""
