"""Reading a generated synthetic set back in the dataset tests."""
import json
import os
import os.path as osp


def list_files(root):
    """Every file below ``root``, as sorted paths relative to it."""
    return sorted(osp.relpath(osp.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


def read_annotations(root, name):
    """The JSON file ``root/annotations/name``."""
    with open(osp.join(root, 'annotations', name)) as f:
        return json.load(f)
