"""mmpose_ext's test suite: a package, so that test modules and the shared
helpers (``tests.helpers``) have unique, importable names."""
