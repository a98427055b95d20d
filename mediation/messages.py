"""Messages in the court's language that also know their English.

The platform speaks Simplified Chinese by default and English on request. A rule that
refuses something ("案件已结案，不能再分派调解员") must be readable in both, yet the domain
knows nothing of requests or locales. So a refusal carries both texts: :class:`Msg` is a
``str`` whose value is the Chinese text — everything that treats it as a string (logs,
tests, the Chinese pages) keeps working — and whose :attr:`Msg.en` is the English one.
The edge (a page, the API, a notice to one recipient) picks the language with
:func:`localize`.

Parameters are formatted into both texts the same way, so the numbers a message states are
the same in both languages::

    Msg("近{days}天新增投诉{n}件", "{n} complaints in the last {days} days", days=30, n=42)

A parameter that is itself a :class:`Msg` (a status label, a field's name, another
refusal) is formatted in the same language as the text around it::

    Msg("{field}不能为负数", "The {field} cannot be negative", field=Msg("房价款", "price"))
"""
from __future__ import annotations

__all__ = ["Msg", "localize"]


class Msg(str):
    """A Chinese message (its ``str`` value) with its English text in :attr:`en`."""

    en: str

    def __new__(cls, zh: str, en: str, /, **params) -> "Msg":
        text = super().__new__(cls, zh.format(**params) if params else zh)
        text.en = (en.format(**{k: v.en if isinstance(v, Msg) else v for k, v in params.items()})
                   if params else en)
        return text

    def __add__(self, other):
        """``Msg + Msg`` joins both languages; plain text is added to both as it is."""
        if isinstance(other, Msg):
            return Msg(str(self) + str(other), self.en + other.en)
        if isinstance(other, str):
            return Msg(str(self) + other, self.en + other)
        return NotImplemented

    def __radd__(self, other):  # "plain" + Msg (Python asks the subclass first)
        if isinstance(other, str):
            return Msg(other + str(self), other + self.en)
        return NotImplemented

    def __reduce__(self):  # survives pickling (the page cache, multiprocessing)
        return (Msg, (str(self), self.en))

    def in_locale(self, locale: str | None) -> str:
        """The text for ``locale`` ("zh", "en", "en_US"…); Chinese unless English is asked."""
        return self.en if locale and str(locale).lower().startswith("en") else str(self)


def localize(text, locale: str | None) -> str:
    """``text`` in ``locale``: a :class:`Msg` picks its language, anything else is shown as is."""
    if isinstance(text, Msg):
        return text.in_locale(locale)
    return "" if text is None else str(text)
