"""End-to-end tests of the built course site, driven in headless Chromium.

A package (not a plain folder) so that its conftest does not shadow the
`conftest` module that the tests one level up import from.
"""
