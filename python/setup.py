"""Setuptools entry point for older pip versions; the metadata is in setup.cfg."""
from setuptools import setup

setup()
