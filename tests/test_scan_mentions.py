"""Which unparsed files a later round of the join parses: those that mention an exported
name through something that leads to it."""

from __future__ import annotations

import random
import re

import pytest

from loopdoctor.scan.prefilter import mentions, words_of

CLASSES = {"pkg.clients.Client": ("Base",)}  # pkg.base.Base, not parsed yet
NAMES = ["pkg.clients.Client.start", "pkg.util.helpers.run_sync", "pkg.clients.Client"]


@pytest.mark.parametrize("text", [
    "from pkg.clients import Client\nClient().start()\n",
    "from .clients import make\nclients.start  # through the module\n",
    "from pkg.util import helpers\nhelpers.run_sync(main())\n",
    "from pkg import run_sync  # re-exported by the package\nrun_sync(main())\n",
    "import pkg\nclient = pkg.Client()\n",
])
def test_a_name_used_through_what_leads_to_it_is_mentioned(text: str) -> None:
    assert mentions(NAMES, CLASSES).matches(text.encode())


@pytest.mark.parametrize("text", [
    "import pkg\nserver.start()  # another class's method\n",
    "from pkg.other import Starter\nStarter().start()\n",
    "restart = 1\nfrom pkg import clients_extra\n",  # words, not parts of words
    "def run_sync(): ...\n",  # the name alone
])
def test_a_bare_word_is_not_a_mention(text: str) -> None:
    assert not mentions(NAMES, CLASSES).matches(text.encode())


def test_a_member_of_a_class_nobody_parsed_keeps_its_whole_path() -> None:
    matcher = mentions(["pkg.base.Base.start"])
    assert matcher.matches(b"import pkg\nworker.start()\n")


def test_a_member_of_a_subclass_is_mentioned_where_its_base_calls_it() -> None:
    """``Base.__init__`` calls ``self.start()``: the file of the base names neither the
    subclass nor its module."""
    text = b"class Base:\n    def go(self):\n        self.start()\n"
    assert mentions(NAMES, CLASSES).matches(text)


@pytest.mark.parametrize("seed", range(5))
def test_the_words_of_a_text_are_its_runs_of_word_characters(seed: int) -> None:
    """Every byte value, in runs of every length: the same words as ``rb"\\w+"``."""
    rng = random.Random(seed)
    data = bytes(rng.choice([rng.randrange(256), *b"a_Z9 .\xc3\xa9"])
                 for _ in range(20_000))
    text = "caf\u00e9 = x1(_y, 3.0e5)\tz\x0b\x0cw\n".encode()
    for sample in (data, text):
        assert words_of(sample) == frozenset(re.findall(rb"\w+", sample))
