"""The protocol kg's spaCy components share: ``__call__`` = ``match`` then ``set_annotations``.

Failures go to the pipeline's error handler, as in spaCy's own components.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

__all__ = ["Component"]


class Component:
    """Base of kg's pipeline components: subclasses define ``match`` and ``set_annotations``."""

    name: str

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            self.set_annotations(doc, self.match(doc))
            return doc
        except Exception as e:  # noqa: BLE001 - spaCy's error-handler protocol
            return error_handler(self.name, self, [doc], e)

    def match(self, doc: Doc) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def set_annotations(self, doc: Doc, matches: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_error_handler(self):
        from spacy.util import raise_error

        return getattr(self, "_error_handler", raise_error)

    def set_error_handler(self, error_handler) -> None:
        self._error_handler = error_handler
