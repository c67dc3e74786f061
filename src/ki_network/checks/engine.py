"""Running rules: settings from ``network.yaml``, translated texts, failures kept apart.

A rule is any object with ``id``, ``title``, ``default_severity``, ``background`` and
``check(network, context)`` (see :class:`ki_network.plugin.contracts.Rule`), contributed
through the ``ki_network_rules`` hook.  The ``context`` a rule receives is a
:class:`RuleContext`: the rule's mapping from ``network.yaml`` (``rules: {<id>: {...}}``)
that also carries what every rule of one run shares — the language of the texts
(``gettext``/``ngettext``), the day taken as today, and a cache for results that several
rules read (the occurrences of the coming year, the duplicate pairs).  A rule written
against the plain ``Mapping`` protocol works unchanged.

>>> from ki_network.testing import tiny_network
>>> from datetime import date
>>> result = run_rules(tiny_network(), language="en", today=date(2026, 3, 2))
>>> sorted({f.rule for f in result.findings})
['isolated-actor', 'missing-contact', 'suggested-introduction']
>>> result.failed
[]
"""

from __future__ import annotations

import contextlib
import gc
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ..errors import UnknownValueError, check_type
from ..locale import chosen as chosen_language
from ..locale import plugin_translator, supported, translator
from ..model import Finding, Severity, Visibility
from ..network import restricted
from ..plugin.contracts import Rule, as_rule
from . import worker

if TYPE_CHECKING:
    from ..network import Network

T = TypeVar("T")

#: The rule id of the finding that reports a rule which raised.
RULE_FAILED = "rule-failed"


class RuleContext(Mapping[str, Any]):
    """What a rule's ``check`` receives as ``context``.

    It reads like the rule's settings mapping from ``network.yaml`` (``enabled``,
    ``severity`` and the rule's own parameters); the attributes are shared by all rules of a
    run.

    >>> ctx = RuleContext({"limit": 3}, language="de", today=date(2026, 5, 4))
    >>> ctx["limit"], ctx.get("missing", 7), ctx.gettext("Coverage gaps")
    (3, 7, 'Versorgungslücken')
    """

    def __init__(self, values: Mapping[str, Any], *, language: str = "en",
                 today: date | None = None, shared: dict[Any, Any] | None = None) -> None:
        self._values = dict(values)
        #: language of messages and suggestions ("de" or "en")
        self.language = supported(language)
        #: the day the rules take as today (injectable for reproducible runs)
        self.today = today or date.today()
        #: results shared by the rules of one run; see :meth:`shared_result`
        self.shared = shared if shared is not None else {}
        catalogue = translator(self.language)
        self.gettext: Callable[[str], str] = catalogue.gettext
        self.ngettext: Callable[[str, str, int], str] = catalogue.ngettext

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def with_values(self, values: Mapping[str, Any]) -> RuleContext:
        """The same run context with another rule's settings."""
        return RuleContext(values, language=self.language, today=self.today, shared=self.shared)

    def shared_result(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per run: rules that read the same expensive result share it."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]  # type: ignore[no-any-return]

    def parameter(self, name: str, kind: type[T], default: T) -> T:
        """The parameter ``name`` if it has type ``kind``; a wrong type is an error."""
        value = self._values.get(name, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"parameter {name!r} must be {kind.__name__}, not {value!r}")
        return value


def context_of(settings: Mapping[str, Any]) -> RuleContext:
    """``settings`` as a :class:`RuleContext` (a plain mapping gets English and today).

    Kept for rules written when ``check`` was typed as taking any mapping; ``check`` now
    always receives a :class:`RuleContext`.  To call a rule directly, give it one::

        list(rule.check(network, RuleContext({"days": 30})))
    """
    return settings if isinstance(settings, RuleContext) else RuleContext(settings)


@attrs.frozen
class RuleFailure:
    """A rule that raised: the others ran on."""

    rule: str
    plugin: str | None
    error: str


@attrs.frozen
class CheckResult:
    """Findings of one run, most severe first, and what ran."""

    findings: list[Finding]
    rules: list[str]
    failed: list[RuleFailure]
    language: str
    titles: Mapping[str, str] = attrs.field(factory=dict)

    def worst(self) -> Severity | None:
        """The highest severity among the findings (``None`` without findings)."""
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def reaches(self, severity: Severity) -> bool:
        """True if a finding has ``severity`` or worse."""
        worst = self.worst()
        return worst is not None and worst.rank >= severity.rank

    def as_json(self) -> dict[str, Any]:
        """The ``ki-network check --format json`` contract.

        ``{"findings": [{"rule", "severity", "subjects", "message", "suggestion",
        "evidence"}]}``
        """
        return {"findings": [
            {"rule": f.rule, "severity": f.severity.value, "subjects": list(f.subjects),
             "message": f.message, "suggestion": f.suggestion, "evidence": dict(f.evidence)}
            for f in self.findings]}

    def by_rule(self) -> dict[str, list[Finding]]:
        """Findings grouped by rule id, groups in the order of their most severe finding."""
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.rule, []).append(finding)
        return groups


def title_of(rule: Rule, gettext: Callable[[str], str], language: str | None = None) -> str:
    """A rule's heading: its ``title`` (translated) when it has one, else its id.

    A plugin's rule with a ``translations`` attribute (its package's name) has its title
    translated through the plugin's own catalogue
    (:func:`ki_network.locale.plugin_translator`) in ``language``.
    """
    package = getattr(rule, "translations", None)
    if isinstance(package, str) and language is not None:
        gettext = plugin_translator(package, language).gettext
    return gettext(rule.title) if rule.title else rule.id


def run_rules(network: Network, *, language: str | None = None, today: date | None = None,
              only: Collection[str] = (), rules: Iterable[Rule] | None = None,
              audience: Visibility | str = Visibility.PUBLIC) -> CheckResult:
    """Run the network's rules and collect their findings.

    :param audience: who will read the findings (default ``public``): the rules see, and can
        name, only what that audience may see (:func:`ki_network.network.restricted`);
        ``"internal"`` for the KI's own check.
    :param language: language of messages and suggestions (default: the network's).
    :param today: the day taken as today (default: ``date.today()``).
    :param only: run only the rules with these ids.
    :param rules: the rules to run (default: from the ``ki_network_rules`` hook); objects
        without ``title`` or ``background`` get the defaults (:func:`.contracts.as_rule`).

    In a network of :data:`.worker.MIN_OFFERS` offers or more, rules with a true
    ``background`` attribute run in a forked second process while the others run here, so
    that a check uses two cores (see :mod:`.worker`); the findings are the same.

    Rules switched off in ``network.yaml`` (``rules: {<id>: false}`` or ``{enabled: false}``)
    do not run and their findings are dropped; ``severity:`` there replaces a rule's
    severity.  A rule that raises, or returns something that is not a finding, is reported as
    a ``rule-failed`` finding (severity error) naming the rule and the plugin it came from.
    """
    network = restricted(network, audience)
    config = network.config
    check_type("run_rules", "today", today, date, optional=True)
    lang = chosen_language(language, config.language)
    context = RuleContext({}, language=lang, today=today)
    if isinstance(only, str):
        raise TypeError("run_rules(): only must be a collection of rule ids, not a str")
    chosen = network.hooks.rules() if rules is None else [as_rule(r) for r in rules]
    wanted = set(only)
    known = [str(rule.id) for rule in chosen]
    unknown = sorted(wanted - set(known))
    if unknown:
        raise UnknownValueError("only", unknown[0], known, what="rule")
    titles: dict[str, str] = {}
    selected: list[tuple[int, Rule, Mapping[str, Any]]] = []
    for rule in chosen:
        rule_id = rule.id
        titles.setdefault(rule_id, title_of(rule, context.gettext, lang))
        settings = config.rule_settings(rule_id)
        if (wanted and rule_id not in wanted) or settings.get("enabled", True) is False:
            continue
        selected.append((len(selected), rule, settings))
    parallel = worker.available() and len(network.offers) >= worker.MIN_OFFERS
    later = [x for x in selected if parallel and x[1].background]
    here = [x for x in selected if x not in later]
    outcomes: dict[int, tuple[list[Finding], str | None]] = {}
    with _cyclic_gc_paused():
        if later:
            pending = worker.Pending(lambda: _outcomes(network, later, context.with_values({})))
        outcomes.update(_outcomes(network, here, context))
        if later:
            outcomes.update(pending.result())
    findings: list[Finding] = []
    failed: list[RuleFailure] = []
    for index, rule, _settings in selected:
        rule_id = str(rule.id)
        produced, error = outcomes[index]
        if error is not None:
            failure = RuleFailure(rule_id, network.hooks.contributor(rule), error)
            failed.append(failure)
            findings.append(_failure_finding(failure, context))
        findings.extend(produced)
    ran = [str(rule.id) for _index, rule, _settings in selected]
    findings = [_configured(f, config.rule_settings(f.rule)) for f in findings
                if f.rule == RULE_FAILED
                or config.rule_settings(f.rule).get("enabled", True) is not False]
    findings.sort(key=lambda f: (-f.severity.rank, f.rule, f.subjects))
    return CheckResult(findings, ran, failed, lang, titles)


def _outcomes(network: Network, rules: list[tuple[int, Rule, Mapping[str, Any]]],
              context: RuleContext) -> dict[int, tuple[list[Finding], str | None]]:
    """Each rule's findings, or the error it raised (then no findings: a half-finished list
    would look complete); by the rule's position, as two plugins may use one id."""
    outcomes: dict[int, tuple[list[Finding], str | None]] = {}
    for index, rule, settings in rules:
        try:
            produced = [_checked(f) for f in rule.check(network, context.with_values(settings))]
        except Exception as exc:  # a broken rule must not take the others down
            outcomes[index] = ([], "".join(traceback.format_exception_only(exc)).strip())
        else:
            outcomes[index] = (produced, None)
    return outcomes


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the rules run.

    A large check allocates millions of small objects (the year's occurrences) and frees
    few, so the collector ran again and again over the whole heap and found nothing: about a
    seventh of the time of 100,000 offers.  Reference counting still frees what is dropped.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _checked(value: object) -> Finding:
    if not isinstance(value, Finding):
        raise TypeError(f"a rule must yield Finding objects, not {type(value).__name__}")
    return value


def _configured(finding: Finding, settings: Mapping[str, Any]) -> Finding:
    severity = settings.get("severity")
    if severity is None or finding.rule == RULE_FAILED:
        return finding
    return attrs.evolve(finding, severity=Severity(severity))


def _failure_finding(failure: RuleFailure, context: RuleContext) -> Finding:
    _ = context.gettext
    plugin = failure.plugin or "?"
    return Finding(
        RULE_FAILED, Severity.ERROR, (),
        _("Rule {rule} (from {plugin}) failed: {error}").format(
            rule=failure.rule, plugin=plugin, error=failure.error),
        _("The other rules ran. Tell whoever maintains {plugin}, or switch the rule off in "
          "network.yaml (rules: {{{rule}: false}}).").format(plugin=plugin, rule=failure.rule),
        {"rule": failure.rule, "plugin": failure.plugin, "error": failure.error})


def validate_rule_settings(network: Network, rules: Iterable[Rule]) -> list[str]:
    """Problems with the ``rules:`` section of ``network.yaml`` (unknown ids, bad severities).

    Each as ``file:line:column: message``; :func:`run_rules` does not run before they are
    fixed, because a misspelt rule id would otherwise silently not switch anything off.
    """
    config = network.config
    known: set[str] = {RULE_FAILED}
    for rule in rules:
        known.add(str(rule.id))
    problems = []
    for rule_id, value in config.rules.items():
        origin = config.origin_of("rules")
        if rule_id not in known:
            problems.append(f"{origin}: unknown rule {rule_id!r} in 'rules' "
                            f"(known: {', '.join(sorted(known - {RULE_FAILED}))})")
            continue
        if value is False or value is True or value is None:
            continue
        if not isinstance(value, Mapping):
            problems.append(f"{origin}: settings of rule {rule_id!r} must be a mapping or false")
            continue
        severity = value.get("severity")
        if severity is not None and severity not in {s.value for s in Severity}:
            problems.append(f"{origin}: rule {rule_id!r}: severity must be info, warning or "
                            f"error, not {severity!r}")
        if "enabled" in value and not isinstance(value["enabled"], bool):
            problems.append(f"{origin}: rule {rule_id!r}: enabled must be true or false")
    return problems
