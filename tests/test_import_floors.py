"""Imports inside mmpose_ext point down the floors written in the package
docstring (mmpose_ext/__init__.py): no module imports from a floor above its
own, including imports inside functions."""
import ast
import importlib.util
import pathlib

import pytest

# found without importing it: the check reads source files only
PACKAGE = pathlib.Path(importlib.util.find_spec('mmpose_ext').origin).parent
# subpackage (or top-level module) -> floor, as in mmpose_ext/__init__.py
FLOORS = {
    'version': 0,
    'utils': 0,
    'checkpoints': 0,
    'codecs': 0,
    'ops': 0,
    'synthetic': 0,
    'models': 1,
    'visualization': 2,
    'engine': 3,
    'apis': 4,
    'testing': 4,
    'tools': 5,
}


def _module_name(path: pathlib.Path, package=PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix('').parts
    if parts[-1] == '__init__':
        parts = parts[:-1]
    return '.'.join(parts)


def _imported_modules(path: pathlib.Path, package_dir=PACKAGE):
    """``(line, absolute module name)`` of every import in a file, at any
    depth (module level, functions, methods)."""
    name = _module_name(path, package_dir)
    is_package = path.name == '__init__.py'
    package = name if is_package else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - (node.level - 1)]
                module = '.'.join(base + ([node.module] if node.module else
                                          []))
            else:
                module = node.module
            # ``from pkg import sub`` may import the submodule ``pkg.sub``
            for alias in node.names:
                yield node.lineno, f'{module}.{alias.name}'


def _floor(module: str):
    """The floor of an mmpose_ext module, ``None`` outside mmpose_ext and
    for the package root (handled separately)."""
    parts = module.split('.')
    if parts[0] != 'mmpose_ext' or len(parts) == 1:
        return None
    if parts[1] not in FLOORS:
        return None  # a name defined in mmpose_ext/__init__.py
    return FLOORS[parts[1]]


def _root_floor() -> int:
    """``import mmpose_ext`` pulls in what the root imports: its floor is
    the highest of those."""
    floors = [_floor(m) for _, m in _imported_modules(PACKAGE / '__init__.py')]
    return max(f for f in floors if f is not None)


def _sources():
    return sorted(p for p in PACKAGE.rglob('*.py')
                  if p != PACKAGE / '__init__.py')


def test_every_subpackage_has_a_floor():
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix('.py')
            for p in _sources()}
    assert tops <= set(FLOORS), (
        f'new subpackage(s) {sorted(tops - set(FLOORS))}: give them a floor '
        'here and in the docstring of mmpose_ext/__init__.py')


@pytest.mark.parametrize('path', _sources(),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_goes_up_a_floor(path):
    own = _floor(_module_name(path))
    root = _root_floor()
    upward = []
    for line, module in _imported_modules(path):
        floor = root if module == 'mmpose_ext' else _floor(module)
        if floor is not None and floor > own:
            upward.append(f'line {line}: {module} (floor {floor})')
    assert not upward, (
        f'{path.relative_to(PACKAGE)} (floor {own}) imports from a higher '
        'floor: ' + '; '.join(upward) + '. Move the shared code down a '
        'floor (see mmpose_ext/__init__.py).')


def test_the_check_sees_upward_imports(tmp_path):
    """The parser finds absolute, relative and function-level imports."""
    pkg = tmp_path / 'mmpose_ext' / 'models' / 'heads'
    pkg.mkdir(parents=True)
    src = pkg / 'x.py'
    src.write_text('from ...engine import hooks\n'
                   'def f():\n'
                   '    import mmpose_ext.tools.train\n'
                   '    from ..utils import pos_embed\n')
    found = [m for _, m in _imported_modules(src, tmp_path / 'mmpose_ext')]
    assert found == ['mmpose_ext.engine.hooks', 'mmpose_ext.tools.train',
                     'mmpose_ext.models.utils.pos_embed']
    assert [_floor(m) for m in found] == [3, 5, 1]
