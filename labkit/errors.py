"""Error base classes shared by labkit's modules."""

from __future__ import annotations


class MessageKeyError(KeyError):
    """A KeyError whose message prints as written.

    A plain KeyError prints its message inside quotes (it shows the missing key's repr), which
    makes a sentence such as "Unknown dataset 'churn'. Known datasets: ..." harder to read.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
