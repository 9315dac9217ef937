"""Make source text safe: every title, abstract and author name is hostile until cleaned here.

Three uses, three functions:
- `clean_text` at ingest and before printing: drops terminal escape sequences (CSI, OSC including
  OSC 8 hyperlinks, other ESC sequences, their 8-bit forms), control characters and the Unicode
  bidirectional overrides that make a terminal show text in another order than it is stored.
- `neutralise_tokens` before source text enters a prompt: a chat-template token in an abstract
  (`<|im_end|>`, `<s>`, `[INST]`) would otherwise let the abstract end the prompt's turn and speak
  as the assistant.
- `markdown_safe` for Markdown that leaves the app (the CLI's compare and digest, `--out` files):
  a Markdown viewer renders raw HTML and fetches `![x](url)` images, so neither may come from a
  source. A terminal does not render HTML, so plain-text output keeps `<` as typed ("p < 0.05").
  The paper links the app writes itself (markdown.paper_links) stay links.
"""

from __future__ import annotations

import re

# ESC [ ... final byte (CSI); ESC ] ... BEL or ESC \ (OSC, OSC 8 links); ESC P/X/^/_ ... ST
# (DCS, SOS, PM, APC); then any other two-byte ESC sequence. An unterminated string sequence
# runs to the end of the text, as a terminal would swallow it.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# <|im_start|>, <|endoftext|>, <|eot_id|>..., <s>, </s>, [INST], [/INST], <<SYS>>, <</SYS>>.
_SPECIAL_TOKENS = re.compile(r"<\|[^|<>\n]{0,40}\|>|</?s>|\[/?INST\]|<</?SYS>>", re.IGNORECASE)


# An arXiv id without its version: new style (2401.12345, 0704.0001) or old (hep-th/9901001,
# math.GT/0309136). Sources read ids with it (sources.fields); links are built only from a match.
ARXIV_BARE_ID = r"\d{4}\.\d{4,5}(?!\d)|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7}(?!\d)"
ARXIV_ID = re.compile(rf"(?i:{ARXIV_BARE_ID})(?:v\d+)?")
# A paper link as markdown.paper_links writes it, after a space: its arXiv or Hugging Face page.
_OWN_LINK = re.compile(r"(?<=[ \t])\[(arXiv|HF)\]\((https://(?:arxiv\.org/abs|huggingface\.co/papers)/"
                       rf"(?:{ARXIV_ID.pattern}))\)")


def clean_text(text: str) -> str:
    """`text` without escape sequences, control characters (tab and newline kept) or bidi overrides."""
    if not text:
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def neutralise_tokens(text: str) -> str:
    """`text` with every chat-template special token replaced by a space (the words stay)."""
    return _SPECIAL_TOKENS.sub(" ", text) if text else text


def terminal_text(text: str) -> str:
    """What the CLI may print: clean, and no special tokens (a model may echo them)."""
    return neutralise_tokens(clean_text(text))


def markdown_safe(markdown: str) -> str:
    """Markdown with no raw HTML and no links or images but the app's own paper links: `<` becomes
    `&lt;` and `[text](` loses its `(`-binding, so a title like `![x](http://host/steal)` shows as
    typed and fetches nothing. The app's Markdown otherwise (tables, bold, `[1]` markers) uses
    neither; its links ("[arXiv](https://arxiv.org/abs/...)") are kept, and no source text can
    make one, since markdown.inert escapes every "[" of a title or an abstract."""
    parts = _OWN_LINK.split(markdown)  # text, label, URL, text, ...
    return "".join(f"[{part}]({parts[i + 1]})" if i % 3 == 1 else
                   part.replace("<", "&lt;").replace("![", "!\\[").replace("](", "]\\(")
                   for i, part in enumerate(parts) if i % 3 != 2)
