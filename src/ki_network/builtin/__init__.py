"""Built-in behaviour, shipped as ordinary plugins (see ``plugins.DEFAULT_PLUGINS``)."""
