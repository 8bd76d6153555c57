"""Datasets, transforms and data tools."""
