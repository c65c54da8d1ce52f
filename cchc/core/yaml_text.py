"""Every YAML file the app reads (criteria sets, questionnaires, the district) goes through
`load`: YAML without anchors and aliases, of a bounded size.

Aliases are refused because a few hundred bytes of nested aliases expand into gigabytes once
the data is walked (NFC, validation, export); none of our files needs them, and a person
writing one by hand does not use them either."""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 5 * 1024 * 1024


class YamlError(ValueError):
    """A YAML text that is refused; str() says what and where, worded to follow «Tệp YAML …»
    or a file's name."""


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that stops at the first anchor (&) or alias (*, and so the << merge key)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            raise YamlError(f"dùng neo hoặc bí danh (&, *, <<) ở dòng {mark.line + 1}, cột {mark.column + 1}: "
                            "ứng dụng không nhận; hãy viết đầy đủ từng mục")
        return super().compose_node(parent, index)


def load(text: str) -> Any:
    """The data in `text`; YamlError (the message says where) for a text too big, an anchor or
    alias, a syntax error or nesting too deep."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"lớn quá {MAX_BYTES // 1024 // 1024} MB")
    try:
        return yaml.load(text, Loader=_NoAliasLoader)   # noqa: S506 -- a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        raise YamlError(f"sai cú pháp{where}") from None
    except RecursionError:
        raise YamlError("có các mục lồng nhau quá sâu") from None
