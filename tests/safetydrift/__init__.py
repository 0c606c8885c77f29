"""Tests of the reprobook.safetydrift chapter (a package, so test file names may repeat across chapters)."""
