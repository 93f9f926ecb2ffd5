"""helpers.settings: every COURSE_* variable, its default, and one clear error for a bad value."""
import os
from pathlib import Path

import pytest

from helpers import get_device, settings
from helpers.cache import cache_dir

MESSAGES = {  # the one message of each choice setting, for any bad value
    "COURSE_DATA": "COURSE_DATA={value!r} is not a setting the course knows (it takes 'tiny' or 'full', exactly): "
                   "unset it for the generated tiny data, or set COURSE_DATA=full for the real data",
    "COURSE_SANDBOX": "COURSE_SANDBOX={value!r} is not a setting the course knows (it takes '1' or '0', exactly): "
                      "unset it to grade in the sandbox, or set COURSE_SANDBOX=0 to grade without it",
}


def test_data_mode_default_and_choices(monkeypatch):
    monkeypatch.delenv("COURSE_DATA")
    assert settings.data_mode() == "tiny"
    for mode in ("tiny", "full"):
        monkeypatch.setenv("COURSE_DATA", mode)
        assert settings.data_mode() == mode


def test_sandbox_default_and_choices(monkeypatch):
    monkeypatch.delenv("COURSE_SANDBOX", raising=False)
    assert settings.sandbox_enabled() is True
    monkeypatch.setenv("COURSE_SANDBOX", "0")
    assert settings.sandbox_enabled() is False
    monkeypatch.setenv("COURSE_SANDBOX", "1")
    assert settings.sandbox_enabled() is True


@pytest.mark.parametrize("variable, value, read", [
    *(("COURSE_DATA", value, settings.data_mode) for value in ("Full", "", "small", " full")),
    *(("COURSE_SANDBOX", value, settings.sandbox_enabled) for value in ("", "no", "false", "off")),
])
def test_a_bad_value_gets_one_message_that_says_what_to_do(monkeypatch, variable, value, read):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError) as error:
        read()
    assert str(error.value) == MESSAGES[variable].format(value=value)


def test_data_dir_and_the_cache_follow_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert settings.data_dir() == cache_dir() == tmp_path
    monkeypatch.delenv("COURSE_DATA_DIR")
    assert settings.data_dir() == Path.home() / ".cache" / "dl-course"


def test_record_hashes_path(monkeypatch, tmp_path):
    assert settings.record_hashes_path() is None
    monkeypatch.setenv("COURSE_RECORD_HASHES", str(tmp_path / "hashes.jsonl"))
    assert settings.record_hashes_path() == tmp_path / "hashes.jsonl"


def test_device_override(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert settings.device_override() is None
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert settings.device_override() == "cpu"
    assert get_device().type == "cpu"



def test_mode_here_sets_the_mode_for_this_thread_only(monkeypatch):
    import threading
    monkeypatch.setenv("COURSE_DATA", "tiny")
    seen = []
    with settings.mode_here("full"):
        thread = threading.Thread(target=lambda: seen.append(settings.data_mode()))
        thread.start()
        thread.join()
        assert settings.data_mode() == "full"
    assert settings.data_mode() == "tiny" and seen == ["tiny"] and os.environ["COURSE_DATA"] == "tiny"
    with pytest.raises(ValueError, match="no data mode"):
        with settings.mode_here("huge"):
            pass
