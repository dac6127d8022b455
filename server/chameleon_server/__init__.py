"""ChameleonAPI, editor side: the analyzer, the language server and `chameleon run`.

This package never imports torch; the heavy work lives in ``chameleon_trainer``.
"""

__version__ = "0.1.0"
