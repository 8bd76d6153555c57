"""The test suite stands alone: test folders are packages, nothing edits
``sys.path``, test modules import shared helpers by their package path
(``tests.helpers.<module>``), never another test module or a helper by bare
name (which only works when pytest happens to have put its folder on
``sys.path``), and no config is read by a literal path relative to the
working directory (paths held in variables are not seen by this check)."""
import ast

from tests.helpers import REPO

TESTS = REPO / 'tests'
# Stand-ins for outside projects and config files, read by MMEngine or run in
# subprocesses with their own roots; not modules of the test suite.
FIXTURES = TESTS / 'fixtures'


def _suite_files():
    """Every Python file of the test suite outside ``tests/fixtures``."""
    return sorted(p for p in TESTS.rglob('*.py')
                  if FIXTURES not in p.parents
                  and '__pycache__' not in p.parts)


def _relative(path):
    return str(path.relative_to(REPO))


def _imported_modules(tree):
    """``(line, dotted name)`` of every absolute import; a relative import
    gives its dotted name with the leading dots."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, '.' * node.level + (node.module or '')


def test_every_test_folder_is_a_package():
    folders = {p.parent for p in TESTS.rglob('test_*.py')
               if FIXTURES not in p.parents}
    folders |= {parent for f in folders for parent in f.parents
                if TESTS in parent.parents or parent == TESTS}
    missing = sorted(_relative(f) for f in folders
                     if not (f / '__init__.py').is_file())
    assert missing == [], (
        f'test folders without __init__.py: {missing}; add an empty one so '
        'that their modules get unique names (tests.<folder>.<module>)')


def test_nothing_edits_sys_path():
    uses = []
    for path in sorted(TESTS.rglob('*.py')):
        tree = ast.parse(path.read_text(), str(path))
        uses += [(_relative(path), node.lineno) for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and node.attr == 'path'
                 and isinstance(node.value, ast.Name)
                 and node.value.id == 'sys']
    assert uses == [], (
        f'sys.path used at {uses}: put shared code in tests/helpers/ and '
        'import it as tests.helpers.<module>')


def test_modules_import_helpers_by_package_path():
    # names a bare import of a module of the suite would use
    suite_names = {p.stem for p in _suite_files()} | {
        p.name for p in TESTS.rglob('*') if p.is_dir()
        and FIXTURES not in p.parents and p != FIXTURES
        and p.name != '__pycache__'}
    suite_names -= {'__init__'}
    wrong = []
    for path in _suite_files():
        tree = ast.parse(path.read_text(), str(path))
        for line, name in _imported_modules(tree):
            parts = name.lstrip('.').split('.')
            if name.startswith('.'):
                wrong.append((_relative(path), line, name, 'relative import'))
            elif parts[0] in suite_names:
                wrong.append((_relative(path), line, name, 'bare name'))
            elif parts[0] == 'tests' and (
                    any(p.startswith('test_') for p in parts) or
                    'conftest' in parts):
                wrong.append((_relative(path), line, name, 'a test module'))
    assert wrong == [], (
        f'imports of suite modules that are not shared helpers, or not by '
        f'their package path: {wrong}; move shared code into tests/helpers/ '
        'and import it as tests.helpers.<module>; fixtures go in conftest.py')


def _relative_literal(node):
    """The text of a string or f-string literal that starts like a relative
    path (not ``/``, not an f-string field such as ``{REPO}``), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr) and node.values and isinstance(
            node.values[0], ast.Constant):
        text = node.values[0].value
    else:
        return None
    return None if text.startswith('/') else text


def test_configs_are_not_read_relative_to_the_working_directory():
    """``Config.fromfile('configs/...')`` only works from the repository
    root; the path must be built from ``tests.helpers.REPO``."""
    relative = []
    for path in _suite_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and node.args
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == 'fromfile'):
                text = _relative_literal(node.args[0])
                if text is not None:
                    relative.append((_relative(path), node.lineno, text))
    assert relative == [], (
        f'Config.fromfile of relative paths: {relative}; build them from '
        "the repository root: f'{REPO}/configs/...' with "
        '`from tests.helpers import REPO`')
