"""The plugin system: hook specifications (:mod:`.spec`), the manager and its typed wrapper
(:mod:`.manager`), and the protocols of the objects plugins hand in (:mod:`.contracts`).

>>> pm = make_plugin_manager(entrypoints=False)
>>> Hooks(pm).plugins()[0].builtin
True
"""

from .contracts import DuplicateSignal, Exporter, Rule, RuleBase
from .manager import ENTRY_POINT_GROUP, Hooks, PluginInfo, hookimpl, make_plugin_manager

__all__ = ["ENTRY_POINT_GROUP", "DuplicateSignal", "Exporter", "Hooks", "PluginInfo", "Rule",
           "RuleBase", "hookimpl", "make_plugin_manager"]
