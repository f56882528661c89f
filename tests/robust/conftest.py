import pytest

pytest.register_assert_rewrite("robust.harness")

from .harness import SEED, make_desk  # noqa: E402  (after the rewrite is registered)


def pytest_report_header(config):
    return f"robust suite seed: {SEED} (replay with SHOUWEN_TEST_SEED={SEED})"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One agency with two matters, reset to its base commit before every bad input."""
    return make_desk(tmp_path_factory.mktemp("corpus") / "agency")
