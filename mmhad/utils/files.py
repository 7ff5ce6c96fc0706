"""Reading the JSON files a run, a study or a launcher keeps: a damaged
one is refused with its path and what it holds, never a bare
``JSONDecodeError``."""
import json
from typing import Any


class DamagedFileError(ValueError):
    """A file of a run or a study that is there but cannot be read."""


def load_json(path: str, what: str) -> Any:
    """The JSON value in ``path``.

    Args:
        path (str): The file.
        what (str): What it holds and what to do when it is damaged, in
            words (goes into the error).

    Raises:
        DamagedFileError: If the file is not valid UTF-8 JSON (cut short
            by a kill, or overwritten).
    """
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DamagedFileError(
            f'{path} is damaged ({err}); it is {what}') from None
