"""The conftest's default-scope fixtures: a scope set by a test or by a
module's fixtures never reaches another test module, and a scope set by a
test never reaches the next test; whatever the order."""
import pytest

# Two modules that each leave a scope behind, and assert that none is set
# when they start: run in either order, each would fail if the other's scope
# leaked into it.
LEAKING_MODULE = '''
import pytest
from mmengine.registry import DefaultScope, init_default_scope


def current():
    scope = DefaultScope.get_current_instance()
    return scope and scope.scope_name


@pytest.fixture(scope='module')
def module_scope():
    init_default_scope({module_scope!r})


def test_starts_without_a_scope():
    assert current() is None


def test_module_fixture_scope_holds_for_the_module(module_scope):
    assert current() == {module_scope!r}
    init_default_scope({test_scope!r})
    assert current() == {test_scope!r}


def test_test_scope_is_undone(module_scope):
    assert current() == {module_scope!r}
'''


@pytest.mark.parametrize('order', [('a', 'b'), ('b', 'a')])
def test_scopes_do_not_leak(pytester, order):
    pytester.makepyfile(
        test_a=LEAKING_MODULE.format(module_scope='mmdet',
                                     test_scope='mmpose'),
        test_b=LEAKING_MODULE.format(module_scope='mmpose',
                                     test_scope='mmdet'))
    # the suite's conftest as a plugin of the inner session
    result = pytester.runpytest_inprocess(
        '-p', 'tests.conftest', '-p', 'no:cacheprovider',
        *[f'test_{name}.py' for name in order])
    result.assert_outcomes(passed=6)
