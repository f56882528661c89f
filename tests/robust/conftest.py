from .harness import SEED


def pytest_report_header(config):
    return f"robust suite seed: {SEED} (replay with SHOUWEN_TEST_SEED={SEED})"
