"""Sphinx configuration for the salescore documentation.

Build with warnings as errors (the package must be importable, for example after
``pip install -e .``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network: intersphinx is deliberately not used.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

import salescore

# -- Project information ---------------------------------------------------------------

project = "salescore"
author = "The salescore developers"
copyright = "The salescore developers"
release = salescore.__version__
version = ".".join(release.split(".")[:2])

# -- General configuration -------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    # The gallery draws every chart from the sample CRM at build time, so the pictures
    # cannot drift from the code.
    "matplotlib.sphinxext.plot_directive",
]

root_doc = "index"
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
# Show ``clv(margin, ...)`` rather than ``salescore.clv(margin, ...)`` in headings.
add_module_names = False
# Break a signature over several lines when it is longer than this.
python_maximum_signature_line_length = 88

# -- Plots (the gallery) ---------------------------------------------------------------

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"savefig.bbox": "tight"}

# -- MyST (Markdown pages) -------------------------------------------------------------

myst_enable_extensions = [
    "amsmath",  # \begin{align} ... \end{align} blocks
    "colon_fence",  # ::: directives, so that ``` fences stay code
    "dollarmath",  # $inline$ and $$display$$ math
]
myst_heading_anchors = 3
# A dollar sign next to a digit (as in "$100 to $200") is money, not inline math.
myst_dmath_allow_digits = False

# -- autodoc ---------------------------------------------------------------------------

# The public functions are declared with typing.overload (scalar -> float, array ->
# ndarray, Series -> Series). With annotations shown, autodoc prints one signature per
# overload, three near-identical lines for each function. "none" makes autodoc show
# only the implementation's signature, without annotations; the accepted types are
# documented in each docstring's Parameters and Returns sections instead.
autodoc_typehints = "none"
autodoc_member_order = "bysource"

# -- numpydoc --------------------------------------------------------------------------

# autodoc's :members: documents the members; numpydoc's own tables would repeat them
# (and warn about stub files that do not exist).
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
# Parameter types such as "float, array_like or Series" stay plain text.
numpydoc_xref_param_type = False
# Fail the build (it runs with -W) when a documented object has no docstring, or its
# Parameters section and its signature disagree, or a function has no Returns section.
numpydoc_validation_checks = {"GL08", "PR01", "PR02", "PR03", "PR10", "RT01"}
# Module-level constants (the stage presets, the adapters' tables) carry attribute
# docstrings (``#:`` comments), which numpydoc's validation cannot see.
numpydoc_validation_exclude = {r"\.[A-Z][A-Z0-9_]*$"}

# -- HTML output -----------------------------------------------------------------------

html_theme = "furo"
html_title = f"salescore {release}"


# -- Markdown examples -----------------------------------------------------------------


def _trim_code_blocks(app: Any, doctree: nodes.document) -> None:
    """Drop the blank lines that end a code block.

    The ``>>>`` examples in the Markdown pages are run by ``pytest --doctest-glob``,
    which needs a blank line after an example's output, before the closing fence;
    without this the blank line would show as an empty last line in every block.
    """
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        trimmed = text.rstrip("\n")
        if trimmed != text and len(block.children) == 1 and isinstance(block[0], nodes.Text):
            block[0] = nodes.Text(trimmed)
            block.rawsource = trimmed


def setup(app: Any) -> dict[str, bool]:
    app.connect("doctree-read", _trim_code_blocks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
