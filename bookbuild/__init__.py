"""The book's build: ``python -m bookbuild`` (see :mod:`bookbuild.build`).

jsonschema checks the "iri" string format with rfc3987-syntax when it is installed (JupyterLab's
jupyter-events needs it), and that package compiles a Lark grammar as it is imported: about 1 s of
every build, spent as soon as Sphinx, myst-nb, nbformat or frictionless loads jsonschema. No
schema the build validates uses that format (``tests/test_versions.py`` checks the schemas the
installed packages ship), so the build runs without it: jsonschema then skips the "iri" check.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # an import of it raises ImportError, as if absent
