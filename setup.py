"""Packaging detail pyproject.toml cannot express: the top-level resources/ folder ships inside the
wheel as the package ``bpstudio.resources`` (icons, example projects, lessons, datasets)."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["bpstudio*"]) + ["bpstudio.resources"],
    package_dir={"bpstudio.resources": "resources"},
    package_data={"bpstudio.resources": ["**/*"]},
    exclude_package_data={"bpstudio.resources": ["**/__pycache__/*", "**/*.pyc"]},
)
