"""The language server: decision abstracts in the editor, and "Customize this API"."""
